-- Expected receipts in each of the 13 weeks after the forecast date: the last month end in the data,
-- or the last one on or before config cash_forecast.as_of. Week k covers F + 7(k−1) + 1 … F + 7k.
-- The method lives in int_cash_forecast_items (docs/metrics.md, "cash_forecast_13w"); this mart
-- only picks the forecast date and sums per week, so cash_forecast_backtest tests the same numbers.
WITH chosen AS (
  SELECT max(as_of_date) AS forecast_date
  FROM {{ ref('int_month_ends') }}
  WHERE as_of_date <= CAST({{ var('cf_as_of') }} AS DATE)
),
frame AS (
  SELECT c.forecast_date, h.horizon_week, 7 * (h.horizon_week - 1) + 1 AS first_day, 7 * h.horizon_week AS last_day
  FROM chosen c
  CROSS JOIN {{ ref('int_forecast_horizons') }} h
  WHERE c.forecast_date IS NOT NULL
),
weekly AS (
  SELECT i.forecast_date, i.horizon_week,
         sum(i.expected_amount) AS expected_receipts,
         sum(i.open_amount) AS open_amount,
         count(*) AS open_items_count
  FROM {{ ref('int_cash_forecast_items') }} i
  JOIN chosen c ON c.forecast_date = i.forecast_date
  WHERE i.horizon_week <= {{ var('cf_weeks') }}
  GROUP BY i.forecast_date, i.horizon_week
),
filled AS (
  SELECT
    f.forecast_date,
    f.horizon_week,
    {{ add_days('f.forecast_date', 'f.first_day') }} AS week_start,
    {{ add_days('f.forecast_date', 'f.last_day') }} AS week_end,
    CAST(COALESCE(w.expected_receipts, 0) AS DECIMAL(18,2)) AS expected_receipts,
    CAST(COALESCE(w.open_amount, 0) AS DECIMAL(18,2)) AS open_amount,
    CAST(COALESCE(w.open_items_count, 0) AS BIGINT) AS open_items_count
  FROM frame f
  LEFT JOIN weekly w ON w.forecast_date = f.forecast_date AND w.horizon_week = f.horizon_week
)
SELECT
  forecast_date,
  CAST(horizon_week AS INTEGER) AS horizon_week,
  week_start,
  week_end,
  expected_receipts,
  CAST(sum(expected_receipts) OVER (ORDER BY horizon_week ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DECIMAL(18,2)) AS cumulative_expected_receipts,
  open_items_count,
  open_amount,
  {{ var('cf_method') }} AS method
FROM filled
ORDER BY horizon_week
