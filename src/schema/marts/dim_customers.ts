import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

const opt = col.optional;

export const dimCustomers = defineTable({
  name: 'dim_customers',
  description:
    "The customer dimension: one row per customer of the ERP's customer master, with its identity and terms and the groups it falls in in the grouped marts (int_customer_groups). The dashboards read customers from here, so the dashboards API reads marts only.",
  key: ['customer_id'],
  // The customer page looks up one customer: small row groups, so a lookup decodes one small group (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    customer_id: col.text('ERP debtor number'),
    name: col.text('Registered company name'),
    kvk_number: opt(col.text('Dutch Chamber of Commerce (KvK) number, 8 digits')),
    vat_number: opt(col.text('VAT identification number, e.g. NL123456789B01')),
    country: col.text('ISO 3166-1 alpha-2 country code (also its country group)'),
    sbi_code: opt(col.text('SBI 2008 activity code (Dutch NACE extension)')),
    sbi_section: col.text("SBI section letter of sbi_code as the grouped marts group it ('unknown' without a code)"),
    segment: opt(col.text('Commercial segment as the ERP keeps it (empty when not recorded)')),
    segment_group: col.text("Segment as the grouped marts group it ('unknown' when not recorded)"),
    size_class: col.text('Company size class by employees (micro, small, medium, large; also its size group)'),
    score_band: col.text("Label of the common band of the latest credit report, as the grouped marts group it ('not rated' when none)"),
    credit_limit: opt(col.money('Credit limit granted, in the row currency')),
    currency: col.text('ISO 4217 currency of the credit limit'),
    payment_terms_days: col.int('Agreed payment term in days (e.g. 14, 30, 60)'),
    account_manager: opt(col.text('Owner of the customer in the credit team (collector or account manager), where the ERP keeps one')),
  },
});
