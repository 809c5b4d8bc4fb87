-- Write-offs per calendar month and customer group, SBI section included, with 'ALL' totals
-- (docs/metrics.md, "Write-offs"):
--  * written_off / write_offs: write-off bookings dated in the month (by the write-off's customer),
--    gross: the positive rows.
--  * recovered: written-off debt recovered in the month: negative write-off rows (reason recovery)
--    and cash allocated to a written-off document beyond its balance (int_ar_item_events, source_type
--    'recovery'); net_written_off = written_off − recovered.
--  * collection_costs: cost of every collection action on the documents first written off in the
--    month (whenever the action took place), so the cost of a debt is counted once.
--  * total_cost = written_off + collection_costs.
--  * bad_debt_ratio = written_off / credit sales of the month (invoices minus credit notes dated in
--    it, as in dso_monthly); bad_debt_ratio_12m over the 12 months ending with it; the _net ratios
--    use net_written_off.
--  * over_ceiling: the ratio named by config write_offs.ceiling_basis is above
--    write_offs.ceiling_ratio (default: rolling 12 months above 0.5%).
WITH months AS (
  SELECT month_start, as_of_date AS month_end FROM {{ ref('int_month_ends') }}
),
write_offs AS (
  SELECT document_id, customer_id, write_off_date, amount FROM {{ ref('int_write_offs') }} WHERE amount > 0
),
recoveries AS (
  SELECT customer_id, write_off_date AS recovery_date, 0 - amount AS amount
  FROM {{ ref('int_write_offs') }}
  WHERE amount < 0
  UNION ALL
  SELECT customer_id, event_date AS recovery_date, amount
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND source_type = 'recovery'
),
first_write_off AS (
  SELECT document_id, customer_id, write_off_date
  FROM (
    SELECT document_id, customer_id, write_off_date,
           row_number() OVER (PARTITION BY document_id ORDER BY write_off_date, customer_id) AS n
    FROM write_offs
  ) w
  WHERE n = 1
),
action_costs AS (
  SELECT f.customer_id, CAST({{ month_start('f.write_off_date') }} AS DATE) AS month_start, sum(a.cost) AS cost
  FROM first_write_off f
  JOIN {{ ref('stg_collection_actions') }} a ON a.document_id = f.document_id
  GROUP BY f.customer_id, CAST({{ month_start('f.write_off_date') }} AS DATE)
),
per_customer AS (
  SELECT customer_id, month_start, sum(written_off) AS written_off, sum(write_offs) AS write_offs,
         sum(documents) AS documents, sum(collection_costs) AS collection_costs, sum(credit_sales) AS credit_sales,
         sum(recovered) AS recovered
  FROM (
    SELECT customer_id, CAST({{ month_start('write_off_date') }} AS DATE) AS month_start, amount AS written_off,
           1 AS write_offs, 0 AS documents, 0 AS collection_costs, 0 AS credit_sales, 0 AS recovered
    FROM write_offs
    UNION ALL
    SELECT customer_id, CAST({{ month_start('write_off_date') }} AS DATE) AS month_start, 0 AS written_off,
           0 AS write_offs, 1 AS documents, 0 AS collection_costs, 0 AS credit_sales, 0 AS recovered
    FROM first_write_off
    UNION ALL
    SELECT customer_id, month_start, 0 AS written_off, 0 AS write_offs, 0 AS documents, cost AS collection_costs, 0 AS credit_sales, 0 AS recovered
    FROM action_costs
    UNION ALL
    SELECT customer_id, CAST({{ month_start('invoice_date') }} AS DATE) AS month_start, 0 AS written_off,
           0 AS write_offs, 0 AS documents, 0 AS collection_costs, amount AS credit_sales, 0 AS recovered
    FROM {{ ref('int_invoices') }}
    UNION ALL
    SELECT customer_id, CAST({{ month_start('recovery_date') }} AS DATE) AS month_start, 0 AS written_off,
           0 AS write_offs, 0 AS documents, 0 AS collection_costs, 0 AS credit_sales, amount AS recovered
    FROM recoveries
  ) x
  GROUP BY customer_id, month_start
),
grouped AS (
  SELECT p.month_start, g.group_by, g.group_value, p.written_off, p.write_offs, p.documents, p.collection_costs, p.credit_sales, p.recovered
  FROM per_customer p
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = p.customer_id
  UNION ALL
  SELECT month_start, 'ALL' AS group_by, 'ALL' AS group_value, written_off, write_offs, documents, collection_costs, credit_sales, recovered
  FROM per_customer
),
totals AS (
  SELECT month_start, group_by, group_value, sum(written_off) AS written_off, sum(write_offs) AS write_offs,
         sum(documents) AS documents, sum(collection_costs) AS collection_costs, sum(credit_sales) AS credit_sales,
         sum(recovered) AS recovered
  FROM grouped
  GROUP BY month_start, group_by, group_value
),
frame AS (
  SELECT
    m.month_start,
    m.month_end,
    gv.group_by,
    gv.group_value,
    CAST(COALESCE(t.written_off, 0) AS DECIMAL(18,2)) AS written_off,
    CAST(COALESCE(t.write_offs, 0) AS BIGINT) AS write_offs,
    CAST(COALESCE(t.documents, 0) AS BIGINT) AS documents_written_off,
    CAST(COALESCE(t.collection_costs, 0) AS DECIMAL(18,2)) AS collection_costs,
    CAST(COALESCE(t.credit_sales, 0) AS DECIMAL(18,2)) AS credit_sales,
    CAST(COALESCE(t.recovered, 0) AS DECIMAL(18,2)) AS recovered
  FROM months m
  CROSS JOIN {{ ref('int_group_values') }} gv
  LEFT JOIN totals t ON t.month_start = m.month_start AND t.group_by = gv.group_by AND t.group_value = gv.group_value
),
windowed AS (
  SELECT
    frame.*,
    CAST(sum(written_off) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS DECIMAL(18,2)) AS written_off_12m,
    CAST(sum(credit_sales) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS DECIMAL(18,2)) AS credit_sales_12m,
    CAST(count(*) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS INTEGER) AS months_in_window,
    CAST(sum(written_off - recovered) OVER (PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN 11 PRECEDING AND CURRENT ROW) AS DECIMAL(18,2)) AS net_written_off_12m
  FROM frame
),
ratios AS (
  SELECT
    windowed.*,
    {{ ratio('written_off', 'credit_sales') }} AS bad_debt_ratio,
    {{ ratio('written_off_12m', 'credit_sales_12m') }} AS bad_debt_ratio_12m,
    {{ ratio('written_off - recovered', 'credit_sales') }} AS bad_debt_ratio_net,
    {{ ratio('net_written_off_12m', 'credit_sales_12m') }} AS bad_debt_ratio_12m_net
  FROM windowed
)
SELECT
  month_start AS month,
  month_end,
  group_by,
  group_value,
  CASE WHEN group_by IN ('segment', 'ALL') THEN group_value END AS segment,
  written_off,
  write_offs,
  documents_written_off,
  collection_costs,
  CAST(written_off + collection_costs AS DECIMAL(18,2)) AS total_cost,
  credit_sales,
  bad_debt_ratio,
  written_off_12m,
  credit_sales_12m,
  months_in_window,
  bad_debt_ratio_12m,
  CAST({{ var('write_off_ceiling_ratio') }} AS DOUBLE) AS ceiling_ratio,
  {{ var('write_off_ceiling_basis') }} AS ceiling_basis,
  CASE
    WHEN {{ var('write_off_ceiling_basis') }} = 'month' THEN COALESCE(bad_debt_ratio > {{ var('write_off_ceiling_ratio') }}, false)
    ELSE COALESCE(bad_debt_ratio_12m > {{ var('write_off_ceiling_ratio') }}, false)
  END AS over_ceiling,
  recovered,
  CAST(written_off - recovered AS DECIMAL(18,2)) AS net_written_off,
  bad_debt_ratio_net,
  net_written_off_12m,
  bad_debt_ratio_12m_net,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(month_end < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM ratios
ORDER BY month_start, group_by, group_value
