-- Priority per segment (SBI section x size class x common score band) at every month end: what
-- marketing filters on. The figures are sums and means over the segment's customers in
-- customer_priority; the rule reads the segment as a whole (docs/metrics-credit-risk.md), first match:
--   restrict  high_risk_band      the segment's band >= cr_restrict_band
--   restrict  insolvencies        at least a quarter of its customers insolvent
--   restrict  very_late_payers    mean days late >= cr_restrict_days_late
--   watch     moderate_band       band = cr_restrict_band - 1
--   watch     late_payers         mean days late >= cr_watch_days_late
--   watch     risky_industry      industry rate >= cr_industry_rate_factor x overall, or rising
--   watch     no_headroom         open AR at or above the segment's credit limits
--   grow      grow                band <= cr_grow_max_band, revenue not shrinking, headroom > 0
--   keep      keep                everything else
WITH c AS (
  SELECT * FROM {{ ref('customer_priority') }}
),
seg AS (
  SELECT
    as_of_date, sbi_section, size_class, common_band_label,
    min(common_band) AS common_band,
    count(*) AS customers,
    sum(CASE WHEN insolvency_flag THEN 1 ELSE 0 END) AS insolvent_customers,
    sum(CASE WHEN over_limit THEN 1 ELSE 0 END) AS over_limit_customers,
    CAST(sum(revenue_t12m) AS DECIMAL(18,2)) AS revenue_t12m,
    CAST(sum(revenue_prev_t12m) AS DECIMAL(18,2)) AS revenue_prev_t12m,
    avg(CAST(common_band AS DOUBLE)) AS mean_common_band,
    avg(avg_days_late_12m) AS mean_days_late_12m,
    CAST(sum(open_ar) AS DECIMAL(18,2)) AS open_ar,
    CAST(sum(credit_limit) AS DECIMAL(18,2)) AS credit_limit,
    CAST(sum(CASE WHEN credit_limit IS NOT NULL THEN credit_limit - open_ar END) AS DECIMAL(18,2)) AS headroom,
    max(industry_rate_per_1000) AS industry_rate_per_1000,
    max(overall_rate_per_1000) AS overall_rate_per_1000,
    max(CASE WHEN industry_rising THEN 1 ELSE 0 END) AS industry_rising,
    sum(CASE WHEN priority = 'grow' THEN 1 ELSE 0 END) AS grow_customers,
    sum(CASE WHEN priority = 'restrict' THEN 1 ELSE 0 END) AS restrict_customers
  FROM c
  GROUP BY as_of_date, sbi_section, size_class, common_band_label
),
ruled AS (
  SELECT s.*,
    {{ ratio('s.revenue_t12m - s.revenue_prev_t12m', 's.revenue_prev_t12m') }} AS revenue_growth,
    CASE
      WHEN s.common_band >= {{ var('cr_restrict_band') }} THEN 'high_risk_band'
      WHEN 4 * s.insolvent_customers >= s.customers AND s.insolvent_customers > 0 THEN 'insolvencies'
      WHEN s.mean_days_late_12m >= {{ var('cr_restrict_days_late') }} THEN 'very_late_payers'
      WHEN s.common_band = {{ var('cr_restrict_band') }} - 1 THEN 'moderate_band'
      WHEN s.mean_days_late_12m >= {{ var('cr_watch_days_late') }} THEN 'late_payers'
      WHEN (s.industry_rate_per_1000 >= {{ var('cr_industry_rate_factor') }} * s.overall_rate_per_1000 AND s.industry_rate_per_1000 > 0)
        OR s.industry_rising = 1 THEN 'risky_industry'
      WHEN s.headroom <= 0 THEN 'no_headroom'
      WHEN s.common_band <= {{ var('cr_grow_max_band') }} AND s.revenue_t12m >= s.revenue_prev_t12m AND COALESCE(s.headroom, 1) > 0 THEN 'grow'
      ELSE 'keep'
    END AS priority_rule
  FROM seg s
)
SELECT
  r.as_of_date,
  r.sbi_section,
  r.size_class,
  r.common_band_label,
  r.common_band,
  CASE
    WHEN r.priority_rule IN ('high_risk_band', 'insolvencies', 'very_late_payers') THEN 'restrict'
    WHEN r.priority_rule IN ('moderate_band', 'late_payers', 'risky_industry', 'no_headroom') THEN 'watch'
    WHEN r.priority_rule = 'grow' THEN 'grow'
    ELSE 'keep'
  END AS priority,
  r.priority_rule,
  CASE r.priority_rule
    WHEN 'high_risk_band' THEN r.common_band_label || ' (band ' || CAST(r.common_band AS VARCHAR) || ')'
    WHEN 'insolvencies' THEN CAST(r.insolvent_customers AS VARCHAR) || ' of ' || CAST(r.customers AS VARCHAR) || ' customers insolvent'
    WHEN 'very_late_payers' THEN 'customers pay ' || CAST(CAST(round(r.mean_days_late_12m) AS INTEGER) AS VARCHAR) || ' days late on average'
    WHEN 'moderate_band' THEN 'moderate risk (band ' || CAST(r.common_band AS VARCHAR) || ')'
    WHEN 'late_payers' THEN 'customers pay ' || CAST(CAST(round(r.mean_days_late_12m) AS INTEGER) AS VARCHAR) || ' days late on average'
    WHEN 'risky_industry' THEN 'industry ' || r.sbi_section || ' bankruptcy rate ' || CAST(CAST(round(r.industry_rate_per_1000, 1) AS DECIMAL(18,1)) AS VARCHAR)
         || ' per 1,000 (overall ' || CAST(CAST(round(r.overall_rate_per_1000, 1) AS DECIMAL(18,1)) AS VARCHAR) || ')' || CASE WHEN r.industry_rising = 1 THEN ', rising' ELSE '' END
    WHEN 'no_headroom' THEN 'open AR ' || CAST(r.open_ar AS VARCHAR) || ' uses all credit limits'
    WHEN 'grow' THEN r.common_band_label || ', revenue ' || CASE WHEN r.revenue_prev_t12m > 0 THEN 'up ' || CAST(CAST(round(100 * r.revenue_growth) AS INTEGER) AS VARCHAR) || '%' ELSE 'new' END
         || COALESCE(', headroom ' || CAST(r.headroom AS VARCHAR), '')
    ELSE CASE WHEN r.common_band IS NULL THEN 'not rated' WHEN r.revenue_t12m < r.revenue_prev_t12m THEN 'revenue shrinking' ELSE 'no risk signal' END
  END AS reason,
  CAST(r.customers AS BIGINT) AS customers,
  CAST(r.grow_customers AS BIGINT) AS grow_customers,
  CAST(r.restrict_customers AS BIGINT) AS restrict_customers,
  CAST(r.insolvent_customers AS BIGINT) AS insolvent_customers,
  r.revenue_t12m,
  r.revenue_prev_t12m,
  r.revenue_growth,
  r.mean_common_band,
  r.mean_days_late_12m,
  r.industry_rate_per_1000,
  r.overall_rate_per_1000,
  r.open_ar,
  r.credit_limit,
  r.headroom,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(r.as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM ruled r
ORDER BY r.as_of_date, r.sbi_section, r.size_class, r.common_band_label
