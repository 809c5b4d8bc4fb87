-- Trailing-12-month bankruptcy rate per SBI section at every month end (and 'ALL'): companies
-- monitored and active at the start of the 12 months (first report before it, latest report no
-- more than cr_monitoring_grace_days before it, no bankruptcy or dissolution before it) that went
-- bankrupt in the 12 months, per 1,000. The same rate three months earlier says whether it rises.
WITH ends AS (
  SELECT as_of_date, CAST({{ add_days('as_of_date', 1) }} AS DATE) AS next_day,
         CAST({{ add_months('month_start', -3) }} AS DATE) AS month_start_3m_ago
  FROM {{ ref('int_month_ends') }}
),
windows AS (
  SELECT as_of_date, CAST({{ add_months('next_day', -12) }} AS DATE) AS window_start, next_day AS window_end,
         CAST({{ month_end('month_start_3m_ago') }} AS DATE) AS as_of_3m_ago
  FROM ends
),
companies AS (
  SELECT company_key, sbi_section, first_report_date, last_report_date, exit_date, bankruptcy_date
  FROM {{ ref('int_company_profile') }}
  WHERE first_report_date IS NOT NULL
),
monitored AS (
  SELECT w.as_of_date, w.as_of_3m_ago, c.sbi_section,
         CASE WHEN c.bankruptcy_date >= w.window_start AND c.bankruptcy_date < w.window_end THEN 1 ELSE 0 END AS bankrupt
  FROM windows w
  JOIN companies c
    ON c.first_report_date < w.window_start
   AND {{ days_between('c.last_report_date', 'w.window_start') }} <= {{ var('cr_monitoring_grace_days') }}
   AND (c.exit_date IS NULL OR c.exit_date >= w.window_start)
),
rates AS (
  SELECT as_of_date, as_of_3m_ago, sbi_section, count(*) AS monitored, sum(bankrupt) AS bankruptcies
  FROM monitored GROUP BY as_of_date, as_of_3m_ago, sbi_section
  UNION ALL
  SELECT as_of_date, as_of_3m_ago, 'ALL' AS sbi_section, count(*) AS monitored, sum(bankrupt) AS bankruptcies
  FROM monitored GROUP BY as_of_date, as_of_3m_ago
)
SELECT
  r.as_of_date,
  r.sbi_section,
  CAST(r.monitored AS BIGINT) AS monitored_at_start,
  CAST(r.bankruptcies AS BIGINT) AS bankruptcies,
  1000 * {{ ratio('r.bankruptcies', 'r.monitored') }} AS rate_per_1000,
  1000 * {{ ratio('p.bankruptcies', 'p.monitored') }} AS rate_per_1000_3m_ago,
  -- Rising: at least two bankruptcies, more than three months earlier, and the rate up by the factor.
  CASE WHEN r.bankruptcies >= 2 AND r.bankruptcies > COALESCE(p.bankruptcies, 0)
        AND {{ ratio('r.bankruptcies', 'r.monitored') }} >= {{ var('cr_industry_rise_factor') }} * COALESCE({{ ratio('p.bankruptcies', 'p.monitored') }}, 0)
       THEN true ELSE false END AS rising
FROM rates r
LEFT JOIN rates p
  ON p.sbi_section = r.sbi_section AND p.as_of_date = r.as_of_3m_ago
