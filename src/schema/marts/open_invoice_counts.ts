import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

export const openInvoiceCounts = defineTable({
  name: 'open_invoice_counts',
  description:
    "Open invoices per month end, customer group and days-past-due bucket (14/30/60/90 by default): counts and amounts, also cumulated over older buckets, with 'ALL' totals.",
  key: ['as_of_date', 'group_by', 'group_value', 'bucket'],
  shape: {
    as_of_date: col.date('Month end the invoices are counted at'),
    ...customerGroupColumns,
    bucket: col.text("Days past due date: 'not due', '1-14', '15-30', '31-60', '61-90', '>90' (config open_invoice_counts.bucket_edges)"),
    bucket_order: col.int('Sort order of the bucket (0 = not due)'),
    min_days_past_due: col.optional(col.int('Lowest days past due in the bucket (empty for not due)')),
    max_days_past_due: col.optional(col.int('Highest days past due in the bucket (empty for the open-ended last one)')),
    open_count: col.bigint('Invoices with a positive open amount in the bucket'),
    open_amount: col.money('Their open amount'),
    count_this_or_older: col.bigint('Open invoices in this bucket or an older one (e.g. on 15-30: more than 14 days overdue)'),
    amount_this_or_older: col.money('Open amount in this bucket or an older one'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
