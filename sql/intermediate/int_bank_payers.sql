-- The payer of each bank-statement receipt that paid no invoice it names (int_bank_named_matches):
-- as the row gives it, else the one customer its IBAN is known for on the payment date, from the
-- customer record (customers.iban), an ERP payment carrying the IBAN, or an earlier receipt of the
-- IBAN matched by reference or invoice number. iban_customers > 1: the IBAN is known for several.
WITH unnamed AS (
  SELECT r.payment_id, r.customer_id, r.payment_date, r.iban_key
  FROM {{ ref('int_bank_receipts') }} r
  WHERE NOT r.erp_allocated
    AND r.payment_id NOT IN (SELECT payment_id FROM {{ ref('int_bank_named_matches') }} WHERE amount > 0)
),
known_ibans AS (
  SELECT upper({{ regexp_replace_all('iban', '''[^A-Za-z0-9]''', '''''') }}) AS iban_key, customer_id, DATE '1900-01-01' AS known_from
  FROM {{ ref('stg_customers') }} WHERE iban IS NOT NULL
  UNION ALL
  SELECT upper({{ regexp_replace_all('payer_iban', '''[^A-Za-z0-9]''', '''''') }}) AS iban_key, customer_id, payment_date AS known_from
  FROM {{ ref('stg_payments') }} WHERE payer_iban IS NOT NULL AND customer_id IS NOT NULL
  UNION ALL
  SELECT r.iban_key, m.customer_id, r.payment_date AS known_from
  FROM {{ ref('int_bank_named_matches') }} m
  JOIN {{ ref('int_bank_receipts') }} r ON r.payment_id = m.payment_id
  WHERE r.iban_key <> '' AND m.amount > 0
),
by_iban AS (
  SELECT u.payment_id, count(DISTINCT k.customer_id) AS customers, min(k.customer_id) AS customer_id
  FROM unnamed u
  JOIN known_ibans k ON k.iban_key = u.iban_key AND k.known_from <= u.payment_date
  WHERE u.iban_key <> '' AND u.customer_id IS NULL
  GROUP BY u.payment_id
)
SELECT
  u.payment_id,
  CASE WHEN u.customer_id IS NOT NULL THEN u.customer_id WHEN b.customers = 1 THEN b.customer_id END AS customer_id,
  CAST(COALESCE(b.customers, 0) AS BIGINT) AS iban_customers
FROM unnamed u
LEFT JOIN by_iban b ON b.payment_id = u.payment_id
