import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const arAging = defineTable({
  name: 'ar_aging',
  description: "Open AR per month end, customer group and aging bucket (amount and count), with 'ALL' totals.",
  key: ['as_of_date', 'group_by', 'group_value', 'bucket'],
  shape: {
    as_of_date: col.date('Month end the aging is measured at'),
    group_by: col.text("Customer grouping: segment, sbi_section, country, size_class, score_band (common band of the latest credit report), or 'ALL' for the total"),
    group_value: col.text("Value of the grouping (e.g. the segment name); 'ALL' on total rows"),
    segment: col.optional(col.text("Segment for group_by segment rows, 'ALL' on totals, empty for other groupings")),
    bucket: col.text("Aging bucket ('not due', '1-14', …, 'unapplied cash')"),
    bucket_order: col.int('Sort order of the bucket (0 = not due; unapplied cash last)'),
    open_amount: col.money('Sum of open amounts in the bucket'),
    open_count: col.bigint('Number of open items (documents or unapplied payments) in the bucket'),
    aging_basis: col.text('Date the buckets count from: due_date or invoice_date (config aging.basis)'),
  },
});
