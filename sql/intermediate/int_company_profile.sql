-- One row per monitored company: industry (SBI 2008 section and division), size, and its credit
-- history in dates: first and last report, insolvency and exit dates. "Exit" ends monitoring as an
-- active company (bankruptcy or dissolution). Codes of another classification version than SBI 2008
-- are not mapped to a 2008 section ('unknown').
WITH reports AS (
  SELECT company_key, min(report_date) AS first_report_date, max(report_date) AS last_report_date, count(*) AS reports
  FROM {{ ref('stg_credit_reports') }}
  GROUP BY company_key
),
events AS (
  SELECT
    company_key,
    min(CASE WHEN event_type = 'bankruptcy' THEN event_date END) AS bankruptcy_date,
    min(CASE WHEN event_type IN ('bankruptcy', 'suspension_of_payments', 'debt_rescheduling') THEN event_date END) AS insolvency_date,
    min(CASE WHEN event_type = 'dissolution' THEN event_date END) AS dissolution_date
  FROM {{ ref('stg_insolvency_events') }}
  GROUP BY company_key
),
first_insolvency AS (
  SELECT company_key, min(event_type) AS insolvency_event
  FROM (
    SELECT e.company_key, e.event_type
    FROM {{ ref('stg_insolvency_events') }} e
    JOIN events f ON f.company_key = e.company_key AND e.event_date = f.insolvency_date
    WHERE e.event_type IN ('bankruptcy', 'suspension_of_payments', 'debt_rescheduling')
  ) x
  GROUP BY company_key
),
keys AS (
  SELECT company_key FROM {{ ref('stg_companies') }}
  UNION
  SELECT company_key FROM reports
  UNION
  SELECT company_key FROM events
)
SELECT
  k.company_key,
  c.name,
  c.sbi_code,
  c.sbi_version,
  CASE WHEN c.sbi_code IS NULL OR c.sbi_version <> 'SBI2008' THEN 'unknown' ELSE {{ sbi_section('c.sbi_code') }} END AS sbi_section,
  CASE WHEN c.sbi_code IS NULL OR c.sbi_version <> 'SBI2008' THEN 'unknown' ELSE substr(c.sbi_code, 1, 2) END AS sbi_division,
  COALESCE(c.size_class, 'unknown') AS size_class,
  r.first_report_date,
  r.last_report_date,
  COALESCE(r.reports, 0) AS reports,
  e.bankruptcy_date,
  e.insolvency_date,
  fi.insolvency_event,
  e.dissolution_date,
  CASE
    WHEN e.bankruptcy_date IS NULL THEN e.dissolution_date
    WHEN e.dissolution_date IS NULL OR e.bankruptcy_date <= e.dissolution_date THEN e.bankruptcy_date
    ELSE e.dissolution_date
  END AS exit_date
FROM keys k
LEFT JOIN {{ ref('stg_companies') }} c ON c.company_key = k.company_key
LEFT JOIN reports r ON r.company_key = k.company_key
LEFT JOIN events e ON e.company_key = k.company_key
LEFT JOIN first_insolvency fi ON fi.company_key = k.company_key
