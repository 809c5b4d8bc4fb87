import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const collectionActivityDaily = defineTable({
  name: 'collection_activity_daily',
  description:
    'Collection actions per day, action type and channel (reminders, dunning letters, phone calls, other channels): counts, customers, documents, cost; zero-filled days.',
  key: ['action_date', 'action_type', 'channel'],
  shape: {
    action_date: col.date('Day (every day from the first to the last action)'),
    action_type: col.text('reminder, dunning_letter, phone_call, email, payment_link, collection_agency or legal'),
    channel: col.text('Channel of the action as recorded (post, email, phone, whatsapp, agency, court, …)'),
    action_group: col.oneOf(['reminder', 'dunning_letter', 'phone_call', 'other'], "reminder, dunning_letter, phone_call, or 'other' for every other action type"),
    actions: col.bigint('Actions of this type and channel on the day (0 on days without)'),
    customers: col.bigint('Distinct customers they were aimed at'),
    documents: col.bigint('Distinct documents they chased (actions without a document not counted)'),
    cost: col.money('Their recorded cost'),
    is_complete: col.boolean("False for a day after the ledger's data end (the last dated document, payment, write-off or snapshot, or the extract date) or after a lagging ledger feed's end (int_month_ends.complete_until): the export does not cover it"),
  },
});
