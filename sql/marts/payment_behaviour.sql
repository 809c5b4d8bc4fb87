-- Payment behaviour of settled invoices per settlement month, per customer and per customer group,
-- with 'ALL' totals (docs/metrics.md, "Payment behaviour"). Settlement date, days to pay and days
-- late come from int_invoice_settlements: days to pay = settlement date − invoice date, days late =
-- max(0, settlement date − due date). An invoice is paid late when days late > config
-- payment_behaviour.grace_days. With payment_behaviour.include_written_off = false, invoices closed
-- (partly) by a write-off are left out. Weighted means weigh each invoice by its amount.
-- Group rows are dense over the months (zero counts, empty means); customer rows exist only for
-- months in which the customer settled an invoice.
WITH settled AS (
  SELECT s.customer_id, CAST({{ month_start('s.settlement_date') }} AS DATE) AS month_start, s.amount,
         s.days_to_pay, s.days_late,
         CASE WHEN s.days_late > {{ var('late_grace_days') }} THEN 1 ELSE 0 END AS is_late
  FROM {{ ref('int_invoice_settlements') }} s
  WHERE s.settlement_date IS NOT NULL
    AND ({{ var('settlement_basis') }} = 'all_closures' OR s.written_off = false)
),
grouped AS (
  SELECT month_start, 'customer' AS group_by, customer_id AS group_value, amount, days_to_pay, days_late, is_late
  FROM settled
  UNION ALL
  SELECT s.month_start, g.group_by, g.group_value, s.amount, s.days_to_pay, s.days_late, s.is_late
  FROM settled s
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = s.customer_id
  UNION ALL
  SELECT month_start, 'ALL' AS group_by, 'ALL' AS group_value, amount, days_to_pay, days_late, is_late
  FROM settled
),
totals AS (
  SELECT
    month_start, group_by, group_value,
    count(*) AS invoices_settled,
    sum(amount) AS amount_settled,
    sum(days_to_pay) AS sum_days_to_pay,
    sum(days_to_pay * amount) AS weighted_days_to_pay,
    sum(days_late) AS sum_days_late,
    sum(days_late * amount) AS weighted_days_late,
    sum(is_late) AS invoices_paid_late,
    sum(CASE WHEN is_late = 1 THEN amount ELSE 0 END) AS amount_paid_late
  FROM grouped
  GROUP BY month_start, group_by, group_value
),
frame AS (
  SELECT m.month_start, m.as_of_date AS month_end, gv.group_by, gv.group_value
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN {{ ref('int_group_values') }} gv
  UNION ALL
  SELECT DISTINCT t.month_start, m.as_of_date AS month_end, t.group_by, t.group_value
  FROM totals t
  JOIN {{ ref('int_month_ends') }} m ON m.month_start = t.month_start
  WHERE t.group_by = 'customer'
)
SELECT
  f.month_start AS month,
  f.month_end,
  f.group_by,
  f.group_value,
  CASE WHEN f.group_by IN ('segment', 'ALL') THEN f.group_value END AS segment,
  CAST(COALESCE(t.invoices_settled, 0) AS BIGINT) AS invoices_settled,
  CAST(COALESCE(t.amount_settled, 0) AS DECIMAL(18,2)) AS amount_settled,
  {{ ratio('t.sum_days_to_pay', 't.invoices_settled') }} AS mean_days_to_pay,
  {{ ratio('t.weighted_days_to_pay', 't.amount_settled') }} AS weighted_days_to_pay,
  {{ ratio('t.sum_days_late', 't.invoices_settled') }} AS mean_days_late,
  {{ ratio('t.weighted_days_late', 't.amount_settled') }} AS weighted_days_late,
  CAST(COALESCE(t.invoices_paid_late, 0) AS BIGINT) AS invoices_paid_late,
  {{ ratio('t.invoices_paid_late', 't.invoices_settled') }} AS share_paid_late,
  CAST(COALESCE(t.amount_paid_late, 0) AS DECIMAL(18,2)) AS amount_paid_late,
  {{ ratio('t.amount_paid_late', 't.amount_settled') }} AS share_amount_paid_late,
  CAST({{ var('late_grace_days') }} AS INTEGER) AS late_grace_days,
  {{ var('settlement_basis') }} AS settlement_basis
FROM frame f
LEFT JOIN totals t ON t.month_start = f.month_start AND t.group_by = f.group_by AND t.group_value = f.group_value
ORDER BY f.month_start, f.group_by, f.group_value
