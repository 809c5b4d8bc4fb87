-- The DSO family per calendar month and customer group (metrics.md, "DSO family"), with 'ALL' totals.
-- AR figures come from ar_open_items at the month end (unapplied cash included); credit sales are
-- invoices minus credit notes dated in the month. Every variant is stored; `dso` holds the one
-- chosen by config dso.method and `dso_method` says which.
-- DSO itself is on net AR (ar_end, credit balances netted). The overdue side is on debit balances:
-- a credit balance (unapplied cash, a document with a negative open amount) is never overdue, so
-- overdue_ar_end ≥ 0, avg_days_delinquent = overdue / sales × days, CEI = collections / (collections
-- + overdue debt) stays within 0–100 and % current is the current share of the debit balances.
WITH months AS (
  SELECT as_of_date AS month_end, month_start, days_in_month, days_elapsed, is_complete
  FROM {{ ref('int_month_ends') }}
),
documents AS (
  SELECT CAST({{ month_start('invoice_date') }} AS DATE) AS month_start, customer_id, amount
  FROM {{ ref('int_invoices') }}
),
-- per customer and month first: the group join then sees customer-months, not every invoice
customer_sales AS (
  SELECT month_start, customer_id, sum(amount) AS amount
  FROM documents
  GROUP BY month_start, customer_id
),
sales AS (
  SELECT month_start, group_by, group_value, sum(amount) AS credit_sales
  FROM (
    SELECT d.month_start, g.group_by, g.group_value, d.amount
    FROM customer_sales d
    JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = d.customer_id
    UNION ALL
    SELECT d.month_start, 'ALL' AS group_by, 'ALL' AS group_value, d.amount
    FROM customer_sales d
  ) s
  GROUP BY month_start, group_by, group_value
),
-- AR at each month end from the open items' stretches (int_ar_open_changes, as in ar_aging): every
-- stretch of an open item adds to the month end it starts and subtracts at the one it stops; running
-- sums over the months in `base` give what is open at each month end.
ar_grouped AS (
  SELECT as_of_date, group_by, group_value,
         sum(d_amount) AS d_ar,
         sum(CASE WHEN is_current THEN d_amount ELSE 0 END) AS d_current,
         sum(CASE WHEN is_credit_balance THEN 0 ELSE d_amount END) AS d_debit,
         sum(CASE WHEN is_credit_balance THEN d_amount ELSE 0 END) AS d_credit,
         sum(CASE WHEN is_current AND NOT is_credit_balance THEN d_amount ELSE 0 END) AS d_current_debit
  FROM {{ ref('int_ar_open_changes') }}
  GROUP BY as_of_date, group_by, group_value
),
ar AS (
  SELECT m.month_end AS as_of_date, gv.group_by, gv.group_value,
         sum(COALESCE(a.d_ar, 0)) OVER (PARTITION BY gv.group_by, gv.group_value ORDER BY m.month_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ar_end,
         sum(COALESCE(a.d_current, 0)) OVER (PARTITION BY gv.group_by, gv.group_value ORDER BY m.month_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS current_ar_end,
         sum(COALESCE(a.d_debit, 0)) OVER (PARTITION BY gv.group_by, gv.group_value ORDER BY m.month_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS debit_ar_end,
         sum(COALESCE(a.d_credit, 0)) OVER (PARTITION BY gv.group_by, gv.group_value ORDER BY m.month_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS credit_balances_end,
         sum(COALESCE(a.d_current_debit, 0)) OVER (PARTITION BY gv.group_by, gv.group_value ORDER BY m.month_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS current_debit_ar_end
  FROM months m
  CROSS JOIN {{ ref('int_group_values') }} gv
  LEFT JOIN ar_grouped a
    ON a.as_of_date = m.month_end AND a.group_by = gv.group_by AND a.group_value = gv.group_value
),
base AS (
  SELECT
    m.month_start,
    m.month_end,
    m.days_in_month,
    -- a partial month (the export stops inside it) has only the days up to the data end of sales
    m.days_elapsed AS days,
    m.is_complete,
    gv.group_by,
    gv.group_value,
    CAST(COALESCE(s.credit_sales, 0) AS DECIMAL(18,2)) AS credit_sales,
    CAST(COALESCE(a.ar_end, 0) AS DECIMAL(18,2)) AS ar_end,
    CAST(COALESCE(a.current_ar_end, 0) AS DECIMAL(18,2)) AS current_ar_end,
    CAST(COALESCE(a.debit_ar_end, 0) AS DECIMAL(18,2)) AS debit_ar_end,
    CAST(COALESCE(a.credit_balances_end, 0) AS DECIMAL(18,2)) AS credit_balances_end,
    CAST(COALESCE(a.current_debit_ar_end, 0) AS DECIMAL(18,2)) AS current_debit_ar_end
  FROM months m
  CROSS JOIN {{ ref('int_group_values') }} gv
  LEFT JOIN sales s
    ON s.month_start = m.month_start AND s.group_by = gv.group_by AND s.group_value = gv.group_value
  LEFT JOIN ar a
    ON a.as_of_date = m.month_end AND a.group_by = gv.group_by AND a.group_value = gv.group_value
),
windowed AS (
  SELECT
    base.*,
    CAST(COALESCE(lag(ar_end) OVER (PARTITION BY group_by, group_value ORDER BY month_start), 0) AS DECIMAL(18,2)) AS ar_begin,
    sum(credit_sales) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS sales_3m,
    sum(days) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS days_3m,
    count(*) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS months_3m
  FROM base
),
-- Countback: pair each month P with P, P-1, P-2, … and run the sales and days backwards from P.
walk AS (
  SELECT
    p.group_by,
    p.group_value,
    p.month_start,
    p.ar_end,
    k.credit_sales AS walk_sales,
    k.days AS walk_days,
    sum(k.credit_sales) OVER (
      PARTITION BY p.group_by, p.group_value, p.month_start ORDER BY k.month_start DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_sales,
    sum(k.days) OVER (
      PARTITION BY p.group_by, p.group_value, p.month_start ORDER BY k.month_start DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_days,
    row_number() OVER (PARTITION BY p.group_by, p.group_value, p.month_start ORDER BY k.month_start DESC) AS step
  FROM base p
  JOIN base k
    ON k.group_by = p.group_by AND k.group_value = p.group_value AND k.month_start <= p.month_start
),
bounded AS (
  SELECT * FROM walk WHERE step <= {{ var('countback_max_months') }}
),
-- The first month, walking back, whose sales use up the AR left: the walk stops inside it.
exhausted AS (
  SELECT *
  FROM (
    SELECT bounded.*, row_number() OVER (PARTITION BY group_by, group_value, month_start ORDER BY step) AS hit
    FROM bounded
    WHERE cum_sales >= ar_end
  ) x
  WHERE hit = 1
),
walked AS (
  SELECT group_by, group_value, month_start, max(step) AS steps, max(cum_days) AS days
  FROM bounded
  GROUP BY group_by, group_value, month_start
),
countback AS (
  SELECT
    w.group_by,
    w.group_value,
    w.month_start,
    CASE
      WHEN b.ar_end <= 0 THEN CAST(0 AS DOUBLE)
      WHEN e.step IS NULL THEN CAST(w.days AS DOUBLE)
      ELSE CAST(e.cum_days - e.walk_days AS DOUBLE)
           + {{ ratio('e.ar_end - (e.cum_sales - e.walk_sales)', 'e.walk_sales') }} * e.walk_days
    END AS dso_countback,
    CAST(CASE WHEN b.ar_end <= 0 THEN 0 WHEN e.step IS NULL THEN w.steps ELSE e.step END AS INTEGER) AS countback_months,
    CASE WHEN b.ar_end <= 0 OR e.step IS NOT NULL THEN true ELSE false END AS countback_complete
  FROM walked w
  JOIN base b ON b.group_by = w.group_by AND b.group_value = w.group_value AND b.month_start = w.month_start
  LEFT JOIN exhausted e ON e.group_by = w.group_by AND e.group_value = w.group_value AND e.month_start = w.month_start
),
metrics AS (
  SELECT
    wd.*,
    c.dso_countback,
    c.countback_months,
    c.countback_complete,
    -- Days of sales need sales: a month whose credit notes outweigh its invoices has no DSO.
    CASE WHEN wd.credit_sales > 0 THEN {{ ratio('wd.ar_end', 'wd.credit_sales') }} * wd.days END AS dso_period_end,
    CASE WHEN wd.credit_sales > 0 THEN {{ ratio('wd.ar_begin + wd.ar_end', '2 * wd.credit_sales') }} * wd.days END AS dso_average_ar,
    CASE WHEN wd.months_3m = 3 AND wd.sales_3m > 0 THEN {{ ratio('wd.ar_end', 'wd.sales_3m') }} * wd.days_3m END AS dso_3m,
    CASE WHEN wd.credit_sales > 0 THEN {{ ratio('wd.current_ar_end', 'wd.credit_sales') }} * wd.days END AS bpdso,
    -- ar_begin + sales − ar_end is what the month collected (cash, settlements, write-offs); with
    -- refunds or reversals outweighing it there is nothing to measure effectiveness on.
    CASE WHEN wd.ar_begin + wd.credit_sales - wd.ar_end >= 0 THEN
      {{ ratio('wd.ar_begin + wd.credit_sales - wd.ar_end', 'wd.ar_begin + wd.credit_sales - wd.current_ar_end') }} * 100
    END AS cei,
    {{ ratio('wd.current_debit_ar_end', 'wd.debit_ar_end') }} * 100 AS pct_current
  FROM windowed wd
  JOIN countback c ON c.group_by = wd.group_by AND c.group_value = wd.group_value AND c.month_start = wd.month_start
),
chosen AS (
  SELECT
    metrics.*,
    CASE {{ var('dso_method') }}
      WHEN 'average_ar' THEN dso_average_ar
      WHEN 'three_month' THEN dso_3m
      WHEN 'countback' THEN dso_countback
      ELSE dso_period_end
    END AS dso
  FROM metrics
)
SELECT
  month_start AS month,
  month_end,
  days_in_month,
  group_by,
  group_value,
  CASE WHEN group_by IN ('segment', 'ALL') THEN group_value END AS segment,
  credit_sales,
  ar_begin,
  ar_end,
  current_ar_end,
  CAST(ar_end - current_ar_end AS DECIMAL(18,2)) AS overdue_ar_end,
  dso,
  {{ var('dso_method') }} AS dso_method,
  dso_period_end,
  dso_average_ar,
  dso_3m,
  dso_countback,
  countback_months,
  countback_complete,
  bpdso,
  dso_period_end - bpdso AS avg_days_delinquent,
  cei,
  1 AS cei_months,
  pct_current,
  dso - lag(dso) OVER (PARTITION BY group_by, group_value ORDER BY month_start) AS dso_change,
  debit_ar_end,
  credit_balances_end,
  current_debit_ar_end,
  is_complete,
  CAST(days AS INTEGER) AS days_elapsed
FROM chosen
ORDER BY month_start, group_by, group_value
