-- Credit risk per customer at every month end: the latest credit report (any provider) and the
-- latest band per provider, score and band changes over 3 and 12 months, the provider's limit advice
-- against our limit, open and overdue AR, days late, and insolvency. Score changes compare the same
-- provider and scorecard version only (a recalibration is a break, not a change): NULL otherwise.
-- Band changes are on the common scale (positive = riskier). A customer appears from its first
-- invoice or first report on.
-- Memory (issue 16 item 3): no date-range join and no join of two large inputs. Each report is spread
-- over the month ends it is its provider's latest at (int_report_validity: valid_from <= m <
-- provider_valid_until) by a month sequence, and everything else is an equality grouping: per
-- company, provider and month end (the report now, 3 and 12 month ends earlier), per company and
-- month end (the latest of them, the band per provider), then one grouping per customer and month end
-- of the month ends it exists at, its reports, open AR and settlements. Groupings and sorts spill to
-- disk under duckdb.memory_limit; the range joins and the six-way join this replaced (month ends x
-- customers x reports) held hash tables of every input at once and ran out of memory at 4M invoices
-- and a 2 GB limit. Every join left has one small side: customers, month ends, rates.
WITH bounds AS (
  SELECT min(month_start) AS first_month,
         min(as_of_date) AS first_end,
         max(as_of_date) AS last_end,
         -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
         COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') AS first_partial
  FROM {{ ref('int_month_ends') }}
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
-- Each report of a customer's company with the month ends it is its provider's latest at, from 12
-- months before the first month end (the score 12 months earlier) to the last month end; a report
-- followed by the same provider's next one within its month covers none.
spans AS (
  SELECT r.company_key, r.provider, r.report_date, r.score, r.score_scale, r.rating, r.common_band, r.scorecard_version,
         r.credit_limit_advice, r.company_status, r.valid_until, r.provider_valid_until,
         CAST(greatest({{ month_start('r.valid_from') }}, {{ add_months('b.first_month', -12) }}) AS DATE) AS span_from,
         CAST(least({{ add_days('r.provider_valid_until', -1) }}, b.last_end) AS DATE) AS span_to
  FROM {{ ref('int_report_validity') }} r
  CROSS JOIN bounds b
  WHERE r.company_key IN (SELECT company_key FROM customers WHERE company_key IS NOT NULL)
),
provider_ends AS (
  SELECT s.*, CAST({{ month_end('CAST(m.month_start AS DATE)') }} AS DATE) AS report_end
  FROM (SELECT * FROM spans WHERE span_from <= span_to) s
  CROSS JOIN UNNEST({{ month_start_sequence('s.span_from', 's.span_to') }}) AS m(month_start)
  WHERE {{ month_end('CAST(m.month_start AS DATE)') }} < s.provider_valid_until
),
-- Per company, provider and month end: that provider's report then (shift 0; the company's latest
-- when no later report of another provider came before the month end) and 3 and 12 month ends
-- earlier (shift 3, 12), each carried to the month end it is compared at.
provider_state AS (
  SELECT p.company_key, p.provider, CAST({{ month_end(add_months('p.report_end', 'k.shift')) }} AS DATE) AS as_of_date,
         max(CASE WHEN k.shift = 0 AND p.valid_until > p.report_end THEN 1 ELSE 0 END) AS is_latest,
         max(CASE WHEN k.shift = 0 THEN p.report_date END) AS report_date,
         max(CASE WHEN k.shift = 0 THEN p.score END) AS score,
         max(CASE WHEN k.shift = 0 THEN p.score_scale END) AS score_scale,
         max(CASE WHEN k.shift = 0 THEN p.rating END) AS rating,
         max(CASE WHEN k.shift = 0 THEN p.common_band END) AS common_band,
         max(CASE WHEN k.shift = 0 THEN p.scorecard_version END) AS scorecard_version,
         max(CASE WHEN k.shift = 0 THEN p.credit_limit_advice END) AS credit_limit_advice,
         max(CASE WHEN k.shift = 0 THEN p.company_status END) AS company_status,
         max(CASE WHEN k.shift = 3 THEN p.score END) AS score_3m,
         max(CASE WHEN k.shift = 3 THEN p.scorecard_version END) AS version_3m,
         max(CASE WHEN k.shift = 3 THEN p.common_band END) AS band_3m,
         max(CASE WHEN k.shift = 12 THEN p.score END) AS score_12m,
         max(CASE WHEN k.shift = 12 THEN p.scorecard_version END) AS version_12m,
         max(CASE WHEN k.shift = 12 THEN p.common_band END) AS band_12m
  FROM provider_ends p
  CROSS JOIN (VALUES (0), (3), (12)) AS k(shift)
  CROSS JOIN bounds b
  WHERE {{ month_end(add_months('p.report_end', 'k.shift')) }} >= b.first_end
    AND {{ month_end(add_months('p.report_end', 'k.shift')) }} <= b.last_end
  GROUP BY p.company_key, p.provider, CAST({{ month_end(add_months('p.report_end', 'k.shift')) }} AS DATE)
),
-- Per company and month end: the latest report (one provider's row is it) with its own provider's
-- earlier values, and the band of each provider's latest report.
company_state AS (
  SELECT company_key, as_of_date,
         max(CASE WHEN is_latest = 1 THEN provider END) AS provider,
         max(CASE WHEN is_latest = 1 THEN report_date END) AS report_date,
         max(CASE WHEN is_latest = 1 THEN score END) AS score,
         max(CASE WHEN is_latest = 1 THEN score_scale END) AS score_scale,
         max(CASE WHEN is_latest = 1 THEN rating END) AS rating,
         max(CASE WHEN is_latest = 1 THEN common_band END) AS common_band,
         max(CASE WHEN is_latest = 1 THEN scorecard_version END) AS scorecard_version,
         max(CASE WHEN is_latest = 1 THEN credit_limit_advice END) AS credit_limit_advice,
         max(CASE WHEN is_latest = 1 THEN company_status END) AS company_status,
         max(CASE WHEN is_latest = 1 THEN score_3m END) AS score_3m,
         max(CASE WHEN is_latest = 1 THEN version_3m END) AS version_3m,
         max(CASE WHEN is_latest = 1 THEN band_3m END) AS band_3m,
         max(CASE WHEN is_latest = 1 THEN score_12m END) AS score_12m,
         max(CASE WHEN is_latest = 1 THEN version_12m END) AS version_12m,
         max(CASE WHEN is_latest = 1 THEN band_12m END) AS band_12m,
         max(CASE WHEN provider = 'creditsafe' THEN common_band END) AS creditsafe_band,
         max(CASE WHEN provider = 'graydon' THEN common_band END) AS graydon_band,
         max(CASE WHEN provider = 'dnb' THEN common_band END) AS dnb_band
  FROM provider_state
  GROUP BY company_key, as_of_date
),
ar AS (
  SELECT as_of_date, customer_id,
         sum(open_amount) AS open_ar,
         sum(CASE WHEN is_current THEN 0 ELSE open_amount END) AS overdue_ar,
         max(days_past_due) AS max_days_past_due
  FROM {{ ref('ar_open_items') }}
  GROUP BY as_of_date, customer_id
),
-- Invoices settled (not written off) in the 12 months to a month end: those of each month, counted at
-- that month end and the 11 after it.
settled_months AS (
  SELECT customer_id, CAST({{ month_end('settlement_date') }} AS DATE) AS settled_end,
         sum(days_late) AS days_late, count(*) AS settled
  FROM {{ ref('int_invoice_settlements') }}
  WHERE settlement_date IS NOT NULL AND NOT written_off
  GROUP BY customer_id, CAST({{ month_end('settlement_date') }} AS DATE)
),
late AS (
  SELECT s.customer_id, CAST({{ month_end(add_months('s.settled_end', 'k.n')) }} AS DATE) AS as_of_date,
         sum(s.days_late) AS days_late, sum(s.settled) AS settled
  FROM settled_months s
  CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11)) AS k(n)
  CROSS JOIN bounds b
  WHERE {{ month_end(add_months('s.settled_end', 'k.n')) }} <= b.last_end
  GROUP BY s.customer_id, CAST({{ month_end(add_months('s.settled_end', 'k.n')) }} AS DATE)
),
-- One row per customer and month end from each part, grouped: the month ends a customer exists at
-- (from its first invoice or report on), its company's reports, its open AR, its settlements.
parts AS (
  SELECT s.customer_id, m.as_of_date, 1 AS in_frame,
         NULL AS provider, NULL AS report_date, NULL AS score,
         NULL AS score_scale, NULL AS rating, NULL AS common_band,
         NULL AS scorecard_version, NULL AS credit_limit_advice, NULL AS company_status,
         NULL AS score_3m, NULL AS version_3m, NULL AS band_3m,
         NULL AS score_12m, NULL AS version_12m, NULL AS band_12m,
         NULL AS creditsafe_band, NULL AS graydon_band, NULL AS dnb_band,
         NULL AS open_ar, NULL AS overdue_ar, NULL AS max_days_past_due,
         NULL AS days_late, NULL AS settled
  FROM first_seen s
  JOIN {{ ref('int_month_ends') }} m ON s.first_date <= m.as_of_date
  UNION ALL
  SELECT c.customer_id, cs.as_of_date, 0,
         cs.provider, cs.report_date, cs.score, cs.score_scale, cs.rating, cs.common_band,
         cs.scorecard_version, cs.credit_limit_advice, cs.company_status,
         cs.score_3m, cs.version_3m, cs.band_3m, cs.score_12m, cs.version_12m, cs.band_12m,
         cs.creditsafe_band, cs.graydon_band, cs.dnb_band,
         NULL, NULL, NULL, NULL, NULL
  FROM company_state cs
  JOIN customers c ON c.company_key = cs.company_key
  UNION ALL
  SELECT customer_id, as_of_date, 0,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         open_ar, overdue_ar, max_days_past_due, NULL, NULL
  FROM ar
  UNION ALL
  SELECT customer_id, as_of_date, 0,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, days_late, settled
  FROM late
),
months AS (
  SELECT customer_id, as_of_date,
         max(provider) AS provider, max(report_date) AS report_date, max(score) AS score, max(score_scale) AS score_scale,
         max(rating) AS rating, max(common_band) AS common_band, max(scorecard_version) AS scorecard_version,
         max(credit_limit_advice) AS credit_limit_advice, max(company_status) AS company_status,
         max(score_3m) AS score_3m, max(version_3m) AS version_3m, max(band_3m) AS band_3m,
         max(score_12m) AS score_12m, max(version_12m) AS version_12m, max(band_12m) AS band_12m,
         max(creditsafe_band) AS creditsafe_band, max(graydon_band) AS graydon_band, max(dnb_band) AS dnb_band,
         max(open_ar) AS open_ar, max(overdue_ar) AS overdue_ar, max(max_days_past_due) AS max_days_past_due,
         max(days_late) AS days_late, max(settled) AS settled
  FROM parts
  GROUP BY customer_id, as_of_date
  HAVING max(in_frame) = 1
),
-- A limit kept in another currency (customers.currency) converts at the month end's closing rate, as
-- credit_limit_utilisation does (int_month_end_rates), so over_limit compares one currency.
frame AS (
  SELECT l.*, c.company_key, c.sbi_section, c.size_class, c.insolvency_date, c.insolvency_event,
         CASE WHEN c.credit_limit_original IS NULL THEN CAST(NULL AS DECIMAL(18,2))
              WHEN c.limit_currency = {{ var('reporting_currency') }} THEN CAST(c.credit_limit_original AS DECIMAL(18,2))
              ELSE CAST(round({{ ratio('c.credit_limit_original', 'r.rate') }}, 2) AS DECIMAL(18,2)) END AS credit_limit
  FROM months l
  JOIN customers c ON c.customer_id = l.customer_id
  LEFT JOIN {{ ref('int_month_end_rates') }} r
    ON c.limit_currency <> {{ var('reporting_currency') }} AND r.as_of_date = l.as_of_date AND r.currency = c.limit_currency
)
SELECT
  f.as_of_date,
  f.customer_id,
  f.company_key,
  f.sbi_section,
  COALESCE(f.size_class, 'unknown') AS size_class,
  f.provider,
  f.report_date,
  f.score,
  f.score_scale,
  f.rating,
  f.common_band,
  {{ band_label('f.common_band') }} AS common_band_label,
  f.creditsafe_band,
  f.graydon_band,
  f.dnb_band,
  CASE WHEN f.version_3m = f.scorecard_version OR (f.version_3m IS NULL AND f.scorecard_version IS NULL) THEN f.score - f.score_3m END AS score_change_3m,
  CASE WHEN f.version_12m = f.scorecard_version OR (f.version_12m IS NULL AND f.scorecard_version IS NULL) THEN f.score - f.score_12m END AS score_change_12m,
  f.common_band - f.band_3m AS band_change_3m,
  f.common_band - f.band_12m AS band_change_12m,
  f.credit_limit_advice,
  f.credit_limit,
  CAST(f.credit_limit_advice - f.credit_limit AS DECIMAL(18,2)) AS limit_advice_gap,
  CAST(COALESCE(f.open_ar, 0) AS DECIMAL(18,2)) AS open_ar,
  CAST(COALESCE(f.overdue_ar, 0) AS DECIMAL(18,2)) AS overdue_ar,
  f.max_days_past_due,
  {{ ratio('f.days_late', 'f.settled') }} AS avg_days_late_12m,
  CASE WHEN f.credit_limit IS NOT NULL AND COALESCE(f.open_ar, 0) > f.credit_limit THEN true ELSE false END AS over_limit,
  CASE WHEN f.insolvency_date <= f.as_of_date OR f.company_status = 'insolvent' THEN true ELSE false END AS insolvency_flag,
  CASE WHEN f.insolvency_date <= f.as_of_date THEN f.insolvency_event END AS insolvency_event,
  CASE WHEN f.insolvency_date <= f.as_of_date THEN f.insolvency_date END AS insolvency_date,
  COALESCE(f.as_of_date < b.first_partial, false) AS is_complete
FROM frame f
CROSS JOIN bounds b
ORDER BY f.as_of_date, f.customer_id
