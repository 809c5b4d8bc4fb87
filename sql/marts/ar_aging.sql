-- Aging of open AR per month end, customer group and bucket: amount and count of open items.
-- Dense: every bucket of every group that has customers appears at every month end (0 when empty),
-- so trends read straight off the table. group_by 'ALL' / group_value 'ALL' rows carry the totals;
-- the `segment` column keeps the foundation's interface (segment rows and 'ALL' totals).
-- pct_of_debit_ar is a debit bucket's share of the debit balances (the debts) of its group and
-- month end; unapplied cash and credit balances are money owed to customers, not part of that base.
-- Computed from int_ar_open_stretches, not by summing ar_open_items: each stretch of an open item
-- adds its amount and a count of one at the month end it starts and takes them away at the month end
-- it stops (int_ar_open_changes); a running sum over the month ends gives what is open at each (the
-- same figures as ar_open_items, at a cost that grows with items × changes, not items × months open).
WITH grouped AS (
  SELECT as_of_date, group_by, group_value, bucket, sum(d_amount) AS d_amount, sum(d_count) AS d_count
  FROM {{ ref('int_ar_open_changes') }}
  GROUP BY as_of_date, group_by, group_value, bucket
),
-- disputed_amount / disputed_count: the part of the bucket in dispute at the month end, as in
-- ar_open_items (disputes open at the month end per AR item, matched to the item's stretch there;
-- the disputed part of a debit balance is at most its open amount, a foreign-currency part converts
-- in proportion to the revalued open amount). Disputes are few: they are joined per month end.
open_disputes AS (
  SELECT m.as_of_date, a.item_id, sum(d.disputed_amount_original) AS disputed_original
  FROM {{ ref('int_disputes') }} d
  JOIN {{ ref('int_ar_documents') }} a ON a.document_id = d.document_id
  JOIN {{ ref('int_month_ends') }} m
    ON d.opened_date <= m.as_of_date AND (d.resolved_date IS NULL OR d.resolved_date > m.as_of_date)
  GROUP BY m.as_of_date, a.item_id
),
disputed AS (
  SELECT x.as_of_date, s.customer_id, s.bucket,
         sum(CASE WHEN s.open_amount <= 0 THEN CAST(0 AS DECIMAL(18,2))
                  WHEN x.disputed_original >= s.open_amount_original THEN s.open_amount
                  WHEN s.currency = {{ var('reporting_currency') }} THEN CAST(x.disputed_original AS DECIMAL(18,2))
                  ELSE CAST(round(s.open_amount * {{ ratio('x.disputed_original', 's.open_amount_original') }}, 2) AS DECIMAL(18,2)) END) AS disputed_amount,
         count(*) AS disputed_count
  FROM open_disputes x
  JOIN {{ ref('int_ar_open_stretches') }} s
    ON s.item_kind = 'document' AND s.item_id = x.item_id AND s.start_at <= x.as_of_date AND x.as_of_date < s.stop_at
  GROUP BY x.as_of_date, s.customer_id, s.bucket
),
disputed_grouped AS (
  SELECT x.as_of_date, g.group_by, g.group_value, x.bucket, sum(x.disputed_amount) AS disputed_amount, sum(x.disputed_count) AS disputed_count
  FROM disputed x
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = x.customer_id
  GROUP BY x.as_of_date, g.group_by, g.group_value, x.bucket
  UNION ALL
  SELECT as_of_date, 'ALL' AS group_by, 'ALL' AS group_value, bucket, sum(disputed_amount) AS disputed_amount, sum(disputed_count) AS disputed_count
  FROM disputed
  GROUP BY as_of_date, bucket
),
frame AS (
  SELECT m.as_of_date, gv.group_by, gv.group_value, b.bucket, b.bucket_order
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN {{ ref('int_group_values') }} gv
  CROSS JOIN {{ aging_buckets() }} AS b(bucket, bucket_order)
),
totals AS (
  SELECT f.as_of_date, f.group_by, f.group_value, f.bucket, f.bucket_order,
         sum(COALESCE(g.d_amount, 0)) OVER (
           PARTITION BY f.group_by, f.group_value, f.bucket ORDER BY f.as_of_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
         ) AS open_amount,
         sum(COALESCE(g.d_count, 0)) OVER (
           PARTITION BY f.group_by, f.group_value, f.bucket ORDER BY f.as_of_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
         ) AS open_count
  FROM frame f
  LEFT JOIN grouped g
    ON g.as_of_date = f.as_of_date AND g.group_by = f.group_by AND g.group_value = f.group_value AND g.bucket = f.bucket
),
debit AS (
  SELECT as_of_date, group_by, group_value, sum(open_amount) AS debit_ar
  FROM totals
  WHERE bucket NOT IN ({{ unapplied_bucket() }}, {{ credit_balance_bucket() }}) AND open_count <> 0
  GROUP BY as_of_date, group_by, group_value
)
SELECT
  t.as_of_date,
  t.group_by,
  t.group_value,
  CASE WHEN t.group_by IN ('segment', 'ALL') THEN t.group_value END AS segment,
  t.bucket,
  CAST(t.bucket_order AS INTEGER) AS bucket_order,
  CAST(t.open_amount AS DECIMAL(18,2)) AS open_amount,
  CAST(t.open_count AS BIGINT) AS open_count,
  {{ var('aging_basis') }} AS aging_basis,
  CASE WHEN t.bucket NOT IN ({{ unapplied_bucket() }}, {{ credit_balance_bucket() }})
       THEN {{ ratio('t.open_amount', 'd.debit_ar') }} * 100 END AS pct_of_debit_ar,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(t.as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete,
  CAST(COALESCE(x.disputed_amount, 0) AS DECIMAL(18,2)) AS disputed_amount,
  CAST(COALESCE(x.disputed_count, 0) AS BIGINT) AS disputed_count
FROM totals t
LEFT JOIN debit d
  ON d.as_of_date = t.as_of_date AND d.group_by = t.group_by AND d.group_value = t.group_value
LEFT JOIN disputed_grouped x
  ON x.as_of_date = t.as_of_date AND x.group_by = t.group_by AND x.group_value = t.group_value AND x.bucket = t.bucket
ORDER BY t.as_of_date, t.group_by, t.group_value, t.bucket_order
