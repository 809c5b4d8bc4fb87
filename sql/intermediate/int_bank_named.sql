-- The invoices each bank-statement receipt names (rules 1 and 2 of int_bank_matches), one row per
-- receipt and invoice, whether or not the invoice is open for it:
--  1. creditor_reference: the structured reference is the invoice's payment_reference, or an RF
--     reference / betalingskenmerk built from its number (three equality joins: a join on OR would
--     compare every receipt with every invoice);
--  2. invoice_number: for a receipt rule 1 found nothing for, invoice numbers of at least 4
--     characters found as whole words in its remittance text or end-to-end reference.
-- is_open: issued on or before the receipt, not settled before it, same currency, a balance left.
WITH receipts AS (
  -- Returned receipts (negative) name nothing: int_bank_matches books them against what they return.
  SELECT * FROM {{ ref('int_bank_receipts') }} WHERE NOT erp_allocated AND amount > 0
),
by_reference AS (
  SELECT r.payment_id, d.document_id FROM receipts r JOIN {{ ref('int_bank_invoices') }} d ON d.reference_key = r.reference_key
  WHERE r.reference_key <> '' AND d.reference_key <> ''
  UNION
  SELECT r.payment_id, d.document_id FROM receipts r JOIN {{ ref('int_bank_invoices') }} d ON d.alnum_key = r.rf_payload
  WHERE r.rf_payload <> ''
  UNION
  SELECT r.payment_id, d.document_id FROM receipts r JOIN {{ ref('int_bank_invoices') }} d ON d.digit_key = r.kenmerk_payload
  WHERE r.kenmerk_payload <> ''
),
by_text AS (
  SELECT r.payment_id, d.document_id
  FROM receipts r
  JOIN {{ ref('int_bank_invoices') }} d ON strpos(r.text_key, d.word_key) > 0
  WHERE length(d.word_key) >= 6
    AND r.payment_id NOT IN (SELECT payment_id FROM by_reference)
),
named AS (
  SELECT payment_id, document_id, 'creditor_reference' AS match_rule FROM by_reference
  UNION ALL
  SELECT payment_id, document_id, 'invoice_number' AS match_rule FROM by_text
)
SELECT
  n.payment_id,
  n.document_id,
  n.match_rule,
  d.customer_id,
  d.due_date,
  d.open_amount,
  r.amount AS receipt_amount,
  r.payment_date,
  CASE WHEN d.currency = r.currency AND d.invoice_date <= r.payment_date
             AND (d.settled_date IS NULL OR d.settled_date >= r.payment_date) AND d.open_amount > 0
       THEN true ELSE false END AS is_open
FROM named n
JOIN receipts r ON r.payment_id = n.payment_id
JOIN {{ ref('int_bank_invoices') }} d ON d.document_id = n.document_id
