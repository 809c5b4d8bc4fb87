import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const EVENT_KINDS = ['payment', 'collection_action', 'write_off'] as const;

export const customerEvents = defineTable({
  name: 'customer_events',
  description: "Every dated event of each customer in one list (payments received, collection actions, write-offs and recoveries), sorted by customer and date: the customer page's history.",
  key: ['event_kind', 'event_id', 'event_date'],
  shape: {
    customer_id: col.text('Customer the event belongs to'),
    event_date: col.date('Payment date, action date or write-off date'),
    event_kind: col.oneOf(EVENT_KINDS, 'payment, collection_action or write_off'),
    event_type: col.text("'payment'; the action type (reminder … legal); 'write_off', or 'recovery' for a negative write-off"),
    event_id: col.text('payment_id, action_id, or the written-off document_id'),
    document_id: opt(col.text('Document the action chased or the write-off closed (empty for payments and actions on no document)')),
    detail: opt(col.text('Channel of a collection action, reason of a write-off')),
    amount: col.money('Amount received, cost of the action, or amount written off (negative: recovered), in currency'),
    currency: col.text('ISO 4217 currency of amount (collection costs: the reporting currency)'),
  },
});
