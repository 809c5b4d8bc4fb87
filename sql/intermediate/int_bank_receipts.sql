-- Receipts read from bank statements (ingest --feed bank-statements: payments booked on a bank_account),
-- with the keys the matching compares, so int_bank_matches never parses text twice:
--  * iban_key: the payer's IBAN without spaces, upper case;
--  * reference_key: the structured creditor reference without spaces (RF… or a 16-digit betalingskenmerk),
--    rf_payload the part of an RF reference after its check digits and kenmerk_payload the 15 digits
--    after a kenmerk's check digit, both without leading zeros: creditors build these references from
--    their invoice numbers, so they name an invoice even when the invoice does not carry its reference;
--  * text_key: remittance text and end-to-end reference in upper case, every run of other characters
--    than letters and digits one space, padded with spaces, so ' 2024 0012 ' finds invoice 2024-0012
--    as a whole word;
--  * e2e_key: the end-to-end reference, which a returned receipt (a negative one: a returned direct
--    debit) shares with the receipt it returns;
--  * returns_payment_id: for a returned receipt, the receipt it returns: booked on the same account
--    with the same end-to-end reference and the opposite amount, on or before it (the latest such);
--    returned_on: for that receipt, the date it was returned (its invoices are open again from then).
-- A payment with ERP allocations (payment_allocations) is matched by the ERP already and left alone.
WITH r AS (
  SELECT
    p.payment_id,
    p.customer_id,
    p.payment_date,
    p.amount,
    p.currency,
    p.payer_iban,
    p.payer_name,
    p.remittance_info,
    p.creditor_reference,
    p.bank_reference,
    p.bank_account,
    upper(trim(COALESCE(p.end_to_end_id, ''))) AS e2e_key,
    upper({{ regexp_replace_all('COALESCE(p.payer_iban, '''')', '''[^A-Za-z0-9]''', '''''') }}) AS iban_key,
    upper({{ regexp_replace_all('COALESCE(p.creditor_reference, '''')', '''[^A-Za-z0-9]''', '''''') }}) AS reference_key,
    ' ' || trim(upper({{ regexp_replace_all('COALESCE(p.remittance_info, '''') || '' '' || COALESCE(p.end_to_end_id, '''')', '''[^A-Za-z0-9]+''', ''' ''') }})) || ' ' AS text_key
  FROM {{ ref('stg_payments') }} p
  WHERE p.bank_account IS NOT NULL
),
pairs AS (
  SELECT t.payment_id AS return_id, o.payment_id AS original_id, t.payment_date AS returned_on,
         row_number() OVER (PARTITION BY t.payment_id ORDER BY o.payment_date DESC, o.payment_id) AS pick
  FROM r t
  JOIN r o ON o.bank_account = t.bank_account AND o.e2e_key = t.e2e_key AND o.amount = 0 - t.amount AND o.payment_date <= t.payment_date
  WHERE t.amount < 0 AND t.e2e_key <> ''
)
SELECT
  r.*,
  ret.original_id AS returns_payment_id,
  orig.returned_on,
  CASE WHEN substr(r.reference_key, 1, 2) = 'RF' AND length(r.reference_key) > 4
       THEN regexp_replace(substr(r.reference_key, 5), '^0+', '') END AS rf_payload,
  CASE WHEN length(r.reference_key) = 16 AND {{ regexp_like('r.reference_key', '''^[0-9]+$''') }}
       THEN regexp_replace(substr(r.reference_key, 2), '^0+', '') END AS kenmerk_payload,
  CASE WHEN r.payment_id IN (SELECT payment_id FROM {{ ref('stg_payment_allocations') }}) THEN true ELSE false END AS erp_allocated
FROM r
LEFT JOIN (SELECT return_id, original_id FROM pairs WHERE pick = 1) ret ON ret.return_id = r.payment_id
LEFT JOIN (SELECT original_id, min(returned_on) AS returned_on FROM pairs WHERE pick = 1 GROUP BY original_id) orig ON orig.original_id = r.payment_id
