-- Open invoices per month end, customer group and overdue bucket ("openstaande facturen per
-- 14/30/60/90 dagen"): count and amount of invoices with a positive open amount, bucketed by days past
-- their due date with the edges of config open_invoice_counts.bucket_edges (default 14/30/60/90:
-- not due, 1-14, 15-30, 31-60, 61-90, >90). The *_this_or_older columns add up the bucket and every
-- older one, so the '15-30' row answers "how many invoices are more than 14 days overdue".
-- Credit notes, unapplied cash and overpaid invoices are not open invoices and are left out.
-- Dense: every bucket of every group at every month end; 'ALL' rows carry the totals.
WITH invoices AS (
  SELECT as_of_date, customer_id, open_amount, CAST({{ days_between('due_date', 'as_of_date') }} AS INTEGER) AS days_past_due
  FROM {{ ref('ar_open_items') }}
  WHERE document_type = 'invoice' AND open_amount > 0
),
bucketed AS (
  SELECT as_of_date, customer_id, open_amount, {{ open_invoice_bucket('days_past_due') }} AS bucket
  FROM invoices
),
grouped AS (
  SELECT b.as_of_date, g.group_by, g.group_value, b.bucket, b.open_amount
  FROM bucketed b
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = b.customer_id
  UNION ALL
  SELECT as_of_date, 'ALL' AS group_by, 'ALL' AS group_value, bucket, open_amount
  FROM bucketed
),
totals AS (
  SELECT as_of_date, group_by, group_value, bucket, count(*) AS open_count, sum(open_amount) AS open_amount
  FROM grouped
  GROUP BY as_of_date, group_by, group_value, bucket
),
frame AS (
  SELECT m.as_of_date, gv.group_by, gv.group_value, b.bucket, b.bucket_order, b.min_days, b.max_days,
         CAST(COALESCE(t.open_count, 0) AS BIGINT) AS open_count,
         CAST(COALESCE(t.open_amount, 0) AS DECIMAL(18,2)) AS open_amount
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN {{ ref('int_group_values') }} gv
  CROSS JOIN {{ open_invoice_buckets() }} AS b(bucket, bucket_order, min_days, max_days)
  LEFT JOIN totals t
    ON t.as_of_date = m.as_of_date AND t.group_by = gv.group_by AND t.group_value = gv.group_value AND t.bucket = b.bucket
)
SELECT
  as_of_date,
  group_by,
  group_value,
  CASE WHEN group_by IN ('segment', 'ALL') THEN group_value END AS segment,
  bucket,
  CAST(bucket_order AS INTEGER) AS bucket_order,
  CAST(min_days AS INTEGER) AS min_days_past_due,
  CAST(max_days AS INTEGER) AS max_days_past_due,
  open_count,
  open_amount,
  CAST(sum(open_count) OVER (
    PARTITION BY as_of_date, group_by, group_value ORDER BY bucket_order DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  ) AS BIGINT) AS count_this_or_older,
  CAST(sum(open_amount) OVER (
    PARTITION BY as_of_date, group_by, group_value ORDER BY bucket_order DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
  ) AS DECIMAL(18,2)) AS amount_this_or_older,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM frame
ORDER BY as_of_date, group_by, group_value, bucket_order
