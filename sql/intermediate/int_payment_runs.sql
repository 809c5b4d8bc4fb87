-- Each customer's payment run as seen at every month end F (for the cash forecast): over its payment
-- days in the config lookback months up to F, a monthly run when at least payment_run_share of them
-- fall in one 3-day window of the month (day d, d+1 or d+2: a run on the 25th that moves to Monday
-- after a weekend), else a weekly run when that share falls on one weekday. Needs min_history payment
-- days. Weekdays count from Monday = 0 (1900-01-01 was a Monday).
-- A customer's payment days are the days cash came in for it (int_payment_customers): a subsidiary
-- whose invoices its parent pays follows the parent's run, and the parent's own run holds only what
-- it paid for itself.
-- Cost: every payment day is counted once, into its customer's month; each month end then sums the
-- months of its lookback (customer-months x the lookback's months, a fixed number of packed columns
-- each). Before, every payment day was grouped and ranked at every month end of its lookback (payment
-- days x 12 rows through three group-bys and three windows: 7.4-7.8 CPU-s at 1M invoices, now about a
-- quarter). test/unit/payment-runs.test.ts proves the two give the same rows.
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
-- Per customer and month: payment days in all, and packed three decimal digits to a day, five days
-- to a column (day 5k + 1 + i at 1000^i of column k), the payment days on each day of the month
-- (cp0 … cp6), in the 3-day window starting on each day (rp0 … rp6: a payment on day x counts for the
-- windows starting on x - 2, x - 1 and x) and on each weekday (wp0: Monday … Friday, wp1: Saturday,
-- Sunday). Sums of packed columns are the packed sums as long as no count reaches 1000: a count is
-- at most the months of a lookback (config: at most 120, plus one when F is 28 February after a leap
-- year) times 5 (a weekday) or 3 (a window). Packed, the month ends below sum 17 columns instead of
-- 70, and every packed value stays below 10^15, exact in a DOUBLE (the unpacking divides by one).
months AS (
  SELECT
    customer_id,
    pay_month,
    count(*) AS days,
    {{ for_numbers(0, 6, 'sum(CASE WHEN day_of_month BETWEEN 5 * # + 1 AND 5 * # + 5 THEN CAST(round(power(1000, day_of_month - 1 - 5 * #)) AS BIGINT) ELSE 0 END) AS cp#', ',
    ') }},
    {{ for_numbers(0, 6, 'sum(CASE WHEN day_of_month BETWEEN 5 * # + 1 AND 5 * # + 5 THEN CAST(round(power(1000, day_of_month - 1 - 5 * #)) AS BIGINT) ELSE 0 END + CASE WHEN day_of_month - 1 BETWEEN 5 * # + 1 AND 5 * # + 5 THEN CAST(round(power(1000, day_of_month - 2 - 5 * #)) AS BIGINT) ELSE 0 END + CASE WHEN day_of_month - 2 BETWEEN 5 * # + 1 AND 5 * # + 5 THEN CAST(round(power(1000, day_of_month - 3 - 5 * #)) AS BIGINT) ELSE 0 END) AS rp#', ',
    ') }},
    sum(CASE WHEN weekday <= 4 THEN CAST(round(power(1000, weekday)) AS BIGINT) ELSE 0 END) AS wp0,
    sum(CASE WHEN weekday >= 5 THEN CAST(round(power(1000, weekday - 5)) AS BIGINT) ELSE 0 END) AS wp1
  FROM pay_days
  GROUP BY customer_id, pay_month
),
month_list AS (SELECT DISTINCT pay_month FROM pay_days),
-- The months with payments in the lookback of each month end F: after history_after, up to F.
lookback_months AS (
  SELECT w.forecast_date, l.pay_month
  FROM windows w
  JOIN month_list l ON l.pay_month <= w.forecast_date AND l.pay_month > w.history_after
),
summed AS (
  SELECT
    lm.forecast_date,
    m.customer_id,
    sum(m.days) AS days,
    {{ for_numbers(0, 6, 'CAST(sum(m.cp#) AS BIGINT) AS cp#') }},
    {{ for_numbers(0, 6, 'CAST(sum(m.rp#) AS BIGINT) AS rp#') }},
    CAST(sum(m.wp0) AS BIGINT) AS wp0,
    CAST(sum(m.wp1) AS BIGINT) AS wp1
  FROM lookback_months lm
  JOIN months m ON m.pay_month = lm.pay_month
  GROUP BY lm.forecast_date, m.customer_id
),
-- Unpacked: r1 … r31 the payment days in the window starting on that day, NULL when the customer did
-- not pay on that day itself (a window starts on a payment day); wd0 … wd6 per weekday.
counted AS (
  SELECT
    forecast_date,
    customer_id,
    days,
    {{ for_numbers(1, 5, 'CASE WHEN cp0 % CAST(round(power(1000, # - 0)) AS BIGINT) >= CAST(round(power(1000, # - 1)) AS BIGINT) THEN CAST(round((rp0 % CAST(round(power(1000, # - 0)) AS BIGINT) - rp0 % CAST(round(power(1000, # - 1)) AS BIGINT)) * power(1000, 0 - (# - 1))) AS BIGINT) END AS r#') }},
    {{ for_numbers(6, 10, 'CASE WHEN cp1 % CAST(round(power(1000, # - 5)) AS BIGINT) >= CAST(round(power(1000, # - 6)) AS BIGINT) THEN CAST(round((rp1 % CAST(round(power(1000, # - 5)) AS BIGINT) - rp1 % CAST(round(power(1000, # - 6)) AS BIGINT)) * power(1000, 0 - (# - 6))) AS BIGINT) END AS r#') }},
    {{ for_numbers(11, 15, 'CASE WHEN cp2 % CAST(round(power(1000, # - 10)) AS BIGINT) >= CAST(round(power(1000, # - 11)) AS BIGINT) THEN CAST(round((rp2 % CAST(round(power(1000, # - 10)) AS BIGINT) - rp2 % CAST(round(power(1000, # - 11)) AS BIGINT)) * power(1000, 0 - (# - 11))) AS BIGINT) END AS r#') }},
    {{ for_numbers(16, 20, 'CASE WHEN cp3 % CAST(round(power(1000, # - 15)) AS BIGINT) >= CAST(round(power(1000, # - 16)) AS BIGINT) THEN CAST(round((rp3 % CAST(round(power(1000, # - 15)) AS BIGINT) - rp3 % CAST(round(power(1000, # - 16)) AS BIGINT)) * power(1000, 0 - (# - 16))) AS BIGINT) END AS r#') }},
    {{ for_numbers(21, 25, 'CASE WHEN cp4 % CAST(round(power(1000, # - 20)) AS BIGINT) >= CAST(round(power(1000, # - 21)) AS BIGINT) THEN CAST(round((rp4 % CAST(round(power(1000, # - 20)) AS BIGINT) - rp4 % CAST(round(power(1000, # - 21)) AS BIGINT)) * power(1000, 0 - (# - 21))) AS BIGINT) END AS r#') }},
    {{ for_numbers(26, 30, 'CASE WHEN cp5 % CAST(round(power(1000, # - 25)) AS BIGINT) >= CAST(round(power(1000, # - 26)) AS BIGINT) THEN CAST(round((rp5 % CAST(round(power(1000, # - 25)) AS BIGINT) - rp5 % CAST(round(power(1000, # - 26)) AS BIGINT)) * power(1000, 0 - (# - 26))) AS BIGINT) END AS r#') }},
    {{ for_numbers(31, 31, 'CASE WHEN cp6 % CAST(round(power(1000, # - 30)) AS BIGINT) >= CAST(round(power(1000, # - 31)) AS BIGINT) THEN CAST(round((rp6 % CAST(round(power(1000, # - 30)) AS BIGINT) - rp6 % CAST(round(power(1000, # - 31)) AS BIGINT)) * power(1000, 0 - (# - 31))) AS BIGINT) END AS r#') }},
    {{ for_numbers(0, 4, 'CAST(round((wp0 % CAST(round(power(1000, # + 1)) AS BIGINT) - wp0 % CAST(round(power(1000, #)) AS BIGINT)) * power(1000, 0 - (#))) AS BIGINT) AS wd#') }},
    {{ for_numbers(5, 6, 'CAST(round((wp1 % CAST(round(power(1000, # - 4)) AS BIGINT) - wp1 % CAST(round(power(1000, # - 5)) AS BIGINT)) * power(1000, 0 - (# - 5))) AS BIGINT) AS wd#') }}
  FROM summed
),
-- The best 3-day window starts on a day the customer paid on (r# is NULL on the others), the
-- earliest of equal ones; the best weekday likewise.
best AS (
  SELECT
    counted.*,
    greatest({{ for_numbers(1, 31, 'COALESCE(r#, -1)') }}) AS run_day_days,
    greatest({{ for_numbers(0, 6, 'wd#') }}) AS weekday_days
  FROM counted
),
judged AS (
  SELECT
    forecast_date,
    customer_id,
    days AS payment_days,
    CAST(CASE {{ for_numbers(1, 31, 'WHEN r# = run_day_days THEN #', ' ') }} END AS INTEGER) AS run_day,
    CAST(CASE {{ for_numbers(0, 6, 'WHEN wd# = weekday_days THEN #', ' ') }} END AS INTEGER) AS weekday,
    CASE WHEN days >= {{ var('cf_min_history') }} AND run_day_days >= {{ var('cf_run_share') }} * days THEN true ELSE false END AS monthly,
    CASE WHEN days >= {{ var('cf_min_history') }} AND weekday_days >= {{ var('cf_run_share') }} * days THEN true ELSE false END AS weekly
  FROM best
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
