import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const disputesMonthly = defineTable({
  name: 'disputes_monthly',
  description:
    "Disputes per month and reason, with 'ALL' totals: opened and resolved (count, amount), days to resolve, credit-note outcomes, and the disputes open at the month end.",
  key: ['month', 'reason'],
  shape: {
    month: col.date('First day of the month'),
    month_end: col.date('Last day of the month (the open disputes are counted at it)'),
    reason: col.text("Dispute reason as exported (price, quantity, quality, …), or 'ALL' for the total"),
    disputes_opened: col.bigint('Disputes opened in the month (opened_date in it)'),
    amount_opened: col.money('Their disputed amounts, in the reporting currency at the document’s rate'),
    disputes_resolved: col.bigint('Disputes resolved in the month (resolved_date in it)'),
    amount_resolved: col.money('Their disputed amounts'),
    resolved_by_credit: col.bigint('Of those, disputes ending in a credit note (outcome credited or partially_credited: the customer was right)'),
    mean_days_to_resolve: opt(col.number('Mean of resolved_date − opened_date over the disputes resolved in the month, in days (empty when none)')),
    max_days_to_resolve: opt(col.int('Longest of those, in days (empty when none)')),
    open_disputes: col.bigint('Disputes open at month_end: opened on or before it, not resolved by it'),
    open_disputed_amount: col.money('Their disputed amounts'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
