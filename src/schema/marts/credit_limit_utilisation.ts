import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

const opt = col.optional;

export const creditLimitUtilisation = defineTable({
  name: 'credit_limit_utilisation',
  description: 'Open AR against the credit limit per month end and customer: utilisation, headroom and customers over their limit.',
  key: ['as_of_date', 'customer_id'],
  // Read one month end at a time: small row groups, so a page decodes about one month (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    as_of_date: col.date('Month end the balance is measured at'),
    customer_id: col.text('Debtor with open items at as_of_date'),
    segment: col.text("Customer segment ('unknown' when the customer is not in customers)"),
    open_ar: col.money('Open AR of the customer at as_of_date (documents minus unapplied cash)'),
    overdue_ar: col.money('Part of open_ar past its due date'),
    open_items: col.bigint('Open documents and unapplied payments'),
    credit_limit: opt(col.money('Credit limit at as_of_date (see limit_source) in the reporting currency: a limit kept in another currency converted at the month end\'s closing rate; empty when none is recorded')),
    credit_limit_original: opt(col.money('The limit as the ERP keeps it, in limit_currency')),
    limit_currency: opt(col.text("Currency the limit is kept in (the customer's currency, customers.currency); empty without a limit")),
    limit_source: col.text('Where credit_limit came from: customer_master, credit_decision, or none'),
    limit_basis: col.text('Configured limit source: customer_master or latest_decision (config credit_limits.source)'),
    utilisation: opt(col.number('open_ar / credit_limit (1 = at the limit; empty without a positive limit)')),
    headroom: opt(col.money('credit_limit − open_ar (negative when over the limit)')),
    over_limit: opt(col.boolean('open_ar > credit_limit; empty without a recorded limit')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
