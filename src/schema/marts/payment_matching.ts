import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const paymentMatching = defineTable({
  name: 'payment_matching',
  description:
    "Match rates of bank-statement receipts by rule, per month and over all months ('ALL'): receipts and amounts each rule matched, their shares, and the cash left unapplied.",
  key: ['period', 'match_rule'],
  shape: {
    period: col.text("Month of the payment date as YYYY-MM, or 'ALL' for every month together"),
    month: opt(col.date("First day of the month (empty on 'ALL' rows)")),
    match_rule: col.text("creditor_reference, invoice_number, unique_amount, returned, erp_allocation, unmatched, or 'ALL' for every receipt of the period"),
    receipts: col.bigint('Bank receipts of the period that this rule matched (unmatched: that no rule matched)'),
    amount: opt(col.money('Their amount in the reporting currency (empty when a rate is missing)')),
    receipts_pct: opt(col.number("Share of the period's receipts, in percent")),
    amount_pct: opt(col.number("Share of the period's received amount, in percent")),
    unapplied_amount: opt(col.money('Part of their amount left as unapplied cash, in the reporting currency')),
  },
});
