-- For every grouping of the KPI marts, the groups add up to the 'ALL' row (amounts and counts); in
-- payment_behaviour the customer rows add up to it as well. `part` is the bucket where a mart has one.
-- Fails with the mart, period, grouping and the sums that differ.
WITH marts AS (
  SELECT 'ar_rollforward' AS mart, month AS period, group_by, '' AS part,
         invoiced AS v1, credit_notes AS v2, collected AS v3, written_off AS v4, ar_end AS v5, CAST(0 AS BIGINT) AS n1, CAST(0 AS BIGINT) AS n2
  FROM {{ ref('ar_rollforward') }}
  UNION ALL
  SELECT 'payment_behaviour' AS mart, month AS period, group_by, '' AS part,
         amount_settled, amount_paid_late, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), invoices_settled, invoices_paid_late
  FROM {{ ref('payment_behaviour') }}
  UNION ALL
  SELECT 'open_invoice_counts' AS mart, as_of_date AS period, group_by, bucket AS part,
         open_amount, amount_this_or_older, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), open_count, count_this_or_older
  FROM {{ ref('open_invoice_counts') }}
  UNION ALL
  SELECT 'write_offs_monthly' AS mart, month AS period, group_by, '' AS part,
         written_off, collection_costs, credit_sales, written_off_12m, credit_sales_12m, write_offs, documents_written_off
  FROM {{ ref('write_offs_monthly') }}
),
totals AS (
  SELECT * FROM marts WHERE group_by = 'ALL'
),
sums AS (
  SELECT mart, period, group_by, part,
         sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3, sum(v4) AS v4, sum(v5) AS v5, sum(n1) AS n1, sum(n2) AS n2
  FROM marts
  WHERE group_by <> 'ALL'
  GROUP BY mart, period, group_by, part
)
SELECT s.mart, s.period, s.group_by, s.part,
       s.v1, t.v1 AS all_v1, s.v2, t.v2 AS all_v2, s.v3, t.v3 AS all_v3, s.v4, t.v4 AS all_v4, s.v5, t.v5 AS all_v5,
       s.n1, t.n1 AS all_n1, s.n2, t.n2 AS all_n2
FROM sums s
LEFT JOIN totals t ON t.mart = s.mart AND t.period = s.period AND t.part = s.part
WHERE t.mart IS NULL
   OR s.v1 <> t.v1 OR s.v2 <> t.v2 OR s.v3 <> t.v3 OR s.v4 <> t.v4 OR s.v5 <> t.v5 OR s.n1 <> t.n1 OR s.n2 <> t.n2
