import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

export const arOpenItems = defineTable({
  name: 'ar_open_items',
  description: 'Every open receivable (and unapplied payment) at every month end, with its age and aging bucket.',
  key: ['as_of_date', 'document_type', 'document_id'],
  // Read one month end at a time: small row groups, so a page decodes about one month (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    as_of_date: col.date('Month end the open amount is measured at'),
    document_id: col.text('Open document (invoice or uncorrected credit note), or the payment id for unapplied cash'),
    document_type: col.text('invoice, credit_note, or unapplied_cash for the unallocated rest of a payment'),
    customer_id: col.text('Debtor of the document (or payer of the unapplied cash)'),
    segment: col.text("Customer segment at build time ('unknown' when the customer is not in customers)"),
    invoice_date: col.date('Document date (payment date for unapplied cash)'),
    due_date: col.optional(col.date('Net due date (empty for unapplied cash)')),
    original_amount: col.money('Document amount as issued, in the reporting currency at its document date (payment amount for unapplied cash)'),
    open_amount: col.money('Open amount at as_of_date after payments, correcting credit notes and write-offs dated on or before it, in the reporting currency (a foreign-currency document at the as-of closing rate)'),
    days_past_due: col.optional(col.int('as_of_date minus the aging basis date (due_date by default); empty for unapplied cash')),
    bucket: col.text("Aging bucket from config aging.bucket_edges ('not due', '1-14', …), 'unapplied cash', or 'credit balance' for a document with a negative open amount"),
    bucket_order: col.int('Sort order of the bucket (0 = not due; then the overdue buckets, unapplied cash, credit balance)'),
    is_current: col.boolean('True when not overdue at as_of_date by due date (unapplied cash and credit balances count as current: they are not overdue debt)'),
    aging_basis: col.text('Date days_past_due counts from: due_date or invoice_date (config aging.basis)'),
    is_credit_balance: col.boolean('True for a credit balance: unapplied cash, or a document whose open amount is negative (over-credited, uncorrected credit note, overpaid)'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
    currency: col.text("The document's ISO 4217 currency (the reporting currency for unapplied cash)"),
    open_amount_original: col.money("Open amount in the document's own currency; open_amount is it converted at the as-of date's closing rate (fx_rates)"),
    open_amount_booked: col.money('Open amount in the reporting currency as booked, each movement at its own date’s rate (before revaluation); open_amount − open_amount_booked is the unrealised FX result'),
    is_disputed: col.boolean('True when a dispute on the document (or on a credit note correcting it) is open at as_of_date: opened on or before it, not resolved by it'),
    disputed_amount: col.money('The part of a debit open amount in dispute at as_of_date: the open disputes’ amounts, at most open_amount (0 when not disputed, for credit balances and unapplied cash)'),
  },
});
