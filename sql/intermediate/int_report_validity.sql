-- Every credit report with the span of days it is the company's latest one (valid_from ≤ d <
-- valid_until), overall and per provider, so "latest report as of D" is a range join. Ties on one
-- day (two providers) are broken by provider name. prev_* are the same provider's previous report.
WITH r AS (
  SELECT
    company_key, provider, report_id, report_date, score, score_scale, rating, common_band, scorecard_version,
    credit_limit_advice, credit_limit_currency, payment_score, company_status
  FROM {{ ref('stg_credit_reports') }}
)
SELECT
  r.*,
  r.report_date AS valid_from,
  COALESCE(lead(r.report_date) OVER (PARTITION BY r.company_key ORDER BY r.report_date, r.provider), DATE '9999-12-31') AS valid_until,
  COALESCE(lead(r.report_date) OVER (PARTITION BY r.company_key, r.provider ORDER BY r.report_date), DATE '9999-12-31') AS provider_valid_until,
  lag(r.score) OVER (PARTITION BY r.company_key, r.provider ORDER BY r.report_date) AS prev_score,
  lag(r.scorecard_version) OVER (PARTITION BY r.company_key, r.provider ORDER BY r.report_date) AS prev_scorecard_version,
  lag(r.common_band) OVER (PARTITION BY r.company_key, r.provider ORDER BY r.report_date) AS prev_common_band,
  lag(r.report_date) OVER (PARTITION BY r.company_key, r.provider ORDER BY r.report_date) AS prev_report_date
FROM r
