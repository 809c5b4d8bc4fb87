-- Aging of open AR per month end, customer group and bucket: amount and count of open items.
-- Dense: every bucket of every group that has customers appears at every month end (0 when empty),
-- so trends read straight off the table. group_by 'ALL' / group_value 'ALL' rows carry the totals;
-- the `segment` column keeps the foundation's interface (segment rows and 'ALL' totals).
-- pct_of_debit_ar is a debit bucket's share of the debit balances (the debts) of its group and
-- month end; unapplied cash and credit balances are money owed to customers, not part of that base.
-- disputed_amount / disputed_count: the part of the bucket in dispute at the month end (ar_open_items).
WITH items AS (
  SELECT as_of_date, customer_id, bucket, open_amount, disputed_amount, is_disputed
  FROM {{ ref('ar_open_items') }}
),
grouped AS (
  SELECT i.as_of_date, g.group_by, g.group_value, i.bucket, i.open_amount, i.disputed_amount, i.is_disputed
  FROM items i
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = i.customer_id
  UNION ALL
  SELECT i.as_of_date, 'ALL' AS group_by, 'ALL' AS group_value, i.bucket, i.open_amount, i.disputed_amount, i.is_disputed
  FROM items i
),
totals AS (
  SELECT as_of_date, group_by, group_value, bucket, sum(open_amount) AS open_amount, count(*) AS open_count,
         sum(disputed_amount) AS disputed_amount, sum(CASE WHEN is_disputed THEN 1 ELSE 0 END) AS disputed_count
  FROM grouped
  GROUP BY as_of_date, group_by, group_value, bucket
),
debit AS (
  SELECT as_of_date, group_by, group_value, sum(open_amount) AS debit_ar
  FROM totals
  WHERE bucket NOT IN ({{ unapplied_bucket() }}, {{ credit_balance_bucket() }})
  GROUP BY as_of_date, group_by, group_value
),
frame AS (
  SELECT m.as_of_date, gv.group_by, gv.group_value, b.bucket, b.bucket_order
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN {{ ref('int_group_values') }} gv
  CROSS JOIN {{ aging_buckets() }} AS b(bucket, bucket_order)
)
SELECT
  f.as_of_date,
  f.group_by,
  f.group_value,
  CASE WHEN f.group_by IN ('segment', 'ALL') THEN f.group_value END AS segment,
  f.bucket,
  CAST(f.bucket_order AS INTEGER) AS bucket_order,
  CAST(COALESCE(t.open_amount, 0) AS DECIMAL(18,2)) AS open_amount,
  CAST(COALESCE(t.open_count, 0) AS BIGINT) AS open_count,
  {{ var('aging_basis') }} AS aging_basis,
  CASE WHEN f.bucket NOT IN ({{ unapplied_bucket() }}, {{ credit_balance_bucket() }})
       THEN {{ ratio('COALESCE(t.open_amount, 0)', 'd.debit_ar') }} * 100 END AS pct_of_debit_ar,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(f.as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete,
  CAST(COALESCE(t.disputed_amount, 0) AS DECIMAL(18,2)) AS disputed_amount,
  CAST(COALESCE(t.disputed_count, 0) AS BIGINT) AS disputed_count
FROM frame f
LEFT JOIN totals t
  ON t.as_of_date = f.as_of_date AND t.group_by = f.group_by AND t.group_value = f.group_value AND t.bucket = f.bucket
LEFT JOIN debit d
  ON d.as_of_date = f.as_of_date AND d.group_by = f.group_by AND d.group_value = f.group_value
ORDER BY f.as_of_date, f.group_by, f.group_value, f.bucket_order
