-- dso_monthly's AR at each month end equals the aging total, for every group, and groups add up to ALL.
WITH aging AS (
  SELECT as_of_date, group_by, group_value, sum(open_amount) AS aging_ar
  FROM {{ ref('ar_aging') }}
  GROUP BY as_of_date, group_by, group_value
),
dso AS (
  SELECT month_end, group_by, group_value, ar_end, credit_sales FROM {{ ref('dso_monthly') }}
),
mismatch AS (
  SELECT d.month_end, d.group_by, d.group_value, d.ar_end AS dso_ar, a.aging_ar, CAST(NULL AS DECIMAL(18,2)) AS all_sales
  FROM dso d
  LEFT JOIN aging a ON a.as_of_date = d.month_end AND a.group_by = d.group_by AND a.group_value = d.group_value
  WHERE a.aging_ar IS NULL OR a.aging_ar <> d.ar_end
),
sales_split AS (
  SELECT d.month_end, d.group_by, sum(d.credit_sales) AS group_sales
  FROM dso d WHERE d.group_by <> 'ALL'
  GROUP BY d.month_end, d.group_by
)
SELECT * FROM mismatch
UNION ALL
SELECT s.month_end, s.group_by, 'sum of groups' AS group_value, s.group_sales AS dso_ar, CAST(NULL AS DECIMAL(18,2)) AS aging_ar, t.credit_sales AS all_sales
FROM sales_split s
JOIN dso t ON t.month_end = s.month_end AND t.group_by = 'ALL'
WHERE s.group_sales <> t.credit_sales
