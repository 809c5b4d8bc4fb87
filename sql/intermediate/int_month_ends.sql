-- Every calendar month from the first dated event (document, payment, write-off) to the last one:
-- the as-of dates of the AR marts and the periods of the monthly KPIs.
WITH bounds AS (
  SELECT first_date, last_date FROM {{ ref('int_ledger_bounds') }}
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
