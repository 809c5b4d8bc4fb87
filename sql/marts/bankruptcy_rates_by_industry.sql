-- Bankruptcy rate by industry (metrics.md, "Risk, industries and segments"), per month, quarter and
-- year × SBI section (and division), with 'ALL' totals:
--   monitored_at_start = companies with a credit report before the period start, whose latest
--     report is at most cr_monitoring_grace_days before it, and that had not gone bankrupt or been
--     dissolved before it (customers and prospects alike);
--   bankruptcies = those of them with a bankruptcy event in the period; rate per 1,000.
-- Beside it: the change vs the previous period; the national CBS rate where CBS covers the period
-- exactly (bankruptcies of all debtors of the section / firms of the section, 81589NED 2021 Q1), and a
-- baseline for any period (CBS mean monthly rate × months in the period); the open AR of our
-- customers among the bankrupt companies at the bankruptcy date, and what was written off from then on.
WITH profile AS (
  SELECT company_key, sbi_section, sbi_division, first_report_date, last_report_date, exit_date, bankruptcy_date
  FROM {{ ref('int_company_profile') }}
  WHERE first_report_date IS NOT NULL
),
bounds AS (
  SELECT min(first_report_date) AS first_date,
         max(CASE WHEN exit_date IS NOT NULL AND exit_date > last_report_date THEN exit_date ELSE last_report_date END) AS last_date
  FROM profile
),
months AS (
  SELECT CAST(s.m AS DATE) AS month_start, bounds.last_date
  FROM bounds
  CROSS JOIN UNNEST({{ month_start_sequence('bounds.first_date', 'bounds.last_date') }}) AS s(m)
  WHERE bounds.first_date IS NOT NULL
),
period_starts AS (
  SELECT 'month' AS period_type, month_start AS period_start, 1 AS months, last_date FROM months
  UNION ALL
  SELECT 'quarter' AS period_type, month_start AS period_start, 3 AS months, last_date FROM months WHERE month(month_start) IN (1, 4, 7, 10)
  UNION ALL
  SELECT 'year' AS period_type, month_start AS period_start, 12 AS months, last_date FROM months WHERE month(month_start) = 1
),
periods AS (
  SELECT period_type, period_start, months, last_date,
         CAST({{ add_months('period_start', 'months') }} AS DATE) AS period_end_excl
  FROM period_starts
),
monitored AS (
  SELECT p.period_type, p.period_start, c.company_key, c.sbi_section, c.sbi_division, c.bankruptcy_date,
         CASE WHEN c.bankruptcy_date >= p.period_start AND c.bankruptcy_date < p.period_end_excl THEN 1 ELSE 0 END AS bankrupt
  FROM periods p
  JOIN profile c
    ON c.first_report_date < p.period_start
   AND {{ days_between('c.last_report_date', 'p.period_start') }} <= {{ var('cr_monitoring_grace_days') }}
   AND (c.exit_date IS NULL OR c.exit_date >= p.period_start)
),
-- Our exposure to each bankrupt company: its customers' documents open at the bankruptcy date.
bankrupt_customers AS (
  SELECT DISTINCT m.company_key, m.bankruptcy_date, cc.customer_id
  FROM monitored m
  JOIN {{ ref('int_customer_companies') }} cc ON cc.company_key = m.company_key
  WHERE m.bankrupt = 1
),
open_docs AS (
  SELECT b.company_key, b.bankruptcy_date, i.document_id, i.amount
  FROM bankrupt_customers b
  JOIN {{ ref('int_invoices') }} i
    ON i.customer_id = b.customer_id AND i.invoice_date <= b.bankruptcy_date
   AND (i.settled_date IS NULL OR i.settled_date > b.bankruptcy_date)
),
doc_paid AS (
  SELECT d.company_key, d.document_id, sum(a.amount) AS paid
  FROM open_docs d
  JOIN {{ ref('int_payment_allocations') }} a ON a.document_id = d.document_id
  JOIN {{ ref('int_payments') }} p ON p.payment_id = a.payment_id AND p.payment_date <= d.bankruptcy_date
  GROUP BY d.company_key, d.document_id
),
doc_written AS (
  SELECT d.company_key, d.document_id, sum(w.amount) AS written
  FROM open_docs d
  JOIN {{ ref('int_write_offs') }} w ON w.document_id = d.document_id AND w.write_off_date <= d.bankruptcy_date
  GROUP BY d.company_key, d.document_id
),
exposure AS (
  SELECT d.company_key, sum(d.amount - COALESCE(p.paid, 0) - COALESCE(w.written, 0)) AS open_ar
  FROM open_docs d
  LEFT JOIN doc_paid p ON p.company_key = d.company_key AND p.document_id = d.document_id
  LEFT JOIN doc_written w ON w.company_key = d.company_key AND w.document_id = d.document_id
  GROUP BY d.company_key
),
written_off AS (
  SELECT b.company_key, sum(w.amount) AS written_off
  FROM bankrupt_customers b
  JOIN {{ ref('int_write_offs') }} w ON w.customer_id = b.customer_id AND w.write_off_date >= b.bankruptcy_date
  GROUP BY b.company_key
),
per_company AS (
  SELECT m.period_type, m.period_start, m.sbi_section, m.sbi_division, m.company_key, m.bankrupt,
         CASE WHEN m.bankrupt = 1 AND EXISTS (SELECT 1 FROM bankrupt_customers b WHERE b.company_key = m.company_key) THEN 1 ELSE 0 END AS customer_bankrupt,
         CASE WHEN m.bankrupt = 1 THEN COALESCE(e.open_ar, 0) ELSE 0 END AS open_ar,
         CASE WHEN m.bankrupt = 1 THEN COALESCE(w.written_off, 0) ELSE 0 END AS written_off
  FROM monitored m
  LEFT JOIN exposure e ON e.company_key = m.company_key
  LEFT JOIN written_off w ON w.company_key = m.company_key
),
grouped AS (
  SELECT period_type, period_start, sbi_section, 'ALL' AS sbi_division, company_key, bankrupt, customer_bankrupt, open_ar, written_off FROM per_company
  UNION ALL
  SELECT period_type, period_start, sbi_section, sbi_division, company_key, bankrupt, customer_bankrupt, open_ar, written_off FROM per_company WHERE sbi_division <> 'unknown'
  UNION ALL
  SELECT period_type, period_start, 'ALL' AS sbi_section, 'ALL' AS sbi_division, company_key, bankrupt, customer_bankrupt, open_ar, written_off FROM per_company
),
totals AS (
  SELECT period_type, period_start, sbi_section, sbi_division,
         count(*) AS monitored, sum(bankrupt) AS bankruptcies, sum(customer_bankrupt) AS customer_bankruptcies,
         sum(open_ar) AS open_ar, sum(written_off) AS written_off
  FROM grouped
  GROUP BY period_type, period_start, sbi_section, sbi_division
),
group_values AS (
  SELECT DISTINCT sbi_section, sbi_division FROM grouped
),
frame AS (
  SELECT p.period_type, p.period_start, p.period_end_excl, p.months, p.last_date, g.sbi_section, g.sbi_division
  FROM periods p
  CROSS JOIN group_values g
),
-- CBS national baseline: all debtors, per month and section ('A-U' = ALL).
cbs_months AS (
  SELECT CASE WHEN b.branch_code = 'A-U' THEN 'ALL' ELSE b.sbi_section END AS sbi_section,
         b.period_start, b.period_label, b.provisional_mark, b.bankruptcies, f.firms
  FROM {{ ref('ref_cbs_bankruptcies') }} b
  JOIN {{ ref('ref_cbs_firms') }} f ON f.branch_code = b.branch_code
  WHERE b.debtor_type = 'Bedrijven, instellingen en eenmanszaken' AND b.period_type = 'month'
    AND (b.sbi_section IS NOT NULL OR b.branch_code = 'A-U')
),
cbs_baseline AS (
  SELECT sbi_section, avg(1000 * {{ ratio('bankruptcies', 'firms') }}) AS monthly_rate,
         min(period_start) AS first_month, max(period_start) AS last_month
  FROM cbs_months GROUP BY sbi_section
),
cbs_labels AS (
  SELECT c.sbi_section, min(CASE WHEN c.period_start = b.first_month THEN c.period_label || c.provisional_mark END) AS first_label,
         min(CASE WHEN c.period_start = b.last_month THEN c.period_label || c.provisional_mark END) AS last_label
  FROM cbs_months c JOIN cbs_baseline b ON b.sbi_section = c.sbi_section
  GROUP BY c.sbi_section
),
national AS (
  SELECT f.period_type, f.period_start, f.sbi_section,
         count(*) AS months_covered, sum(c.bankruptcies) AS bankruptcies, max(c.firms) AS firms,
         max(CASE WHEN c.provisional_mark <> '' THEN 1 ELSE 0 END) AS provisional
  FROM (SELECT DISTINCT period_type, period_start, period_end_excl, sbi_section FROM frame) f
  JOIN cbs_months c ON c.sbi_section = f.sbi_section AND c.period_start >= f.period_start AND c.period_start < f.period_end_excl
  GROUP BY f.period_type, f.period_start, f.sbi_section
),
rates AS (
  SELECT
    f.period_type, f.period_start,
    CAST({{ add_days('f.period_end_excl', -1) }} AS DATE) AS period_end,
    CASE WHEN {{ add_days('f.period_end_excl', -1) }} <= f.last_date THEN true ELSE false END AS period_complete,
    f.sbi_section, f.sbi_division, f.months,
    CAST(COALESCE(t.monitored, 0) AS BIGINT) AS monitored_at_start,
    CAST(COALESCE(t.bankruptcies, 0) AS BIGINT) AS bankruptcies,
    CAST(COALESCE(t.customer_bankruptcies, 0) AS BIGINT) AS customer_bankruptcies,
    1000 * {{ ratio('t.bankruptcies', 't.monitored') }} AS rate_per_1000,
    CAST(COALESCE(t.open_ar, 0) AS DECIMAL(18,2)) AS open_ar_at_bankruptcy,
    CAST(COALESCE(t.written_off, 0) AS DECIMAL(18,2)) AS written_off
  FROM frame f
  LEFT JOIN totals t
    ON t.period_type = f.period_type AND t.period_start = f.period_start AND t.sbi_section = f.sbi_section AND t.sbi_division = f.sbi_division
)
SELECT
  r.period_type,
  r.period_start,
  r.period_end,
  r.period_complete,
  -- the name every other time-bucketed mart uses (issue 11); period_complete stays for its readers
  r.period_complete AS is_complete,
  r.sbi_section,
  r.sbi_division,
  r.monitored_at_start,
  r.bankruptcies,
  r.customer_bankruptcies,
  r.rate_per_1000,
  lag(r.rate_per_1000) OVER (PARTITION BY r.period_type, r.sbi_section, r.sbi_division ORDER BY r.period_start) AS prev_rate_per_1000,
  r.rate_per_1000 - lag(r.rate_per_1000) OVER (PARTITION BY r.period_type, r.sbi_section, r.sbi_division ORDER BY r.period_start) AS rate_change_per_1000,
  CASE WHEN r.sbi_division = 'ALL' AND n.months_covered = r.months THEN 1000 * {{ ratio('n.bankruptcies', 'n.firms') }} END AS national_rate_per_1000,
  CASE WHEN r.sbi_division = 'ALL' AND n.months_covered = r.months THEN n.provisional = 1 END AS national_provisional,
  CASE WHEN r.sbi_division = 'ALL' THEN b.monthly_rate * r.months END AS national_baseline_per_1000,
  CASE WHEN r.sbi_division = 'ALL' AND b.sbi_section IS NOT NULL
       THEN 'CBS ' || l.first_label || ' - ' || l.last_label || ' (82244NED / 81589NED)' END AS national_baseline_period,
  r.open_ar_at_bankruptcy,
  r.written_off
FROM rates r
LEFT JOIN national n ON n.period_type = r.period_type AND n.period_start = r.period_start AND n.sbi_section = r.sbi_section
LEFT JOIN cbs_baseline b ON b.sbi_section = r.sbi_section
LEFT JOIN cbs_labels l ON l.sbi_section = r.sbi_section
ORDER BY r.period_type, r.period_start, r.sbi_section, r.sbi_division
