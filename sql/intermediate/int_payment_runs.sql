-- Each customer's payment run as seen at every month end F (for the cash forecast): over its payment
-- days in the config lookback months up to F, a monthly run when at least payment_run_share of them
-- fall in one 3-day window of the month (day d, d+1 or d+2: a run on the 25th that moves to Monday
-- after a weekend), else a weekly run when that share falls on one weekday. Needs min_history payment
-- days. Weekdays count from Monday = 0 (1900-01-01 was a Monday).
-- A customer's payment days are the days cash came in for it (int_payment_customers): a subsidiary
-- whose invoices its parent pays follows the parent's run, and the parent's own run holds only what
-- it paid for itself.
WITH windows AS (
  SELECT as_of_date AS forecast_date, {{ add_months('as_of_date', 'lookback_shift') }} AS history_after
  FROM (SELECT as_of_date, 0 - {{ var('cf_lookback_months') }} AS lookback_shift FROM {{ ref('int_month_ends') }}) m
),
pay_days AS (
  SELECT
    customer_id,
    payment_date,
    CAST({{ month_end('payment_date') }} AS DATE) AS pay_month,
    CAST(extract(day FROM payment_date) AS INTEGER) AS day_of_month,
    CAST({{ days_between('DATE ''1900-01-01''', 'payment_date') }} % 7 AS INTEGER) AS weekday
  FROM {{ ref('int_payment_customers') }}
  WHERE amount > 0  -- refunds are not the customer's payment run
  GROUP BY customer_id, payment_date
),
seen AS (
  SELECT w.forecast_date, p.customer_id, p.day_of_month, p.weekday
  FROM windows w
  JOIN pay_days p ON p.pay_month <= w.forecast_date AND p.pay_month > w.history_after
),
totals AS (
  SELECT forecast_date, customer_id, count(*) AS days FROM seen GROUP BY forecast_date, customer_id
),
by_day AS (
  SELECT forecast_date, customer_id, day_of_month, count(*) AS days
  FROM seen GROUP BY forecast_date, customer_id, day_of_month
),
-- Payment days in each 3-day window [d, d+2] of the month, for every day d the customer paid on.
day_windows AS (
  SELECT forecast_date, customer_id, day_of_month AS run_day,
         sum(days) OVER (
           PARTITION BY forecast_date, customer_id ORDER BY day_of_month
           RANGE BETWEEN CURRENT ROW AND 2 FOLLOWING) AS days
  FROM by_day
),
best_day AS (
  SELECT forecast_date, customer_id, run_day, days
  FROM (
    SELECT day_windows.*, row_number() OVER (PARTITION BY forecast_date, customer_id ORDER BY days DESC, run_day) AS pick
    FROM day_windows
  ) x
  WHERE pick = 1
),
by_weekday AS (
  SELECT forecast_date, customer_id, weekday, count(*) AS days
  FROM seen GROUP BY forecast_date, customer_id, weekday
),
best_weekday AS (
  SELECT forecast_date, customer_id, weekday, days
  FROM (
    SELECT by_weekday.*, row_number() OVER (PARTITION BY forecast_date, customer_id ORDER BY days DESC, weekday) AS pick
    FROM by_weekday
  ) x
  WHERE pick = 1
),
judged AS (
  SELECT
    t.forecast_date,
    t.customer_id,
    t.days AS payment_days,
    d.run_day,
    w.weekday,
    CASE WHEN t.days >= {{ var('cf_min_history') }} AND d.days >= {{ var('cf_run_share') }} * t.days THEN true ELSE false END AS monthly,
    CASE WHEN t.days >= {{ var('cf_min_history') }} AND w.days >= {{ var('cf_run_share') }} * t.days THEN true ELSE false END AS weekly
  FROM totals t
  JOIN best_day d ON d.forecast_date = t.forecast_date AND d.customer_id = t.customer_id
  JOIN best_weekday w ON w.forecast_date = t.forecast_date AND w.customer_id = t.customer_id
)
SELECT
  forecast_date,
  customer_id,
  CAST(payment_days AS BIGINT) AS payment_days,
  CASE WHEN monthly THEN 'monthly' WHEN weekly THEN 'weekly' END AS run_kind,
  CASE WHEN monthly THEN run_day END AS run_day_of_month,
  CASE WHEN weekly AND NOT monthly THEN weekday END AS run_weekday
FROM judged
WHERE monthly OR weekly
