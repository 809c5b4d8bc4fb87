-- The backtest is internally consistent and tests the forecast's own numbers: error = forecast −
-- actual and abs_error = |error| to the cent; forecast equals the sum of int_cash_forecast_items for
-- that date and week; actual equals the receipts (int_item_receipts) in the week on the items open
-- at the forecast date, never negative in total; the horizon and overall WAPE recompute from the rows.
WITH bt AS (
  SELECT * FROM {{ ref('cash_forecast_backtest') }}
),
items AS (
  SELECT i.*
  FROM {{ ref('int_cash_forecast_items') }} i
  JOIN (SELECT DISTINCT forecast_date FROM bt) f ON f.forecast_date = i.forecast_date
),
fc AS (
  SELECT forecast_date, horizon_week, sum(expected_amount) AS forecast
  FROM items GROUP BY forecast_date, horizon_week
),
ac AS (
  SELECT i.forecast_date, r.receipt_date, r.amount
  FROM items i
  JOIN {{ ref('int_item_receipts') }} r ON r.document_id = i.document_id AND r.receipt_date > i.forecast_date
),
ac_weeks AS (
  SELECT b.forecast_date, b.horizon_week, sum(ac.amount) AS actual
  FROM bt b
  JOIN ac ON ac.forecast_date = b.forecast_date AND ac.receipt_date BETWEEN b.week_start AND b.week_end
  GROUP BY b.forecast_date, b.horizon_week
),
horizon AS (
  SELECT horizon_week, {{ ratio('sum(abs_error)', 'sum(actual)') }} * 100 AS wape
  FROM bt GROUP BY horizon_week
),
overall AS (
  SELECT {{ ratio('sum(abs_error)', 'sum(actual)') }} * 100 AS wape FROM bt
)
SELECT b.forecast_date, b.horizon_week, 'row arithmetic' AS problem, CAST(b.error AS DOUBLE) AS got, CAST(b.forecast - b.actual AS DOUBLE) AS expected
FROM bt b
WHERE b.error <> b.forecast - b.actual OR b.abs_error <> abs(b.forecast - b.actual) OR b.forecast < 0
UNION ALL
SELECT b.forecast_date, b.horizon_week, 'forecast is not the forecast model''s', CAST(b.forecast AS DOUBLE), CAST(COALESCE(f.forecast, 0) AS DOUBLE)
FROM bt b LEFT JOIN fc f ON f.forecast_date = b.forecast_date AND f.horizon_week = b.horizon_week
WHERE b.forecast <> COALESCE(f.forecast, 0)
UNION ALL
SELECT b.forecast_date, b.horizon_week, 'actual is not the receipts of the week', CAST(b.actual AS DOUBLE), CAST(COALESCE(a.actual, 0) AS DOUBLE)
FROM bt b LEFT JOIN ac_weeks a ON a.forecast_date = b.forecast_date AND a.horizon_week = b.horizon_week
WHERE b.actual <> COALESCE(a.actual, 0)
UNION ALL
SELECT b.forecast_date, b.horizon_week, 'horizon or overall WAPE does not recompute', b.horizon_wape, h.wape
FROM bt b
JOIN horizon h ON h.horizon_week = b.horizon_week
CROSS JOIN overall o
WHERE abs(COALESCE(b.horizon_wape, -1) - COALESCE(h.wape, -1)) > 1e-9 OR abs(COALESCE(b.overall_wape, -1) - COALESCE(o.wape, -1)) > 1e-9
