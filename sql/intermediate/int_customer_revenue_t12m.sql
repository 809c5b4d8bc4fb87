-- Credit sales (invoices minus credit notes) per customer in the 12 months up to each month end and
-- in the 12 months before those: the revenue and growth the priority marts rank on.
WITH ends AS (
  SELECT as_of_date,
         CAST({{ add_months('month_start', -11) }} AS DATE) AS start_12m,
         CAST({{ add_months('month_start', -23) }} AS DATE) AS start_24m
  FROM {{ ref('int_month_ends') }}
),
monthly AS (
  SELECT customer_id, CAST({{ month_start('invoice_date') }} AS DATE) AS month_start, sum(amount) AS sales
  FROM {{ ref('int_invoices') }}
  GROUP BY customer_id, CAST({{ month_start('invoice_date') }} AS DATE)
)
SELECT
  e.as_of_date,
  m.customer_id,
  CAST(sum(CASE WHEN m.month_start >= e.start_12m THEN m.sales ELSE 0 END) AS DECIMAL(18,2)) AS revenue_t12m,
  CAST(sum(CASE WHEN m.month_start < e.start_12m THEN m.sales ELSE 0 END) AS DECIMAL(18,2)) AS revenue_prev_t12m
FROM ends e
JOIN monthly m ON m.month_start >= e.start_24m AND m.month_start <= e.as_of_date
GROUP BY e.as_of_date, m.customer_id
