-- One customer's month ends in one place, for the customer page: the balance against the credit limit
-- (credit_limit_utilisation), the latest report, band and days late (customer_risk) and the priority
-- with its reason (customer_priority), one row per customer and month end any of them has. The three
-- marts are written in month-end order for the dashboards that read one month end; a customer's page
-- reads all of that customer's month ends, which in those marts sit in every row group. The embedded
-- build writes this mart sorted by customer and month end (writeOrder in src/schema/marts/customer_months.ts),
-- so a customer's rows sit together and DuckDB reads one row group, not the three marts. The sort is
-- not an ORDER BY here: beside the three joins' hash tables it ran out of memory at 1M invoices and a
-- 512 MB limit; the writer sorts the joined rows in a statement of their own.
-- Columns are copied, never recomputed: a month without open items has no utilisation figures, as
-- in credit_limit_utilisation (has_open_items false).
WITH month_keys AS (
  SELECT as_of_date, customer_id FROM {{ ref('credit_limit_utilisation') }}
  UNION
  SELECT as_of_date, customer_id FROM {{ ref('customer_risk') }}
  UNION
  SELECT as_of_date, customer_id FROM {{ ref('customer_priority') }}
)
SELECT
  k.customer_id,
  k.as_of_date,
  u.customer_id IS NOT NULL AS has_open_items,
  u.open_ar,
  u.overdue_ar,
  u.credit_limit,
  u.utilisation,
  u.headroom,
  r.provider,
  r.score,
  r.rating,
  r.common_band_label,
  r.insolvency_flag,
  r.insolvency_date,
  r.avg_days_late_12m,
  p.priority,
  p.priority_rank,
  p.reason,
  p.priority_rule,
  p.common_band,
  p.band_change_3m,
  p.revenue_t12m,
  p.revenue_prev_t12m,
  p.revenue_growth,
  p.industry_rate_per_1000,
  p.overall_rate_per_1000,
  p.industry_rising
FROM month_keys k
LEFT JOIN {{ ref('credit_limit_utilisation') }} u ON u.as_of_date = k.as_of_date AND u.customer_id = k.customer_id
LEFT JOIN {{ ref('customer_risk') }} r ON r.as_of_date = k.as_of_date AND r.customer_id = k.customer_id
LEFT JOIN {{ ref('customer_priority') }} p ON p.as_of_date = k.as_of_date AND p.customer_id = k.customer_id
