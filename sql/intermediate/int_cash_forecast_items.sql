-- The cash forecast, item by item, as of EVERY month end (docs/metrics.md, "cash_forecast_13w"):
-- cash_forecast_13w keeps the latest forecast date, cash_forecast_backtest the ones with 13 weeks of
-- history after them, so the backtest tests exactly the method that produces the forecast.
-- Only information dated on or before the forecast date F is used.
--   1. Open items at F: positive open documents of ar_open_items (unapplied cash and open credit
--      notes are not receipts to expect).
--   2. Delay: the customer's amount-weighted mean of (payment date − due date) over payments allocated
--      to its invoices in the config lookback months up to F, when it has min_history such payments;
--      else its segment's; else the portfolio's; else 0 (pays on the due date).
--   3. Expected date: due date + delay rounded to whole days; an item already past that date at F is
--      expected overdue_catchup_days after F. With a payment run (int_payment_runs) the date moves
--      to the nearest run day after F: the run's day of the month (or the month's last day), a
--      weekend moving to Monday, or the run's weekday; ties go to the later day.
--   4. Probability: 0 … 1. stopped_paying_probability for a customer that paid nothing in the last
--      stopped_paying_days and has an item more than stopped_paying_days past due; else
--      stale_probability for an item more than stale_after_days past due; else 1.
--   5. Expected amount = open amount × probability, in cents; horizon week k covers the days
--      F + 7(k−1) + 1 … F + 7k.
WITH forecast_dates AS (
  SELECT as_of_date AS forecast_date, 0 - {{ var('cf_lookback_months') }} AS lookback_shift
  FROM {{ ref('int_month_ends') }}
),
history_windows AS (
  SELECT forecast_date, {{ add_months('forecast_date', 'lookback_shift') }} AS history_after
  FROM forecast_dates
),
open_items AS (
  SELECT
    o.as_of_date AS forecast_date,
    o.document_id,
    o.customer_id,
    o.due_date,
    o.open_amount,
    CAST({{ days_between('o.due_date', 'o.as_of_date') }} AS INTEGER) AS days_past_due
  FROM {{ ref('ar_open_items') }} o
  WHERE o.document_type <> 'unapplied_cash' AND o.open_amount > 0
),
segments AS (
  SELECT customer_id, group_value AS segment
  FROM {{ ref('int_customer_groups') }}
  WHERE group_by = 'segment'
),
-- Paid history per customer and month of payment, weighted in cents so the mean is exact.
receipts AS (
  SELECT
    r.customer_id,
    CAST({{ month_end('r.receipt_date') }} AS DATE) AS paid_month,
    CAST(r.amount * 100 AS BIGINT) AS cents,
    CAST({{ days_between('r.due_date', 'r.receipt_date') }} AS BIGINT) AS days_after_due
  FROM {{ ref('int_item_receipts') }} r
  WHERE r.document_type = 'invoice' AND r.amount > 0
),
paid_months AS (
  SELECT customer_id, paid_month,
         sum(cents * days_after_due) AS weighted_cent_days, sum(cents) AS paid_cents, count(*) AS paid_count
  FROM receipts
  GROUP BY customer_id, paid_month
),
customer_history AS (
  SELECT w.forecast_date, m.customer_id,
         sum(m.weighted_cent_days) AS weighted_cent_days, sum(m.paid_cents) AS paid_cents, sum(m.paid_count) AS paid_count
  FROM history_windows w
  JOIN paid_months m ON m.paid_month <= w.forecast_date AND m.paid_month > w.history_after
  GROUP BY w.forecast_date, m.customer_id
),
segment_history AS (
  SELECT h.forecast_date, COALESCE(s.segment, 'unknown') AS segment,
         sum(h.weighted_cent_days) AS weighted_cent_days, sum(h.paid_cents) AS paid_cents, sum(h.paid_count) AS paid_count
  FROM customer_history h
  LEFT JOIN segments s ON s.customer_id = h.customer_id
  GROUP BY h.forecast_date, COALESCE(s.segment, 'unknown')
),
portfolio_history AS (
  SELECT forecast_date,
         sum(weighted_cent_days) AS weighted_cent_days, sum(paid_cents) AS paid_cents, sum(paid_count) AS paid_count
  FROM customer_history
  GROUP BY forecast_date
),
-- Latest payment of each customer on or before F: per month of payment, valid until the next one.
-- Cash paid for the customer counts (int_payment_customers): a subsidiary whose parent pays its
-- invoices has not stopped paying.
payment_months AS (
  SELECT customer_id, CAST({{ month_end('payment_date') }} AS DATE) AS pay_month, max(payment_date) AS last_payment
  FROM {{ ref('int_payment_customers') }}
  GROUP BY customer_id, CAST({{ month_end('payment_date') }} AS DATE)
),
payment_ranges AS (
  SELECT customer_id, pay_month AS valid_from, last_payment,
         COALESCE(lead(pay_month) OVER (PARTITION BY customer_id ORDER BY pay_month), DATE '9999-12-31') AS valid_until
  FROM payment_months
),
customer_state AS (
  SELECT o.forecast_date, o.customer_id, max(o.days_past_due) AS oldest_days_past_due, max(r.last_payment) AS last_payment
  FROM open_items o
  LEFT JOIN payment_ranges r
    ON r.customer_id = o.customer_id AND o.forecast_date >= r.valid_from AND o.forecast_date < r.valid_until
  GROUP BY o.forecast_date, o.customer_id
),
stopped AS (
  SELECT forecast_date, customer_id, last_payment,
         CASE WHEN oldest_days_past_due > {{ var('cf_stopped_days') }}
                   AND (last_payment IS NULL
                        OR {{ days_between('last_payment', 'forecast_date') }} > {{ var('cf_stopped_days') }})
              THEN true ELSE false END AS stopped_paying
  FROM customer_state
),
behaviour AS (
  SELECT
    o.forecast_date,
    o.document_id,
    o.customer_id,
    COALESCE(s.segment, 'unknown') AS segment,
    o.due_date,
    o.open_amount,
    o.days_past_due,
    CASE
      WHEN ch.paid_count >= {{ var('cf_min_history') }} THEN 'customer'
      WHEN sh.paid_count >= {{ var('cf_min_history') }} THEN 'segment'
      WHEN ph.paid_count >= 1 THEN 'portfolio'
      ELSE 'terms'
    END AS delay_basis,
    CASE
      WHEN ch.paid_count >= {{ var('cf_min_history') }} THEN {{ ratio('ch.weighted_cent_days', 'ch.paid_cents') }}
      WHEN sh.paid_count >= {{ var('cf_min_history') }} THEN {{ ratio('sh.weighted_cent_days', 'sh.paid_cents') }}
      WHEN ph.paid_count >= 1 THEN {{ ratio('ph.weighted_cent_days', 'ph.paid_cents') }}
      ELSE CAST(0 AS DOUBLE)
    END AS expected_delay_days,
    st.stopped_paying
  FROM open_items o
  LEFT JOIN segments s ON s.customer_id = o.customer_id
  LEFT JOIN customer_history ch ON ch.forecast_date = o.forecast_date AND ch.customer_id = o.customer_id
  LEFT JOIN segment_history sh ON sh.forecast_date = o.forecast_date AND sh.segment = COALESCE(s.segment, 'unknown')
  LEFT JOIN portfolio_history ph ON ph.forecast_date = o.forecast_date
  JOIN stopped st ON st.forecast_date = o.forecast_date AND st.customer_id = o.customer_id
),
dated AS (
  SELECT
    behaviour.*,
    {{ add_days('due_date', 'round(expected_delay_days)') }} AS habit_date,
    {{ var('cf_catchup_days') }} AS catchup_days,
    CAST(CASE
      WHEN stopped_paying THEN {{ var('cf_stopped_probability') }}
      WHEN days_past_due > {{ var('cf_stale_after_days') }} THEN {{ var('cf_stale_probability') }}
      ELSE 1
    END AS DECIMAL(5,4)) AS probability
  FROM behaviour
),
raw_dates AS (
  SELECT
    dated.*,
    CASE WHEN habit_date > forecast_date THEN habit_date ELSE {{ add_days('forecast_date', 'catchup_days') }} END AS raw_date
  FROM dated
),
with_runs AS (
  SELECT
    r.*,
    p.run_kind,
    p.run_day_of_month,
    p.run_weekday,
    CAST({{ month_start('r.raw_date') }} AS DATE) AS raw_month,
    CAST({{ days_between('DATE ''1900-01-01''', 'r.raw_date') }} % 7 AS INTEGER) AS raw_weekday
  FROM raw_dates r
  LEFT JOIN {{ ref('int_payment_runs') }} p ON p.forecast_date = r.forecast_date AND p.customer_id = r.customer_id
),
-- The nearest run day to raw_date, worked out in the item's own row (the candidate dates as columns,
-- not candidate rows ranked per item and joined back: a third of this model's CPU at 1M invoices): a
-- monthly run's day in raw_date's month and in the months before and after (the month's last day
-- when shorter; a Saturday or Sunday paid the Monday after), or a weekly run's weekday in the week
-- before raw_date and the week from it. The first after F wins, then the nearest to raw_date, then
-- the later one: the smallest key.
run_months AS (
  SELECT
    with_runs.*,
    {{ add_months('raw_month', -1) }} AS month_a,
    {{ add_months('raw_month', 1) }} AS month_c,
    (run_weekday - raw_weekday + 7) % 7 AS weekday_shift
  FROM with_runs
),
run_day_index AS (
  SELECT
    run_months.*,
    CASE WHEN run_day_of_month > {{ days_in_month('month_a') }} THEN {{ days_in_month('month_a') }} ELSE run_day_of_month END - 1 AS day_a,
    CASE WHEN run_day_of_month > {{ days_in_month('raw_month') }} THEN {{ days_in_month('raw_month') }} ELSE run_day_of_month END - 1 AS day_b,
    CASE WHEN run_day_of_month > {{ days_in_month('month_c') }} THEN {{ days_in_month('month_c') }} ELSE run_day_of_month END - 1 AS day_c
  FROM run_months
),
run_dates AS (
  SELECT
    run_day_index.*,
    {{ add_days('month_a', 'day_a') }} AS run_a,
    {{ add_days('raw_month', 'day_b') }} AS run_b,
    {{ add_days('month_c', 'day_c') }} AS run_c
  FROM run_day_index
),
run_shifts AS (
  SELECT
    run_dates.*,
    CASE {{ days_between('DATE ''1900-01-01''', 'run_a') }} % 7 WHEN 5 THEN 2 WHEN 6 THEN 1 ELSE 0 END AS weekend_a,
    CASE {{ days_between('DATE ''1900-01-01''', 'run_b') }} % 7 WHEN 5 THEN 2 WHEN 6 THEN 1 ELSE 0 END AS weekend_b,
    CASE {{ days_between('DATE ''1900-01-01''', 'run_c') }} % 7 WHEN 5 THEN 2 WHEN 6 THEN 1 ELSE 0 END AS weekend_c
  FROM run_dates
),
candidates AS (
  SELECT
    run_shifts.*,
    CASE WHEN run_kind = 'monthly' THEN {{ add_days('run_a', 'weekend_a') }}
         WHEN run_kind = 'weekly' THEN {{ add_days('raw_date', 'weekday_shift - 7') }} END AS candidate_a,
    CASE WHEN run_kind = 'monthly' THEN {{ add_days('run_b', 'weekend_b') }}
         WHEN run_kind = 'weekly' THEN {{ add_days('raw_date', 'weekday_shift') }} END AS candidate_b,
    CASE WHEN run_kind = 'monthly' THEN {{ add_days('run_c', 'weekend_c') }} END AS candidate_c
  FROM run_shifts
),
keyed AS (
  SELECT
    candidates.*,
    CASE WHEN candidate_a > forecast_date THEN 0 ELSE 100000000 END + abs({{ days_between('raw_date', 'candidate_a') }}) * 10000 + 5000 - {{ days_between('raw_date', 'candidate_a') }} AS key_a,
    CASE WHEN candidate_b > forecast_date THEN 0 ELSE 100000000 END + abs({{ days_between('raw_date', 'candidate_b') }}) * 10000 + 5000 - {{ days_between('raw_date', 'candidate_b') }} AS key_b,
    CASE WHEN candidate_c > forecast_date THEN 0 ELSE 100000000 END + abs({{ days_between('raw_date', 'candidate_c') }}) * 10000 + 5000 - {{ days_between('raw_date', 'candidate_c') }} AS key_c
  FROM candidates
),
expected AS (
  SELECT
    keyed.*,
    CASE WHEN run_kind IS NULL THEN raw_date
         WHEN key_a <= COALESCE(key_b, 1000000000) AND key_a <= COALESCE(key_c, 1000000000) THEN candidate_a
         WHEN key_b <= COALESCE(key_c, 1000000000) THEN candidate_b
         ELSE candidate_c END AS expected_date
  FROM keyed
)
SELECT
  forecast_date,
  document_id,
  customer_id,
  segment,
  due_date,
  open_amount,
  days_past_due,
  delay_basis,
  expected_delay_days,
  habit_date,
  run_kind,
  raw_date,
  expected_date,
  CAST({{ int_div('days_ahead - 1', 7) }} + 1 AS INTEGER) AS horizon_week,
  stopped_paying,
  probability,
  CAST(open_amount * probability AS DECIMAL(18,2)) AS expected_amount
FROM (
  SELECT expected.*, {{ days_between('forecast_date', 'expected_date') }} AS days_ahead FROM expected
) e
