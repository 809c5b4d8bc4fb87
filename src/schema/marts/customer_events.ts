import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

const opt = col.optional;

export const EVENT_KINDS = ['payment', 'collection_action', 'write_off', 'dispute'] as const;

export const customerEvents = defineTable({
  name: 'customer_events',
  description: "Every dated event of each customer in one list (payments received, collection actions, write-offs and recoveries, disputes), sorted by customer and date: the customer page's history.",
  // customer_id too: a payment credited to two customers (int_payment_customers) is listed under both.
  key: ['customer_id', 'event_kind', 'event_id', 'event_date'],
  // Read one customer at a time: small row groups, so a lookup decodes one small group (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  // Written sorted by customer and date; sorted by the writer, apart from the join of the payments
  // (table.ts writeOrder).
  writeOrder: ['customer_id', 'event_date', 'event_kind', 'event_id'],
  shape: {
    customer_id: col.text('Customer the event belongs to'),
    event_date: col.date('Payment date, action date or write-off date'),
    event_kind: col.oneOf(EVENT_KINDS, 'payment, collection_action, write_off or dispute'),
    event_type: col.text("'payment'; the action type (reminder … legal); 'write_off', or 'recovery' for a negative write-off; 'dispute'"),
    event_id: col.text('payment_id, action_id, the written-off document_id, or dispute_id'),
    document_id: opt(col.text('Document the action chased or the write-off closed (empty for payments and actions on no document)')),
    detail: opt(col.text("Channel of a collection action, reason of a write-off or dispute; for a payment split over customers, 'paid by <payer>' or 'rest of a payment applied to other customers'")),
    amount: col.money("Amount received (the customer's part of a payment split over customers), cost of the action, amount written off (negative: recovered), or amount in dispute, in currency"),
    currency: col.text('ISO 4217 currency of amount (collection costs: the reporting currency)'),
    resolved_date: opt(col.date('Dispute: when it was resolved (empty while open; other events: empty)')),
    outcome: opt(col.text("Dispute: paid, credited, partially_credited, written_off, withdrawn; 'open' while open, 'resolved' when resolved without a recorded outcome")),
  },
});
