-- Invoices as the bank matching sees them (int_bank_matches): each AR head of type invoice with its
-- balance before bank matching, in its own currency (the invoice plus its credit notes, less the ERP's
-- allocations and write-offs), and the keys a payer's reference or remittance text is compared with:
-- its payment_reference, its number as letters and digits (alnum_key) and as digits only (digit_key),
-- both without leading zeros, and as space-separated words (word_key, as int_bank_receipts.text_key).
-- Only a ledger with bank-statement receipts has anything to match: without them this is empty, so a
-- ledger of ERP allocations alone never pays for the keys (four regular expressions per invoice),
-- nor for the join of the heads to their staged rows: each side is filtered before it (filtered after
-- it, the join still built a hash table of every head, 0.2 CPU-s at 1M invoices for no row).
WITH receipts AS (
  SELECT count(*) AS n FROM {{ ref('int_bank_receipts') }}
),
heads AS (
  SELECT d.document_id, d.customer_id, d.invoice_date, d.due_date, d.settled_date, d.currency, d.amount_original,
         s.payment_reference
  FROM (
    SELECT * FROM {{ ref('int_ar_documents') }}
    WHERE item_id = document_id AND document_type = 'invoice' AND (SELECT n FROM receipts) > 0
  ) d
  JOIN (SELECT document_id, payment_reference FROM {{ ref('stg_invoices') }} WHERE (SELECT n FROM receipts) > 0) s
    ON s.document_id = d.document_id
),
corrections AS (
  SELECT item_id, sum(amount_original) AS amount FROM {{ ref('int_ar_documents') }} WHERE item_id <> document_id AND (SELECT n FROM receipts) > 0 GROUP BY item_id
),
erp_paid AS (
  SELECT document_id, sum(amount) AS amount FROM {{ ref('stg_payment_allocations') }} WHERE (SELECT n FROM receipts) > 0 GROUP BY document_id
),
written_off AS (
  SELECT document_id, sum(amount_original) AS amount FROM {{ ref('int_write_offs') }} WHERE (SELECT n FROM receipts) > 0 GROUP BY document_id
)
SELECT
  h.document_id, h.customer_id, h.invoice_date, h.due_date, h.settled_date, h.currency,
  CAST(h.amount_original + COALESCE(c.amount, 0) - COALESCE(e.amount, 0) - COALESCE(w.amount, 0) AS DECIMAL(18,2)) AS open_amount,
  upper({{ regexp_replace_all('COALESCE(h.payment_reference, '''')', '''[^A-Za-z0-9]''', '''''') }}) AS reference_key,
  regexp_replace(upper({{ regexp_replace_all('h.document_id', '''[^A-Za-z0-9]''', '''''') }}), '^0+', '') AS alnum_key,
  regexp_replace({{ regexp_replace_all('h.document_id', '''[^0-9]''', '''''') }}, '^0+', '') AS digit_key,
  ' ' || trim(upper({{ regexp_replace_all('h.document_id', '''[^A-Za-z0-9]+''', ''' ''') }})) || ' ' AS word_key
FROM heads h
LEFT JOIN corrections c ON c.item_id = h.document_id
LEFT JOIN erp_paid e ON e.document_id = h.document_id
LEFT JOIN written_off w ON w.document_id = h.document_id
