-- The cash forecast is never negative and never expects more than is open: per item, probability
-- in [0, 1], expected amount between 0 and the open amount, expected date after the forecast date;
-- cash_forecast_13w has weeks 1…13 once each, each week the sum of its items in
-- int_cash_forecast_items (the same model the backtest uses), and a running total that adds up.
WITH items AS (
  SELECT * FROM {{ ref('int_cash_forecast_items') }}
),
item_problems AS (
  SELECT forecast_date, document_id AS subject, 'item out of bounds' AS problem,
         CAST(expected_amount AS DOUBLE) AS got, CAST(open_amount AS DOUBLE) AS expected
  FROM items
  WHERE probability < 0 OR probability > 1 OR expected_amount < 0 OR expected_amount > open_amount
     OR expected_date <= forecast_date OR horizon_week < 1
),
f13 AS (
  SELECT * FROM {{ ref('cash_forecast_13w') }}
),
weekly AS (
  SELECT i.forecast_date, i.horizon_week, sum(i.expected_amount) AS expected_receipts, count(*) AS n
  FROM items i
  JOIN (SELECT DISTINCT forecast_date FROM f13) f ON f.forecast_date = i.forecast_date
  WHERE i.horizon_week <= {{ var('cf_weeks') }}
  GROUP BY i.forecast_date, i.horizon_week
),
week_problems AS (
  SELECT f.forecast_date, CAST(f.horizon_week AS VARCHAR) AS subject, 'week differs from its items or is negative' AS problem,
         CAST(f.expected_receipts AS DOUBLE) AS got, CAST(COALESCE(w.expected_receipts, 0) AS DOUBLE) AS expected
  FROM f13 f
  LEFT JOIN weekly w ON w.forecast_date = f.forecast_date AND w.horizon_week = f.horizon_week
  WHERE f.expected_receipts < 0 OR f.open_items_count < 0
     OR f.expected_receipts <> COALESCE(w.expected_receipts, 0) OR f.open_items_count <> COALESCE(w.n, 0)
     OR f.expected_receipts > f.open_amount
),
running AS (
  SELECT forecast_date, horizon_week, cumulative_expected_receipts,
         sum(expected_receipts) OVER (PARTITION BY forecast_date ORDER BY horizon_week ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
  FROM f13
),
shape AS (
  SELECT forecast_date, count(*) AS weeks, count(DISTINCT horizon_week) AS distinct_weeks, min(horizon_week) AS first_week, max(horizon_week) AS last_week
  FROM f13 GROUP BY forecast_date
)
SELECT * FROM item_problems
UNION ALL
SELECT * FROM week_problems
UNION ALL
SELECT forecast_date, CAST(horizon_week AS VARCHAR), 'cumulative does not add up', CAST(cumulative_expected_receipts AS DOUBLE), CAST(running AS DOUBLE)
FROM running WHERE cumulative_expected_receipts <> running
UNION ALL
SELECT forecast_date, 'weeks', 'not weeks 1..13 once each', CAST(weeks AS DOUBLE), CAST({{ var('cf_weeks') }} AS DOUBLE)
FROM shape
WHERE weeks <> {{ var('cf_weeks') }} OR distinct_weeks <> {{ var('cf_weeks') }} OR first_week <> 1 OR last_week <> {{ var('cf_weeks') }}
