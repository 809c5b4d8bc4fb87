-- Cash received on each AR item: every payment allocation, credited to the item it settles (the
-- invoice a correcting credit note belongs to: int_ar_documents) and dated by its payment, but
-- never before the item exists (a payment allocated ahead of its invoice counts from the invoice
-- date, like ar_open_items). The cash forecast learns customers' delays from these receipts and
-- its backtest compares forecasts with them.
WITH docs AS (
  SELECT document_id, customer_id, document_type, invoice_date, due_date, item_id FROM {{ ref('int_ar_documents') }}
)
SELECT
  h.document_id,
  h.customer_id,
  h.document_type,
  h.invoice_date,
  h.due_date,
  a.payment_id,
  CASE WHEN p.payment_date < h.invoice_date THEN h.invoice_date ELSE p.payment_date END AS receipt_date,
  a.amount
FROM {{ ref('int_payment_allocations') }} a
JOIN {{ ref('int_payments') }} p ON p.payment_id = a.payment_id
JOIN docs di ON di.document_id = a.document_id
JOIN docs h ON h.document_id = di.item_id
-- a refund (negative payment) is cash paid out, not a receipt the customer's delay is learnt from
WHERE p.amount > 0
