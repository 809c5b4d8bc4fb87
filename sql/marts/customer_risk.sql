-- Credit risk per customer at every month end: the latest credit report (any provider) and the
-- latest band per provider, score and band changes over 3 and 12 months, the provider's limit advice
-- against our limit, open and overdue AR, days late, and insolvency. Score changes compare the same
-- provider and scorecard version only (a recalibration is a break, not a change): NULL otherwise.
-- Band changes are on the common scale (positive = riskier). A customer appears from its first
-- invoice or first report on.
WITH ends AS (
  SELECT as_of_date,
         CAST({{ add_months('month_start', -2) }} AS DATE) AS start_3m,
         CAST({{ add_months('month_start', -11) }} AS DATE) AS start_12m
  FROM {{ ref('int_month_ends') }}
),
frame_dates AS (
  SELECT as_of_date,
         CAST({{ add_days('start_3m', -1) }} AS DATE) AS as_of_3m_ago,
         CAST({{ add_days('start_12m', -1) }} AS DATE) AS as_of_12m_ago
  FROM ends
),
customers AS (
  SELECT c.customer_id, c.credit_limit AS credit_limit_original, c.currency AS limit_currency, cc.company_key, COALESCE(p.sbi_section, 'unknown') AS sbi_section,
         COALESCE(p.size_class, c.size_class) AS size_class,
         p.insolvency_date, p.insolvency_event
  FROM {{ ref('stg_customers') }} c
  LEFT JOIN {{ ref('int_customer_companies') }} cc ON cc.customer_id = c.customer_id
  LEFT JOIN {{ ref('int_company_profile') }} p ON p.company_key = cc.company_key
),
first_seen AS (
  SELECT customer_id, min(d) AS first_date
  FROM (
    SELECT customer_id, invoice_date AS d FROM {{ ref('int_invoices') }}
    UNION ALL
    SELECT c.customer_id, p.first_report_date AS d
    FROM customers c JOIN {{ ref('int_company_profile') }} p ON p.company_key = c.company_key
  ) x
  GROUP BY customer_id
),
-- A limit kept in another currency (customers.currency) converts at the month end's closing rate, as
-- credit_limit_utilisation does (int_month_end_rates), so over_limit compares one currency.
frame AS (
  SELECT f.as_of_date, f.as_of_3m_ago, f.as_of_12m_ago, c.*,
         CASE WHEN c.credit_limit_original IS NULL THEN CAST(NULL AS DECIMAL(18,2))
              WHEN c.limit_currency = {{ var('reporting_currency') }} THEN CAST(c.credit_limit_original AS DECIMAL(18,2))
              ELSE CAST(round({{ ratio('c.credit_limit_original', 'r.rate') }}, 2) AS DECIMAL(18,2)) END AS credit_limit
  FROM frame_dates f
  JOIN customers c ON true
  JOIN first_seen s ON s.customer_id = c.customer_id AND s.first_date <= f.as_of_date
  LEFT JOIN {{ ref('int_month_end_rates') }} r
    ON c.limit_currency <> {{ var('reporting_currency') }} AND r.as_of_date = f.as_of_date AND r.currency = c.limit_currency
),
reports AS (
  SELECT * FROM {{ ref('int_report_validity') }}
),
latest AS (
  SELECT f.as_of_date, f.customer_id, r.provider, r.report_date, r.score, r.score_scale, r.rating, r.common_band,
         r.scorecard_version, r.credit_limit_advice, r.company_status
  FROM frame f
  JOIN reports r ON r.company_key = f.company_key AND r.valid_from <= f.as_of_date AND f.as_of_date < r.valid_until
),
per_provider AS (
  SELECT f.as_of_date, f.customer_id,
         max(CASE WHEN r.provider = 'creditsafe' THEN r.common_band END) AS creditsafe_band,
         max(CASE WHEN r.provider = 'graydon' THEN r.common_band END) AS graydon_band,
         max(CASE WHEN r.provider = 'dnb' THEN r.common_band END) AS dnb_band
  FROM frame f
  JOIN reports r ON r.company_key = f.company_key AND r.valid_from <= f.as_of_date AND f.as_of_date < r.provider_valid_until
  GROUP BY f.as_of_date, f.customer_id
),
-- The same provider's report as of 3 and 12 months earlier.
earlier AS (
  SELECT f.as_of_date, f.customer_id, r.provider,
         max(CASE WHEN r.valid_from <= f.as_of_3m_ago AND f.as_of_3m_ago < r.provider_valid_until THEN r.score END) AS score_3m,
         max(CASE WHEN r.valid_from <= f.as_of_3m_ago AND f.as_of_3m_ago < r.provider_valid_until THEN r.scorecard_version END) AS version_3m,
         max(CASE WHEN r.valid_from <= f.as_of_3m_ago AND f.as_of_3m_ago < r.provider_valid_until THEN r.common_band END) AS band_3m,
         max(CASE WHEN r.valid_from <= f.as_of_12m_ago AND f.as_of_12m_ago < r.provider_valid_until THEN r.score END) AS score_12m,
         max(CASE WHEN r.valid_from <= f.as_of_12m_ago AND f.as_of_12m_ago < r.provider_valid_until THEN r.scorecard_version END) AS version_12m,
         max(CASE WHEN r.valid_from <= f.as_of_12m_ago AND f.as_of_12m_ago < r.provider_valid_until THEN r.common_band END) AS band_12m
  FROM frame f
  JOIN reports r ON r.company_key = f.company_key
   AND ((r.valid_from <= f.as_of_3m_ago AND f.as_of_3m_ago < r.provider_valid_until)
     OR (r.valid_from <= f.as_of_12m_ago AND f.as_of_12m_ago < r.provider_valid_until))
  GROUP BY f.as_of_date, f.customer_id, r.provider
),
ar AS (
  SELECT as_of_date, customer_id,
         sum(open_amount) AS open_ar,
         sum(CASE WHEN is_current THEN 0 ELSE open_amount END) AS overdue_ar,
         max(days_past_due) AS max_days_past_due
  FROM {{ ref('ar_open_items') }}
  GROUP BY as_of_date, customer_id
),
late AS (
  SELECT f.as_of_date, f.customer_id, avg(CAST(s.days_late AS DOUBLE)) AS avg_days_late
  FROM frame f
  JOIN {{ ref('int_invoice_settlements') }} s
    ON s.customer_id = f.customer_id AND s.settlement_date > f.as_of_12m_ago AND s.settlement_date <= f.as_of_date
   AND NOT s.written_off
  GROUP BY f.as_of_date, f.customer_id
)
SELECT
  f.as_of_date,
  f.customer_id,
  f.company_key,
  f.sbi_section,
  COALESCE(f.size_class, 'unknown') AS size_class,
  l.provider,
  l.report_date,
  l.score,
  l.score_scale,
  l.rating,
  l.common_band,
  {{ band_label('l.common_band') }} AS common_band_label,
  pp.creditsafe_band,
  pp.graydon_band,
  pp.dnb_band,
  CASE WHEN e.version_3m = l.scorecard_version OR (e.version_3m IS NULL AND l.scorecard_version IS NULL) THEN l.score - e.score_3m END AS score_change_3m,
  CASE WHEN e.version_12m = l.scorecard_version OR (e.version_12m IS NULL AND l.scorecard_version IS NULL) THEN l.score - e.score_12m END AS score_change_12m,
  l.common_band - e.band_3m AS band_change_3m,
  l.common_band - e.band_12m AS band_change_12m,
  l.credit_limit_advice,
  f.credit_limit,
  CAST(l.credit_limit_advice - f.credit_limit AS DECIMAL(18,2)) AS limit_advice_gap,
  CAST(COALESCE(a.open_ar, 0) AS DECIMAL(18,2)) AS open_ar,
  CAST(COALESCE(a.overdue_ar, 0) AS DECIMAL(18,2)) AS overdue_ar,
  a.max_days_past_due,
  lt.avg_days_late AS avg_days_late_12m,
  CASE WHEN f.credit_limit IS NOT NULL AND COALESCE(a.open_ar, 0) > f.credit_limit THEN true ELSE false END AS over_limit,
  CASE WHEN f.insolvency_date <= f.as_of_date OR l.company_status = 'insolvent' THEN true ELSE false END AS insolvency_flag,
  CASE WHEN f.insolvency_date <= f.as_of_date THEN f.insolvency_event END AS insolvency_event,
  CASE WHEN f.insolvency_date <= f.as_of_date THEN f.insolvency_date END AS insolvency_date,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(f.as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM frame f
LEFT JOIN latest l ON l.as_of_date = f.as_of_date AND l.customer_id = f.customer_id
LEFT JOIN per_provider pp ON pp.as_of_date = f.as_of_date AND pp.customer_id = f.customer_id
LEFT JOIN earlier e ON e.as_of_date = f.as_of_date AND e.customer_id = f.customer_id AND e.provider = l.provider
LEFT JOIN ar a ON a.as_of_date = f.as_of_date AND a.customer_id = f.customer_id
LEFT JOIN late lt ON lt.as_of_date = f.as_of_date AND lt.customer_id = f.customer_id
ORDER BY f.as_of_date, f.customer_id
