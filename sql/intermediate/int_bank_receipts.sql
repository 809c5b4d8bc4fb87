-- Receipts read from bank statements (ingest --feed bank-statements: payments booked on a bank_account),
-- with the keys the matching compares, so int_bank_matches never parses text twice:
--  * iban_key: the payer's IBAN without spaces, upper case;
--  * reference_key: the structured creditor reference without spaces (RF… or a 16-digit betalingskenmerk),
--    rf_payload the part of an RF reference after its check digits and kenmerk_payload the 15 digits
--    after a kenmerk's check digit, both without leading zeros: creditors build these references from
--    their invoice numbers, so they name an invoice even when the invoice does not carry its reference;
--  * text_key: remittance text and end-to-end reference in upper case, every run of other characters
--    than letters and digits one space, padded with spaces, so ' 2024 0012 ' finds invoice 2024-0012
--    as a whole word.
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
    upper({{ regexp_replace_all('COALESCE(p.payer_iban, '''')', '''[^A-Za-z0-9]''', '''''') }}) AS iban_key,
    upper({{ regexp_replace_all('COALESCE(p.creditor_reference, '''')', '''[^A-Za-z0-9]''', '''''') }}) AS reference_key,
    ' ' || trim(upper({{ regexp_replace_all('COALESCE(p.remittance_info, '''') || '' '' || COALESCE(p.end_to_end_id, '''')', '''[^A-Za-z0-9]+''', ''' ''') }})) || ' ' AS text_key
  FROM {{ ref('stg_payments') }} p
  WHERE p.bank_account IS NOT NULL
)
SELECT
  r.*,
  CASE WHEN substr(r.reference_key, 1, 2) = 'RF' AND length(r.reference_key) > 4
       THEN regexp_replace(substr(r.reference_key, 5), '^0+', '') END AS rf_payload,
  CASE WHEN length(r.reference_key) = 16 AND {{ regexp_like('r.reference_key', '''^[0-9]+$''') }}
       THEN regexp_replace(substr(r.reference_key, 2), '^0+', '') END AS kenmerk_payload,
  CASE WHEN r.payment_id IN (SELECT payment_id FROM {{ ref('stg_payment_allocations') }}) THEN true ELSE false END AS erp_allocated
FROM r
