-- The horizon weeks of the cash forecast, 1 … var cf_weeks (13; at most 99), from a digits
-- relation rather than an engine-specific series function: shared by cash_forecast_13w and
-- cash_forecast_backtest so both sum the same weeks.
WITH digits AS (
  SELECT d FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(d)
)
SELECT a.d + 10 * b.d AS horizon_week
FROM digits a CROSS JOIN digits b
WHERE a.d + 10 * b.d BETWEEN 1 AND {{ var('cf_weeks') }}
