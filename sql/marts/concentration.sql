-- Customer concentration at every month end (docs/metrics.md, "Concentration"):
--  * revenue: each customer's trailing-12-month credit sales (invoices minus credit notes dated in the
--    12 calendar months ending with the month); customers with positive T12M revenue are ranked.
--  * open AR: each customer's open AR at the month end (ar_open_items, unapplied cash netted);
--    customers with a positive balance are ranked.
-- For both: the top group is the ceil(top_fraction × customers) largest (config
-- concentration.top_fraction, default 0.2: the 80/20 check), the top-N the N largest (config
-- concentration.top_n, default 10), and HHI = Σ (100 × share)², 0 to 10,000, over the ranked customers.
-- Ties in size are broken by customer_id.
WITH months AS (
  SELECT month_start, as_of_date AS month_end FROM {{ ref('int_month_ends') }}
),
monthly_sales AS (
  SELECT customer_id, CAST({{ month_start('invoice_date') }} AS DATE) AS month_start, sum(amount) AS sales
  FROM {{ ref('int_invoices') }}
  GROUP BY customer_id, CAST({{ month_start('invoice_date') }} AS DATE)
),
revenue AS (
  SELECT m.month_start, s.customer_id, sum(s.sales) AS amount
  FROM months m
  JOIN monthly_sales s
    ON s.month_start <= m.month_start AND s.month_start > {{ add_months('m.month_start', -12) }}
  GROUP BY m.month_start, s.customer_id
),
open_ar AS (
  SELECT m.month_start, o.customer_id, sum(o.open_amount) AS amount
  FROM {{ ref('ar_open_items') }} o
  JOIN months m ON m.month_end = o.as_of_date
  GROUP BY m.month_start, o.customer_id
),
measures AS (
  SELECT 'revenue' AS measure, month_start, customer_id, amount FROM revenue WHERE amount > 0
  UNION ALL
  SELECT 'open_ar' AS measure, month_start, customer_id, amount FROM open_ar WHERE amount > 0
),
ranked AS (
  SELECT measure, month_start, customer_id, amount,
         row_number() OVER (PARTITION BY measure, month_start ORDER BY amount DESC, customer_id) AS position,
         count(*) OVER (PARTITION BY measure, month_start) AS customers,
         sum(amount) OVER (PARTITION BY measure, month_start) AS total
  FROM measures
),
summary AS (
  SELECT
    measure,
    month_start,
    max(customers) AS customers,
    sum(amount) AS total,
    CAST(ceiling(CAST({{ var('concentration_top_fraction') }} AS DECIMAL(9,6)) * max(customers)) AS BIGINT) AS top_customers,
    sum(CASE WHEN position <= ceiling(CAST({{ var('concentration_top_fraction') }} AS DECIMAL(9,6)) * customers) THEN amount ELSE 0 END) AS top_amount,
    sum(CASE WHEN position <= {{ var('concentration_top_n') }} THEN amount ELSE 0 END) AS top_n_amount,
    sum(power(100 * {{ ratio('amount', 'total') }}, 2)) AS hhi
  FROM ranked
  GROUP BY measure, month_start
),
revenue_window AS (
  SELECT m.month_start, CAST(count(*) AS INTEGER) AS window_months
  FROM months m
  JOIN months w ON w.month_start <= m.month_start AND w.month_start > {{ add_months('m.month_start', -12) }}
  GROUP BY m.month_start
)
SELECT
  m.month_start AS month,
  m.month_end,
  rw.window_months,
  CAST({{ var('concentration_top_fraction') }} AS DOUBLE) AS top_fraction,
  CAST({{ var('concentration_top_n') }} AS INTEGER) AS top_n,
  CAST(COALESCE(r.customers, 0) AS BIGINT) AS customers_with_revenue,
  CAST(COALESCE(r.total, 0) AS DECIMAL(18,2)) AS revenue_t12m,
  CAST(COALESCE(r.top_customers, 0) AS BIGINT) AS top_customers_revenue,
  {{ ratio('r.top_amount', 'r.total') }} AS top_fraction_revenue_share,
  {{ ratio('r.top_n_amount', 'r.total') }} AS top_n_revenue_share,
  r.hhi AS hhi_revenue,
  CAST(COALESCE(a.customers, 0) AS BIGINT) AS customers_with_open_ar,
  CAST(COALESCE(a.total, 0) AS DECIMAL(18,2)) AS open_ar,
  CAST(COALESCE(a.top_customers, 0) AS BIGINT) AS top_customers_open_ar,
  {{ ratio('a.top_amount', 'a.total') }} AS top_fraction_open_ar_share,
  {{ ratio('a.top_n_amount', 'a.total') }} AS top_n_open_ar_share,
  a.hhi AS hhi_open_ar,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(m.month_end < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM months m
JOIN revenue_window rw ON rw.month_start = m.month_start
LEFT JOIN summary r ON r.measure = 'revenue' AND r.month_start = m.month_start
LEFT JOIN summary a ON a.measure = 'open_ar' AND a.month_start = m.month_start
ORDER BY m.month_start
