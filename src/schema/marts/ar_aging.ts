import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

export const arAging = defineTable({
  name: 'ar_aging',
  description: "Open AR per month end, customer group and aging bucket (amount and count), with 'ALL' totals.",
  key: ['as_of_date', 'group_by', 'group_value', 'bucket'],
  shape: {
    as_of_date: col.date('Month end the aging is measured at'),
    ...customerGroupColumns,
    bucket: col.text("Aging bucket ('not due', '1-14', …, '>90'; then 'unapplied cash' and 'credit balance', documents with a negative open amount)"),
    bucket_order: col.int('Sort order of the bucket (0 = not due; the overdue buckets, then unapplied cash, then credit balance)'),
    open_amount: col.money('Sum of open amounts in the bucket'),
    open_count: col.bigint('Number of open items (documents or unapplied payments) in the bucket'),
    aging_basis: col.text('Date the buckets count from: due_date or invoice_date (config aging.basis)'),
    pct_of_debit_ar: col.optional(col.number("A debit bucket's share of the group's debit balances at the month end, 0–100 (empty for unapplied cash and credit balance, or without debit balances)")),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
    disputed_amount: col.money('The part of open_amount in dispute at the month end (disputes opened on or before it, not resolved by it; at most each item’s open amount)'),
    disputed_count: col.bigint('Open items in the bucket with a dispute open at the month end'),
  },
});
