import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

const opt = col.optional;

export const dimCustomers = defineTable({
  name: 'dim_customers',
  description:
    "The customer dimension: one row per customer the ledger knows (the ERP's customer master, and customers invoiced or paying without a master record), with its identity and terms from the master and the groups it falls in in the grouped marts (int_customer_groups). The dashboards read customers from here, so the dashboards API reads marts only, and a list filtered by a group lists every customer the grouped marts count in it.",
  key: ['customer_id'],
  // The customer page looks up one customer: small row groups, so a lookup decodes one small group (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    customer_id: col.text('ERP debtor number'),
    in_customer_master: col.boolean("Whether the ERP's customer master has the customer (false: invoiced or paying without a master record; its identity and terms are empty and its groups 'unknown')"),
    name: opt(col.text('Registered company name')),
    kvk_number: opt(col.text('Dutch Chamber of Commerce (KvK) number, 8 digits')),
    vat_number: opt(col.text('VAT identification number, e.g. NL123456789B01')),
    country: opt(col.text('ISO 3166-1 alpha-2 country code as the master keeps it')),
    country_group: col.text("Country as the grouped marts group it ('unknown' without a master record)"),
    sbi_code: opt(col.text('SBI 2008 activity code (Dutch NACE extension)')),
    sbi_section: col.text("SBI section letter of sbi_code as the grouped marts group it ('unknown' without a code)"),
    segment: opt(col.text('Commercial segment as the ERP keeps it (empty when not recorded)')),
    segment_group: col.text("Segment as the grouped marts group it ('unknown' when not recorded)"),
    size_class: opt(col.text('Company size class by employees (micro, small, medium, large) as the master keeps it')),
    size_class_group: col.text("Size class as the grouped marts group it ('unknown' without a master record)"),
    score_band: col.text("Label of the common band of the latest credit report, as the grouped marts group it ('not rated' when none)"),
    credit_limit: opt(col.money('Credit limit granted, in the row currency')),
    currency: opt(col.text('ISO 4217 currency of the credit limit')),
    payment_terms_days: opt(col.int('Agreed payment term in days (e.g. 14, 30, 60)')),
    account_manager: opt(col.text('Owner of the customer in the credit team (collector or account manager), where the ERP keeps one')),
  },
});
