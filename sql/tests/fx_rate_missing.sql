-- Every amount in a foreign currency has a rate (fx_rates) dated on its date or at most config
-- fx.lookback_days before it. Without one the build fails here, one row per currency naming the
-- first date without a rate and how many documents, payments and month ends need one, instead of
-- converting 1:1. Load the rates with `creditlake ingest --feed fx-rates`.
WITH missing AS (
  SELECT 'document' AS what, currency, invoice_date AS needed_on, document_id AS id
  FROM {{ ref('int_invoices') }} WHERE amount IS NULL
  UNION ALL
  SELECT 'payment' AS what, currency, payment_date AS needed_on, payment_id AS id
  FROM {{ ref('int_payments') }} WHERE amount IS NULL
  UNION ALL
  SELECT 'payment' AS what, a.currency, p.payment_date AS needed_on, a.payment_id AS id
  FROM {{ ref('int_payment_allocations') }} a JOIN {{ ref('stg_payments') }} p ON p.payment_id = a.payment_id
  WHERE a.amount IS NULL
  UNION ALL
  SELECT 'document' AS what, currency, write_off_date AS needed_on, document_id AS id
  FROM {{ ref('int_write_offs') }} WHERE amount IS NULL
  UNION ALL
  SELECT 'month end' AS what, currency, as_of_date AS needed_on, CAST(as_of_date AS VARCHAR) AS id
  FROM {{ ref('ar_open_items') }} WHERE open_amount IS NULL
  UNION ALL
  -- a credit limit kept in another currency, compared with open AR at a month end
  SELECT 'month end' AS what, limit_currency, as_of_date AS needed_on, CAST(as_of_date AS VARCHAR) AS id
  FROM {{ ref('credit_limit_utilisation') }} WHERE credit_limit IS NULL AND credit_limit_original IS NOT NULL
)
SELECT
  concat('no ', currency, ' rate within ', CAST({{ var('fx_lookback_days') }} AS VARCHAR), ' days before ', CAST(min(needed_on) AS VARCHAR)) AS problem,
  currency,
  min(needed_on) AS first_date,
  max(needed_on) AS last_date,
  count(DISTINCT CASE WHEN what = 'document' THEN id END) AS documents,
  count(DISTINCT CASE WHEN what = 'payment' THEN id END) AS payments,
  count(DISTINCT CASE WHEN what = 'month end' THEN id END) AS month_ends
FROM missing
GROUP BY currency
ORDER BY currency
