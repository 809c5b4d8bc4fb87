-- Open AR per month end and currency: the amounts in each currency beside their value in the
-- reporting currency at the closing rate (ar_open_items), so a credit manager sees the exposure per
-- currency and what the conversion made of it. Unapplied cash is in the reporting currency.
SELECT
  as_of_date,
  currency,
  CAST(count(*) AS BIGINT) AS open_count,
  CAST(sum(open_amount_original) AS DECIMAL(18,2)) AS open_amount_original,
  CAST(sum(open_amount) AS DECIMAL(18,2)) AS open_amount,
  CAST(sum(CASE WHEN open_amount > 0 AND NOT is_current THEN open_amount ELSE 0 END) AS DECIMAL(18,2)) AS overdue_amount,
  {{ var('reporting_currency') }} AS reporting_currency,
  -- ar_open_items.is_complete: false from the first partial month on
  CASE WHEN min(CASE WHEN is_complete THEN 1 ELSE 0 END) = 1 THEN true ELSE false END AS is_complete
FROM {{ ref('ar_open_items') }}
GROUP BY as_of_date, currency
ORDER BY as_of_date, currency
