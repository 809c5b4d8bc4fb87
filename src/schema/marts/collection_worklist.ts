import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

const opt = col.optional;

export const collectionWorklist = defineTable({
  name: 'collection_worklist',
  description:
    "The collector's worklist per month end: customers with overdue debit items ranked by overdue amount × risk weight × (1 + oldest days past due / 30), with the last collection action and the next dunning step.",
  key: ['as_of_date', 'customer_id'],
  // Read one month end at a time: small row groups, so a page decodes about one month (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    as_of_date: col.date('Month end'),
    customer_id: col.text('Customer with overdue debit items at as_of_date'),
    overdue_amount: col.money('Overdue debit balance (open amount of items past due)'),
    overdue_items: col.bigint('Overdue debit items'),
    max_days_past_due: opt(col.int('Days past due of the oldest open debit item')),
    open_amount: col.money('Open AR of the customer (credit balances and unapplied cash netted)'),
    common_band: opt(col.int('Common band 1-5 of the latest credit report at as_of_date (customer_risk); empty = not rated')),
    common_band_label: col.text("Label of the common band ('not rated' when none)"),
    insolvency_flag: col.boolean('Insolvent on or before as_of_date (customer_risk)'),
    risk_weight: col.number('Weight of the band: 1, 1.25, 1.5, 2, 3 for bands 1-5; 4 insolvent; 1.5 not rated'),
    priority_score: col.number('overdue_amount × risk_weight × (1 + max_days_past_due / 30): the rank, highest first'),
    last_action: opt(col.text('Type of the last collection action on or before as_of_date')),
    last_action_date: opt(col.date('Its date')),
    next_step: col.text('Next step on the ladder reminder → dunning_letter → phone_call → collection_agency → legal'),
    next_step_due: col.date('14 days after the last action, or as_of_date when none was taken'),
  },
});
