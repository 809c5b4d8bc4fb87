-- Risk alerts as data (one row per customer, date and reason), for a monitor or a mail job to read:
--   score_drop            a provider's score fell by >= cr_alert_score_drop points since its previous
--                         report of the same scorecard version
--   band_worsened         the common band of a provider's report is worse than its previous report's
--   insolvency_event      bankruptcy, suspension of payments, debt rescheduling or dissolution
--   over_limit            open AR went above the credit limit at a month end (was not the month before)
--   industry_rate_rising  the customer's industry 12-month bankruptcy rate became rising at a month end
--                         (>= cr_industry_rise_factor x three months earlier; first month only)
-- Besides the English `detail` line, what changed is in typed columns (value_before/value_after,
-- open_ar/credit_limit, subject, reference), so a reader in another language words it itself.
-- Several alerts of one reason on one day (two providers) are one row: the first by detail.
-- is_complete: false for a month-end alert (over_limit, industry_rate_rising) raised at a partial
-- month's data end; a report or register event is complete when it is dated.
WITH links AS (
  SELECT customer_id, company_key FROM {{ ref('int_customer_companies') }}
),
reports AS (
  SELECT l.customer_id, r.company_key, r.provider, r.report_date, r.score, r.prev_score, r.scorecard_version,
         r.prev_scorecard_version, r.common_band, r.prev_common_band
  FROM {{ ref('int_report_validity') }} r
  JOIN links l ON l.company_key = r.company_key
),
alerts AS (
  SELECT customer_id, company_key, report_date AS alert_date, 'score_drop' AS reason, provider,
         provider || ' score ' || CAST(prev_score AS VARCHAR) || ' -> ' || CAST(score AS VARCHAR) AS detail,
         CAST(prev_score AS DOUBLE) AS value_before, CAST(score AS DOUBLE) AS value_after,
         CAST(NULL AS DECIMAL(18,2)) AS open_ar, CAST(NULL AS DECIMAL(18,2)) AS credit_limit,
         CAST(NULL AS VARCHAR) AS subject, CAST(NULL AS VARCHAR) AS reference, true AS is_complete
  FROM reports
  WHERE prev_score - score >= {{ var('cr_alert_score_drop') }}
    AND (scorecard_version = prev_scorecard_version OR (scorecard_version IS NULL AND prev_scorecard_version IS NULL))
  UNION ALL
  SELECT customer_id, company_key, report_date AS alert_date, 'band_worsened' AS reason, provider,
         provider || ' common band ' || CAST(prev_common_band AS VARCHAR) || ' -> ' || CAST(common_band AS VARCHAR) AS detail,
         CAST(prev_common_band AS DOUBLE), CAST(common_band AS DOUBLE), CAST(NULL AS DECIMAL(18,2)), CAST(NULL AS DECIMAL(18,2)),
         CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), true
  FROM reports
  WHERE common_band > prev_common_band
  UNION ALL
  SELECT l.customer_id, e.company_key, e.event_date AS alert_date, 'insolvency_event' AS reason, e.source AS provider,
         e.event_type || COALESCE(' ' || e.case_number, '') AS detail,
         CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DECIMAL(18,2)), CAST(NULL AS DECIMAL(18,2)),
         e.event_type, e.case_number, true
  FROM {{ ref('stg_insolvency_events') }} e
  JOIN links l ON l.company_key = e.company_key
  UNION ALL
  SELECT r.customer_id, r.company_key, r.as_of_date AS alert_date, 'over_limit' AS reason, CAST(NULL AS VARCHAR) AS provider,
         'open AR ' || CAST(r.open_ar AS VARCHAR) || ' > limit ' || CAST(r.credit_limit AS VARCHAR) AS detail,
         CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(r.open_ar AS DECIMAL(18,2)), CAST(r.credit_limit AS DECIMAL(18,2)),
         CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), r.is_complete
  FROM (
    SELECT customer_id, company_key, as_of_date, open_ar, credit_limit, over_limit, is_complete,
           lag(over_limit) OVER (PARTITION BY customer_id ORDER BY as_of_date) AS was_over
    FROM {{ ref('customer_risk') }}
  ) r
  WHERE r.over_limit AND NOT COALESCE(r.was_over, false)
  UNION ALL
  SELECT p.customer_id, p.company_key, p.as_of_date AS alert_date, 'industry_rate_rising' AS reason, CAST(NULL AS VARCHAR) AS provider,
         'industry ' || p.sbi_section || ' bankruptcy rate ' || CAST(CAST(round(p.industry_rate_per_1000, 1) AS DECIMAL(18,1)) AS VARCHAR) || ' per 1,000 over 12 months' AS detail,
         CAST(NULL AS DOUBLE), CAST(p.industry_rate_per_1000 AS DOUBLE), CAST(NULL AS DECIMAL(18,2)), CAST(NULL AS DECIMAL(18,2)),
         p.sbi_section, CAST(NULL AS VARCHAR), p.is_complete
  FROM (
    SELECT customer_id, company_key, sbi_section, as_of_date, industry_rate_per_1000, industry_rising, is_complete,
           lag(industry_rising) OVER (PARTITION BY customer_id ORDER BY as_of_date) AS was_rising
    FROM {{ ref('customer_priority') }}
  ) p
  WHERE p.industry_rising AND NOT COALESCE(p.was_rising, false)
)
SELECT customer_id, alert_date, reason, company_key, provider, detail, alerts,
       value_before, value_after, open_ar, credit_limit, subject, reference, is_complete
FROM (
  SELECT a.*,
         CAST(count(*) OVER (PARTITION BY a.customer_id, a.alert_date, a.reason) AS BIGINT) AS alerts,
         row_number() OVER (PARTITION BY a.customer_id, a.alert_date, a.reason ORDER BY a.detail, a.provider, a.company_key) AS n
  FROM alerts a
) x
WHERE n = 1
ORDER BY alert_date, customer_id, reason
