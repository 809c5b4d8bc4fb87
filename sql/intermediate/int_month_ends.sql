-- Every calendar month from the first dated event (document, payment, write-off, snapshot) to the
-- last one: the as-of dates of the AR marts and the periods of the monthly KPIs.
-- The data end is the last dated event, or the extract date given with `ingest --as-of` when later
-- (var extract_date). A month the data end falls inside, before its last working day, is partial
-- (issue 11): is_complete false,
-- days_elapsed = the days up to the data end (days(P) for a complete month), and its open items are
-- aged at the data end (aged_at), not at a month end the export never reached.
-- A steady ledger feed (invoices, payments, open-item snapshots) that ends more than config
-- freshness.max_lag_days before the freshest of them was exported earlier than the rest (the IBM
-- ledger's invoices stop on 2 December while settlements run to 9 January): the months it stops
-- inside or before are not covered either (covered_until), so they are not complete although the
-- data end is later; their days_elapsed and aged_at still follow the data end. source_freshness
-- flags the same feed as lagging. complete_until (the covered_until of a lagging feed, else the data
-- end) is the one date the weekly and daily marts test their periods against, so a week or day
-- after a lagging feed's end is not complete either, as its month is not.
WITH feeds AS (
  SELECT max(invoice_date) AS last_date FROM {{ ref('stg_invoices') }}
  UNION ALL
  SELECT max(payment_date) AS last_date FROM {{ ref('stg_payments') }}
  UNION ALL
  SELECT max(snapshot_date) AS last_date FROM {{ ref('stg_open_item_snapshots') }}
),
coverage AS (
  SELECT min(CASE WHEN {{ days_between('f.last_date', 'x.freshest_date') }} > {{ var('freshness_max_lag_days') }} THEN f.last_date END) AS covered_until
  FROM feeds f
  CROSS JOIN (SELECT max(last_date) AS freshest_date FROM feeds) x
  WHERE f.last_date IS NOT NULL
),
bounds AS (
  SELECT first_date,
         CASE WHEN {{ var('extract_date') }} IS NOT NULL AND CAST({{ var('extract_date') }} AS DATE) > last_date
              THEN CAST({{ var('extract_date') }} AS DATE) ELSE last_date END AS data_end
  FROM {{ ref('int_ledger_bounds') }}
),
months AS (
  SELECT CAST(s.month_start AS DATE) AS month_start, bounds.data_end
  FROM bounds
  CROSS JOIN UNNEST({{ month_start_sequence('bounds.first_date', 'bounds.data_end') }}) AS s(month_start)
  WHERE bounds.first_date IS NOT NULL
),
dated AS (
  SELECT
    CAST({{ month_end('months.month_start') }} AS DATE) AS as_of_date,
    months.month_start,
    months.data_end,
    (SELECT covered_until FROM coverage) AS covered_until,
    DATE '1970-01-05' AS a_monday,
    -- days(P): calendar days, or 30 under config dso.month_days = 'thirty'
    CAST(CASE {{ var('month_days') }} WHEN 'thirty' THEN 30 ELSE {{ days_in_month('months.month_start') }} END AS INTEGER) AS days_in_month
  FROM months
),
-- A ledger has no events at weekends: an export that ends on the month's last working day (Friday
-- 30 October when the 31st is a Saturday) covers the whole month. Weekday from 5 January 1970, a
-- Monday: 0 = Monday … 6 = Sunday.
closing AS (
  SELECT dated.*,
         CASE ({{ days_between('a_monday', 'as_of_date') }}) % 7
           WHEN 5 THEN {{ add_days('as_of_date', -1) }}
           WHEN 6 THEN {{ add_days('as_of_date', -2) }}
           ELSE as_of_date END AS last_working_day
  FROM dated
)
SELECT
  as_of_date,
  month_start,
  days_in_month,
  data_end,
  covered_until,
  CASE WHEN covered_until IS NOT NULL AND covered_until < data_end THEN covered_until ELSE data_end END AS complete_until,
  CASE WHEN data_end >= last_working_day AND (covered_until IS NULL OR covered_until >= last_working_day) THEN true ELSE false END AS is_complete,
  CAST(CASE WHEN data_end >= last_working_day THEN days_in_month
            WHEN {{ days_between('month_start', 'data_end') }} + 1 > days_in_month THEN days_in_month
            ELSE {{ days_between('month_start', 'data_end') }} + 1 END AS INTEGER) AS days_elapsed,
  CASE WHEN data_end >= last_working_day THEN as_of_date ELSE data_end END AS aged_at
FROM closing
