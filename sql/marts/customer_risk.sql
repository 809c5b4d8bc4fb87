-- Credit risk per customer at every month end: the latest credit report (any provider) and the
-- latest band per provider, score and band changes over 3 and 12 months, the provider's limit advice
-- against our limit, open and overdue AR, days late, and insolvency. Score changes compare the same
-- provider and scorecard version only (a recalibration is a break, not a change): NULL otherwise.
-- Band changes are on the common scale (positive = riskier). A customer appears from its first
-- invoice or first report on.
-- Memory (issue 16 item 3): no date-range join over large inputs. Each report is spread over the
-- month ends it is its provider's latest at (int_report_validity: valid_from <= m <
-- provider_valid_until) by a month sequence, then equality groupings: per company, provider and month
-- end (the report now, 3 and 12 month ends earlier), per company and month end (the latest of them,
-- the band per provider). The customer-month frame (first seen <= month end: customers x the few month
-- ends) takes its company's state, open AR and settlements by equality hash joins, each part one row
-- per key. Groupings, sorts and hash joins spill to disk under duckdb.memory_limit; the range joins
-- and the six-way join of an earlier version (month ends x customers x reports) ran out of memory at
-- 4M invoices and a 2 GB limit.
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
-- The month ends a customer exists at (from its first invoice or report on), each part joined to them
-- on its key (customer or company, and month end): every part holds at most one row per key, so the
-- frame keeps its rows. Hash joins on equality spill under duckdb.memory_limit; the grouping of all
-- parts together this replaced (a union of wide rows, mostly NULL, 25 aggregates per key) cost more
-- CPU than the whole rest of the model.
frame AS (
  SELECT s.customer_id, m.as_of_date,
         cs.provider, cs.report_date, cs.score, cs.score_scale, cs.rating, cs.common_band,
         cs.scorecard_version, cs.credit_limit_advice, cs.company_status,
         cs.score_3m, cs.version_3m, cs.band_3m, cs.score_12m, cs.version_12m, cs.band_12m,
         cs.creditsafe_band, cs.graydon_band, cs.dnb_band,
         a.open_ar, a.overdue_ar, a.max_days_past_due, t.days_late, t.settled,
         c.company_key, c.sbi_section, c.size_class, c.insolvency_date, c.insolvency_event,
         -- A limit kept in another currency (customers.currency) converts at the month end's closing
         -- rate, as credit_limit_utilisation does (int_month_end_rates), so over_limit compares one currency.
         CASE WHEN c.credit_limit_original IS NULL THEN CAST(NULL AS DECIMAL(18,2))
              WHEN c.limit_currency = {{ var('reporting_currency') }} THEN CAST(c.credit_limit_original AS DECIMAL(18,2))
              ELSE CAST(round({{ ratio('c.credit_limit_original', 'r.rate') }}, 2) AS DECIMAL(18,2)) END AS credit_limit
  FROM first_seen s
  JOIN {{ ref('int_month_ends') }} m ON s.first_date <= m.as_of_date
  JOIN customers c ON c.customer_id = s.customer_id
  LEFT JOIN company_state cs ON cs.company_key = c.company_key AND cs.as_of_date = m.as_of_date
  LEFT JOIN ar a ON a.customer_id = s.customer_id AND a.as_of_date = m.as_of_date
  LEFT JOIN late t ON t.customer_id = s.customer_id AND t.as_of_date = m.as_of_date
  LEFT JOIN {{ ref('int_month_end_rates') }} r
    ON c.limit_currency <> {{ var('reporting_currency') }} AND r.as_of_date = m.as_of_date AND r.currency = c.limit_currency
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
