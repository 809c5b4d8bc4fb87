-- Priority per customer at every month end, for sales and marketing: grow | keep | watch | restrict
-- with the rule that decided it (docs/metrics-credit-risk.md). Rules, first match wins:
--   restrict  insolvent           an insolvency event (or an insolvent report) on or before the date
--   restrict  high_risk_band      common band >= cr_restrict_band
--   restrict  very_late_payer     mean days late (12 months) >= cr_restrict_days_late
--   watch     over_limit          open AR above our credit limit
--   watch     band_worsened       common band worse than 3 months earlier (same provider)
--   watch     moderate_band       common band = cr_restrict_band - 1
--   watch     late_payer          mean days late >= cr_watch_days_late
--   watch     risky_industry      industry 12-month bankruptcy rate >= cr_industry_rate_factor x overall,
--                                 or rising (int_industry_rates_t12m: >= 2 bankruptcies, more than three
--                                 months earlier, rate >= cr_industry_rise_factor x that rate)
--   grow      grow                band <= cr_grow_max_band, revenue not shrinking, headroom > 0
--   keep      keep                everything else (not rated, no headroom, shrinking revenue)
-- Rank: grow first, then keep, watch, restrict; within a priority by 12-month revenue, largest first.
WITH risk AS (
  SELECT * FROM {{ ref('customer_risk') }}
),
industry AS (
  SELECT i.as_of_date, i.sbi_section, i.rate_per_1000, i.rising, a.rate_per_1000 AS overall_rate_per_1000
  FROM {{ ref('int_industry_rates_t12m') }} i
  JOIN {{ ref('int_industry_rates_t12m') }} a ON a.as_of_date = i.as_of_date AND a.sbi_section = 'ALL'
  WHERE i.sbi_section <> 'ALL'
),
facts AS (
  SELECT
    r.as_of_date, r.customer_id, r.company_key, r.sbi_section, r.size_class, r.common_band, r.common_band_label,
    r.band_change_3m, r.score_change_3m,
    COALESCE(v.revenue_t12m, CAST(0 AS DECIMAL(18,2))) AS revenue_t12m,
    COALESCE(v.revenue_prev_t12m, CAST(0 AS DECIMAL(18,2))) AS revenue_prev_t12m,
    r.avg_days_late_12m, r.open_ar, r.credit_limit,
    CAST(r.credit_limit - r.open_ar AS DECIMAL(18,2)) AS headroom,
    r.over_limit, r.insolvency_flag, r.insolvency_event, r.insolvency_date,
    i.rate_per_1000 AS industry_rate_per_1000,
    i.overall_rate_per_1000,
    COALESCE(i.rising, false) AS industry_rising
  FROM risk r
  LEFT JOIN {{ ref('int_customer_revenue_t12m') }} v ON v.as_of_date = r.as_of_date AND v.customer_id = r.customer_id
  LEFT JOIN industry i ON i.as_of_date = r.as_of_date AND i.sbi_section = r.sbi_section
),
ruled AS (
  SELECT f.*,
    {{ ratio('f.revenue_t12m - f.revenue_prev_t12m', 'f.revenue_prev_t12m') }} AS revenue_growth,
    CASE
      WHEN f.insolvency_flag THEN 'insolvent'
      WHEN f.common_band >= {{ var('cr_restrict_band') }} THEN 'high_risk_band'
      WHEN f.avg_days_late_12m >= {{ var('cr_restrict_days_late') }} THEN 'very_late_payer'
      WHEN f.over_limit THEN 'over_limit'
      WHEN f.band_change_3m > 0 THEN 'band_worsened'
      WHEN f.common_band = {{ var('cr_restrict_band') }} - 1 THEN 'moderate_band'
      WHEN f.avg_days_late_12m >= {{ var('cr_watch_days_late') }} THEN 'late_payer'
      WHEN f.industry_rate_per_1000 >= {{ var('cr_industry_rate_factor') }} * f.overall_rate_per_1000 AND f.industry_rate_per_1000 > 0 THEN 'risky_industry'
      WHEN f.industry_rising THEN 'risky_industry'
      WHEN f.common_band <= {{ var('cr_grow_max_band') }} AND f.revenue_t12m >= f.revenue_prev_t12m
           AND (f.credit_limit IS NULL OR f.credit_limit - f.open_ar > 0) THEN 'grow'
      ELSE 'keep'
    END AS priority_rule
  FROM facts f
),
explained AS (
  SELECT r.*,
    CASE
      WHEN r.priority_rule IN ('insolvent', 'high_risk_band', 'very_late_payer') THEN 'restrict'
      WHEN r.priority_rule IN ('over_limit', 'band_worsened', 'moderate_band', 'late_payer', 'risky_industry') THEN 'watch'
      WHEN r.priority_rule = 'grow' THEN 'grow'
      ELSE 'keep'
    END AS priority,
    CASE r.priority_rule
      WHEN 'insolvent' THEN 'insolvency: ' || COALESCE(r.insolvency_event, 'insolvent in the latest credit report') || COALESCE(' on ' || {{ format_date('r.insolvency_date') }}, '')
      WHEN 'high_risk_band' THEN 'common band ' || CAST(r.common_band AS VARCHAR) || ' (' || r.common_band_label || ')'
      WHEN 'very_late_payer' THEN 'pays ' || CAST(CAST(round(r.avg_days_late_12m) AS INTEGER) AS VARCHAR) || ' days late on average (12 months)'
      WHEN 'over_limit' THEN 'open AR ' || CAST(r.open_ar AS VARCHAR) || ' above the credit limit ' || CAST(r.credit_limit AS VARCHAR)
      WHEN 'band_worsened' THEN 'band worsened by ' || CAST(r.band_change_3m AS VARCHAR) || ' in 3 months, now ' || r.common_band_label
      WHEN 'moderate_band' THEN 'moderate risk (common band ' || CAST(r.common_band AS VARCHAR) || ')'
      WHEN 'late_payer' THEN 'pays ' || CAST(CAST(round(r.avg_days_late_12m) AS INTEGER) AS VARCHAR) || ' days late on average (12 months)'
      WHEN 'risky_industry' THEN 'industry ' || r.sbi_section || ' bankruptcy rate ' || CAST(CAST(round(r.industry_rate_per_1000, 1) AS DECIMAL(18,1)) AS VARCHAR)
           || ' per 1,000 (overall ' || CAST(CAST(round(r.overall_rate_per_1000, 1) AS DECIMAL(18,1)) AS VARCHAR) || ')' || CASE WHEN r.industry_rising THEN ', rising' ELSE '' END
      WHEN 'grow' THEN r.common_band_label || ', revenue ' || CASE WHEN r.revenue_prev_t12m > 0 THEN 'up ' || CAST(CAST(round(100 * {{ ratio('r.revenue_t12m - r.revenue_prev_t12m', 'r.revenue_prev_t12m') }}) AS INTEGER) AS VARCHAR) || '%' ELSE 'new' END
           || COALESCE(', headroom ' || CAST(r.credit_limit - r.open_ar AS VARCHAR), ', no limit set')
      ELSE CASE WHEN r.common_band IS NULL THEN 'not rated' WHEN r.revenue_t12m < r.revenue_prev_t12m THEN 'revenue shrinking'
                WHEN r.credit_limit IS NOT NULL AND r.credit_limit - r.open_ar <= 0 THEN 'no headroom under the credit limit' ELSE 'no risk signal' END
    END AS reason
  FROM ruled r
)
SELECT
  e.as_of_date,
  e.customer_id,
  CAST(row_number() OVER (
    PARTITION BY e.as_of_date
    ORDER BY CASE e.priority WHEN 'grow' THEN 1 WHEN 'keep' THEN 2 WHEN 'watch' THEN 3 ELSE 4 END, e.revenue_t12m DESC, e.customer_id
  ) AS INTEGER) AS priority_rank,
  e.priority,
  e.priority_rule,
  e.reason,
  e.company_key,
  e.sbi_section,
  e.size_class,
  e.common_band,
  e.common_band_label,
  e.band_change_3m,
  e.score_change_3m,
  e.revenue_t12m,
  e.revenue_prev_t12m,
  e.revenue_growth,
  e.avg_days_late_12m,
  e.open_ar,
  e.credit_limit,
  e.headroom,
  e.over_limit,
  e.industry_rate_per_1000,
  e.overall_rate_per_1000,
  e.industry_rising,
  e.insolvency_flag,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(e.as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM explained e
ORDER BY e.as_of_date, priority_rank
