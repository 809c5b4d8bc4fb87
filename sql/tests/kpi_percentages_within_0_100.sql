-- Percentages on debit balances stay within 0–100 (a tiny tolerance absorbs floating-point
-- rounding): % current, CEI and the overdue share in dso_monthly and kpi_summary, and each debit
-- bucket's share in ar_aging. A credit balance that leaked into the overdue side would push one of
-- them out (the reproductions of issue 11 showed CEI 133 %, % current 400 %, overdue −300 %).
SELECT 'dso_monthly' AS mart, CAST(month AS VARCHAR) AS at, group_by || ':' || group_value AS what,
       pct_current AS pct_current, cei AS cei, CAST(NULL AS DOUBLE) AS other
FROM {{ ref('dso_monthly') }}
WHERE pct_current < -1e-9 OR pct_current > 100 + 1e-9 OR cei < -1e-9 OR cei > 100 + 1e-9
UNION ALL
SELECT 'kpi_summary', CAST(month AS VARCHAR), 'ALL', pct_current, cei, overdue_pct
FROM {{ ref('kpi_summary') }}
WHERE pct_current < -1e-9 OR pct_current > 100 + 1e-9 OR cei < -1e-9 OR cei > 100 + 1e-9
   OR overdue_pct < -1e-9 OR overdue_pct > 100 + 1e-9
UNION ALL
SELECT 'ar_aging', CAST(as_of_date AS VARCHAR), group_by || ':' || group_value || ':' || bucket, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), pct_of_debit_ar
FROM {{ ref('ar_aging') }}
WHERE pct_of_debit_ar < -1e-9 OR pct_of_debit_ar > 100 + 1e-9
