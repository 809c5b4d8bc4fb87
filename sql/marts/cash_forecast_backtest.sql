-- Backtest of the 13-week cash forecast: the forecast of int_cash_forecast_items made at every past
-- month end F with 13 full weeks of data after it, against the cash actually received on the items
-- open at F in each of those weeks (payment allocations, int_item_receipts). Error = forecast −
-- actual; the horizon_* columns summarise each horizon week over all forecast dates (MAPE, WAPE,
-- bias), overall_wape all weeks of all forecasts.
WITH data_end AS (
  SELECT last_date FROM {{ ref('int_ledger_bounds') }}
),
candidates AS (
  SELECT m.as_of_date AS forecast_date, 7 * {{ var('cf_weeks') }} AS span_days
  FROM {{ ref('int_month_ends') }} m
),
forecast_dates AS (
  SELECT c.forecast_date
  FROM candidates c
  CROSS JOIN data_end e
  WHERE {{ add_days('c.forecast_date', 'c.span_days') }} <= e.last_date
),
items AS (
  SELECT i.*
  FROM {{ ref('int_cash_forecast_items') }} i
  JOIN forecast_dates f ON f.forecast_date = i.forecast_date
),
forecast AS (
  SELECT forecast_date, horizon_week, sum(expected_amount) AS forecast
  FROM items
  WHERE horizon_week <= {{ var('cf_weeks') }}
  GROUP BY forecast_date, horizon_week
),
received AS (
  SELECT i.forecast_date, r.amount,
         {{ days_between('i.forecast_date', 'r.receipt_date') }} AS days_after
  FROM items i
  JOIN {{ ref('int_item_receipts') }} r ON r.document_id = i.document_id AND r.receipt_date > i.forecast_date
),
actual AS (
  SELECT forecast_date, CAST({{ int_div('days_after - 1', 7) }} + 1 AS INTEGER) AS horizon_week, sum(amount) AS actual
  FROM received
  WHERE days_after <= 7 * {{ var('cf_weeks') }}
  GROUP BY forecast_date, CAST({{ int_div('days_after - 1', 7) }} + 1 AS INTEGER)
),
compared AS (
  SELECT
    f.forecast_date,
    h.horizon_week,
    7 * (h.horizon_week - 1) + 1 AS first_day,
    7 * h.horizon_week AS last_day,
    CAST(COALESCE(fc.forecast, 0) AS DECIMAL(18,2)) AS forecast,
    CAST(COALESCE(a.actual, 0) AS DECIMAL(18,2)) AS actual
  FROM forecast_dates f
  CROSS JOIN {{ ref('int_forecast_horizons') }} h
  LEFT JOIN forecast fc ON fc.forecast_date = f.forecast_date AND fc.horizon_week = h.horizon_week
  LEFT JOIN actual a ON a.forecast_date = f.forecast_date AND a.horizon_week = h.horizon_week
),
errors AS (
  SELECT
    compared.*,
    CAST(forecast - actual AS DECIMAL(18,2)) AS error,
    CAST(CASE WHEN forecast >= actual THEN forecast - actual ELSE actual - forecast END AS DECIMAL(18,2)) AS abs_error
  FROM compared
)
SELECT
  forecast_date,
  CAST(horizon_week AS INTEGER) AS horizon_week,
  {{ add_days('forecast_date', 'first_day') }} AS week_start,
  {{ add_days('forecast_date', 'last_day') }} AS week_end,
  forecast,
  actual,
  error,
  abs_error,
  CASE WHEN actual > 0 THEN {{ ratio('abs_error', 'actual') }} * 100 END AS ape,
  CAST(count(*) OVER (PARTITION BY horizon_week) AS INTEGER) AS horizon_forecasts,
  avg(CASE WHEN actual > 0 THEN {{ ratio('abs_error', 'actual') }} * 100 END) OVER (PARTITION BY horizon_week) AS horizon_mape,
  {{ ratio('sum(abs_error) OVER (PARTITION BY horizon_week)', 'sum(actual) OVER (PARTITION BY horizon_week)') }} * 100 AS horizon_wape,
  {{ ratio('sum(error) OVER (PARTITION BY horizon_week)', 'sum(actual) OVER (PARTITION BY horizon_week)') }} * 100 AS horizon_bias,
  {{ ratio('sum(abs_error) OVER ()', 'sum(actual) OVER ()') }} * 100 AS overall_wape,
  {{ var('cf_method') }} AS method
FROM errors
ORDER BY forecast_date, horizon_week
