-- Disputes per month and reason, with 'ALL' totals (docs/metrics.md, "Disputes"): how many were
-- opened and resolved in the month and for how much, how long the resolved ones took (days from
-- opened_date to resolved_date), how many ended in a credit note (the customer was right), and the
-- dispute register at the month end (open = opened on or before it, not resolved by it). Amounts
-- are in the reporting currency at the disputed document's rate (int_disputes). Dense: every reason
-- seen appears every month, with zeros.
WITH disputes AS (
  SELECT dispute_id, reason, opened_date, resolved_date, outcome, disputed_amount, days_to_resolve,
         CAST({{ month_start('opened_date') }} AS DATE) AS opened_month,
         CAST(CASE WHEN resolved_date IS NOT NULL THEN {{ month_start('resolved_date') }} END AS DATE) AS resolved_month
  FROM {{ ref('int_disputes') }}
),
by_reason AS (
  SELECT reason, dispute_id, opened_date, resolved_date, outcome, disputed_amount, days_to_resolve, opened_month, resolved_month FROM disputes
  UNION ALL
  SELECT 'ALL' AS reason, dispute_id, opened_date, resolved_date, outcome, disputed_amount, days_to_resolve, opened_month, resolved_month FROM disputes
),
opened AS (
  SELECT opened_month AS month_start, reason, count(*) AS n, sum(disputed_amount) AS amount
  FROM by_reason
  GROUP BY opened_month, reason
),
resolved AS (
  SELECT resolved_month AS month_start, reason, count(*) AS n, sum(disputed_amount) AS amount,
         sum(CASE WHEN outcome IN ('credited', 'partially_credited') THEN 1 ELSE 0 END) AS credited,
         sum(days_to_resolve) AS sum_days, max(days_to_resolve) AS max_days
  FROM by_reason
  WHERE resolved_month IS NOT NULL
  GROUP BY resolved_month, reason
),
open_at_end AS (
  SELECT m.as_of_date, d.reason, count(*) AS n, sum(d.disputed_amount) AS amount
  FROM by_reason d
  JOIN {{ ref('int_month_ends') }} m
    ON d.opened_date <= m.as_of_date AND (d.resolved_date IS NULL OR d.resolved_date > m.as_of_date)
  GROUP BY m.as_of_date, d.reason
),
frame AS (
  SELECT m.month_start, m.as_of_date AS month_end, r.reason
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN (SELECT DISTINCT reason FROM by_reason UNION SELECT 'ALL' AS reason) r
)
SELECT
  f.month_start AS month,
  f.month_end,
  f.reason,
  CAST(COALESCE(o.n, 0) AS BIGINT) AS disputes_opened,
  CAST(COALESCE(o.amount, 0) AS DECIMAL(18,2)) AS amount_opened,
  CAST(COALESCE(r.n, 0) AS BIGINT) AS disputes_resolved,
  CAST(COALESCE(r.amount, 0) AS DECIMAL(18,2)) AS amount_resolved,
  CAST(COALESCE(r.credited, 0) AS BIGINT) AS resolved_by_credit,
  {{ ratio('r.sum_days', 'r.n') }} AS mean_days_to_resolve,
  CAST(r.max_days AS INTEGER) AS max_days_to_resolve,
  CAST(COALESCE(e.n, 0) AS BIGINT) AS open_disputes,
  CAST(COALESCE(e.amount, 0) AS DECIMAL(18,2)) AS open_disputed_amount,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(f.month_end < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM frame f
LEFT JOIN opened o ON o.month_start = f.month_start AND o.reason = f.reason
LEFT JOIN resolved r ON r.month_start = f.month_start AND r.reason = f.reason
LEFT JOIN open_at_end e ON e.as_of_date = f.month_end AND e.reason = f.reason
ORDER BY f.month_start, f.reason
