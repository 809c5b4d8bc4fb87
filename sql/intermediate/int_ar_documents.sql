-- Every document with the AR item it belongs to (item_id): a document that corrects no other
-- document is its own item (the item's "head"); a correcting document (corrects_document_id, e.g. a
-- credit note on an invoice) belongs to the head it corrects. One rule for int_ar_item_events
-- (and so ar_open_items and ar_rollforward) and int_item_receipts.
WITH docs AS (
  SELECT document_id, customer_id, document_type, invoice_date, due_date, amount, settled_date, corrects_document_id,
         currency, amount_original
  FROM {{ ref('int_invoices') }}
)
SELECT
  d.document_id,
  d.customer_id,
  d.document_type,
  d.invoice_date,
  d.due_date,
  d.amount,
  d.settled_date,
  CASE WHEN t.document_id IS NULL THEN d.document_id ELSE t.document_id END AS item_id,
  d.currency,
  d.amount_original
FROM docs d
LEFT JOIN docs t
  ON t.document_id = d.corrects_document_id
 AND t.corrects_document_id IS NULL
 AND t.document_id <> d.document_id
