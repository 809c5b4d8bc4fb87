-- Cash received on each AR item: every payment allocation, credited to the item it settles (the
-- invoice a correcting credit note belongs to, as in ar_open_items) and dated by its payment, but
-- never before the item exists (a payment allocated ahead of its invoice counts from the invoice
-- date, like ar_open_items). The cash forecast learns customers' delays from these receipts and
-- its backtest compares forecasts with them.
WITH docs AS (
  SELECT document_id, customer_id, document_type, invoice_date, due_date, corrects_document_id
  FROM {{ ref('stg_invoices') }}
),
doc_items AS (
  SELECT
    d.document_id,
    CASE WHEN t.document_id IS NULL THEN d.document_id ELSE t.document_id END AS item_id
  FROM docs d
  LEFT JOIN docs t
    ON t.document_id = d.corrects_document_id
   AND t.corrects_document_id IS NULL
   AND t.document_id <> d.document_id
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
FROM {{ ref('stg_payment_allocations') }} a
JOIN {{ ref('stg_payments') }} p ON p.payment_id = a.payment_id
JOIN doc_items di ON di.document_id = a.document_id
JOIN docs h ON h.document_id = di.item_id
