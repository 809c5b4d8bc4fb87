-- Every calendar month from the first dated event (document, payment, write-off) to the last one:
-- the as-of dates of the AR marts and the periods of the monthly KPIs.
WITH bounds AS (
  SELECT min(event_date) AS first_date, max(event_date) AS last_date
  FROM (
    SELECT invoice_date AS event_date FROM {{ ref('stg_invoices') }}
    UNION ALL
    SELECT payment_date AS event_date FROM {{ ref('stg_payments') }}
    UNION ALL
    SELECT write_off_date AS event_date FROM {{ ref('stg_write_offs') }}
  ) events
),
months AS (
  SELECT CAST(s.month_start AS DATE) AS month_start
  FROM bounds
  CROSS JOIN UNNEST({{ month_start_sequence('bounds.first_date', 'bounds.last_date') }}) AS s(month_start)
  WHERE bounds.first_date IS NOT NULL
)
SELECT
  CAST({{ month_end('months.month_start') }} AS DATE) AS as_of_date,
  months.month_start,
  -- days(P): calendar days, or 30 under config dso.month_days = 'thirty'
  CAST(CASE {{ var('month_days') }} WHEN 'thirty' THEN 30 ELSE {{ days_in_month('months.month_start') }} END AS INTEGER) AS days_in_month
FROM months
