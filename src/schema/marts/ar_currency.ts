import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const arCurrency = defineTable({
  name: 'ar_currency',
  description: 'Open AR per month end and currency: amounts in the currency itself beside their value in the reporting currency at the closing rate.',
  key: ['as_of_date', 'currency'],
  shape: {
    as_of_date: col.date('Month end'),
    currency: col.text('ISO 4217 currency of the open items (unapplied cash counts in the reporting currency)'),
    open_count: col.bigint('Open items in the currency'),
    open_amount_original: col.money('Open amount in the currency itself'),
    open_amount: col.money('The same in the reporting currency, at the as-of date closing rate (fx_rates)'),
    overdue_amount: col.money('Part of open_amount on debit items past their due date, in the reporting currency'),
    reporting_currency: col.text('Currency open_amount is in (config reporting_currency)'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
