-- Cash flow per ISO week (Monday to Sunday) and customer group, with 'ALL' totals: cash received,
-- invoiced, credit notes, credit sales, written off and the net change in AR they imply.
-- Dense from the week of the first event to the week of the last. date_trunc('week', d) is the
-- ISO Monday on DuckDB and Trino alike; the week series is built from a digits relation, not an
-- engine-specific series function (10,000 weeks at most). A week the data end falls in before its
-- Friday (a ledger has no weekend events) is partial: is_complete false, as for the monthly marts;
-- so is a week after a lagging ledger feed's end (int_month_ends.complete_until): a week of
-- collections without its invoices (or the reverse) is not a week's cash flow.
WITH days AS (
  SELECT CAST(date_trunc('week', flow_date) AS DATE) AS week_start, group_by, group_value,
         cash_received, payments_count, invoiced, credit_notes, written_off
  FROM {{ ref('int_cash_flow_days') }}
),
bounds AS (
  SELECT min(week_start) AS first_week, max(week_start) AS last_week FROM days
),
digits AS (
  SELECT d FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(d)
),
week_numbers AS (
  SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d AS n
  FROM digits a CROSS JOIN digits b CROSS JOIN digits c CROSS JOIN digits e
),
weeks AS (
  SELECT {{ add_days('bounds.first_week', '7 * w.n') }} AS week_start
  FROM bounds
  JOIN week_numbers w ON 7 * w.n <= {{ days_between('bounds.first_week', 'bounds.last_week') }}
),
totals AS (
  SELECT week_start, group_by, group_value,
         sum(cash_received) AS cash_received,
         sum(payments_count) AS payments_count,
         sum(invoiced) AS invoiced,
         sum(credit_notes) AS credit_notes,
         sum(written_off) AS written_off
  FROM days
  GROUP BY week_start, group_by, group_value
),
flowed AS (
  SELECT
    w.week_start,
    gv.group_by,
    gv.group_value,
    CAST(COALESCE(t.cash_received, 0) AS DECIMAL(18,2)) AS cash_received,
    CAST(COALESCE(t.payments_count, 0) AS BIGINT) AS payments_count,
    CAST(COALESCE(t.invoiced, 0) AS DECIMAL(18,2)) AS invoiced,
    CAST(COALESCE(t.credit_notes, 0) AS DECIMAL(18,2)) AS credit_notes,
    CAST(COALESCE(t.written_off, 0) AS DECIMAL(18,2)) AS written_off
  FROM weeks w
  CROSS JOIN {{ ref('int_group_values') }} gv
  LEFT JOIN totals t ON t.week_start = w.week_start AND t.group_by = gv.group_by AND t.group_value = gv.group_value
),
labelled AS (
  -- The ISO week belongs to the year of its Thursday; its number counts Thursdays in that year.
  SELECT flowed.*, {{ add_days('flowed.week_start', 3) }} AS thursday FROM flowed
)
SELECT
  week_start,
  {{ add_days('week_start', 6) }} AS week_end,
  CAST(extract(year FROM thursday) AS INTEGER) AS iso_year,
  CAST({{ int_div('extract(doy FROM thursday) - 1', 7) }} + 1 AS INTEGER) AS iso_week,
  group_by,
  group_value,
  CASE WHEN group_by IN ('segment', 'ALL') THEN group_value END AS segment,
  cash_received,
  payments_count,
  invoiced,
  credit_notes,
  CAST(invoiced + credit_notes AS DECIMAL(18,2)) AS credit_sales,
  written_off,
  CAST(invoiced + credit_notes - cash_received - written_off AS DECIMAL(18,2)) AS net_change_ar,
  COALESCE({{ add_days('week_start', 4) }} <= (SELECT max(complete_until) FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM labelled
ORDER BY week_start, group_by, group_value
