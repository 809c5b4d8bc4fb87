-- Payment behaviour of settled invoices per settlement month, per customer and per customer group,
-- with 'ALL' totals (docs/metrics.md, "Payment behaviour"). Settlement date, days to pay and days
-- late come from int_invoice_settlements: days to pay = settlement date − invoice date, days late =
-- max(0, settlement date − due date). An invoice is paid late when days late > config
-- payment_behaviour.grace_days. Only invoices cleared by payment (or a settled date) are paid: one
-- cancelled by a credit note was never paid, one written off was not paid 240 days late (issue 11).
-- Those closures are counted in their own columns in the month they closed. Config
-- payment_behaviour.basis widens the paid set: excluding_write_offs (credit-note closures too) or
-- all_closures (the old behaviour). Weighted means weigh each invoice by its amount.
-- Group rows are dense over the months (zero counts, empty means); customer rows exist only for
-- months in which the customer closed an invoice.
-- Two document groupings split the same invoices (issue 11): dispute_status ('disputed' when the
-- invoice ever had a dispute, else 'not disputed') and delivery_channel (paper, email, e-invoice,
-- portal; 'unknown' when the export does not say); each adds up to the 'ALL' row.
WITH closed AS (
  SELECT s.customer_id, CAST({{ month_start('s.settlement_date') }} AS DATE) AS month_start, s.amount,
         s.days_to_pay, s.days_late, s.closed_by,
         CASE WHEN s.document_id IN (SELECT document_id FROM {{ ref('int_disputes') }}) THEN 'disputed' ELSE 'not disputed' END AS dispute_status,
         COALESCE(i.delivery_channel, 'unknown') AS delivery_channel,
         CASE WHEN s.days_late > {{ var('late_grace_days') }} THEN 1 ELSE 0 END AS is_late,
         CASE
           WHEN {{ var('settlement_basis') }} = 'all_closures' THEN 1
           WHEN {{ var('settlement_basis') }} = 'excluding_write_offs' THEN CASE WHEN s.written_off THEN 0 ELSE 1 END
           WHEN s.closed_by IN ('payment', 'settled_date') AND NOT s.written_off THEN 1
           ELSE 0
         END AS is_paid
  FROM {{ ref('int_invoice_settlements') }} s
  LEFT JOIN {{ ref('int_invoices') }} i ON i.document_id = s.document_id
  WHERE s.settlement_date IS NOT NULL
),
grouped AS (
  SELECT month_start, 'customer' AS group_by, customer_id AS group_value, amount, days_to_pay, days_late, is_late, is_paid, closed_by
  FROM closed
  UNION ALL
  SELECT s.month_start, g.group_by, g.group_value, s.amount, s.days_to_pay, s.days_late, s.is_late, s.is_paid, s.closed_by
  FROM closed s
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = s.customer_id
  UNION ALL
  SELECT month_start, 'ALL' AS group_by, 'ALL' AS group_value, amount, days_to_pay, days_late, is_late, is_paid, closed_by
  FROM closed
  UNION ALL
  SELECT month_start, 'dispute_status' AS group_by, dispute_status AS group_value, amount, days_to_pay, days_late, is_late, is_paid, closed_by
  FROM closed
  UNION ALL
  SELECT month_start, 'delivery_channel' AS group_by, delivery_channel AS group_value, amount, days_to_pay, days_late, is_late, is_paid, closed_by
  FROM closed
),
document_groups AS (
  SELECT 'dispute_status' AS group_by, 'disputed' AS group_value
  UNION ALL
  SELECT 'dispute_status', 'not disputed'
  UNION ALL
  SELECT DISTINCT 'delivery_channel', COALESCE(delivery_channel, 'unknown')
  FROM {{ ref('int_invoices') }}
  WHERE document_type = 'invoice'
),
totals AS (
  SELECT
    month_start, group_by, group_value,
    sum(is_paid) AS invoices_settled,
    sum(CASE WHEN is_paid = 1 THEN amount ELSE 0 END) AS amount_settled,
    sum(CASE WHEN is_paid = 1 THEN days_to_pay ELSE 0 END) AS sum_days_to_pay,
    sum(CASE WHEN is_paid = 1 THEN days_to_pay * amount ELSE 0 END) AS weighted_days_to_pay,
    sum(CASE WHEN is_paid = 1 THEN days_late ELSE 0 END) AS sum_days_late,
    sum(CASE WHEN is_paid = 1 THEN days_late * amount ELSE 0 END) AS weighted_days_late,
    sum(CASE WHEN is_paid = 1 THEN is_late ELSE 0 END) AS invoices_paid_late,
    sum(CASE WHEN is_paid = 1 AND is_late = 1 THEN amount ELSE 0 END) AS amount_paid_late,
    sum(CASE WHEN closed_by = 'credit_note' THEN 1 ELSE 0 END) AS closed_by_credit_note,
    sum(CASE WHEN closed_by = 'credit_note' THEN amount ELSE 0 END) AS amount_closed_by_credit_note,
    sum(CASE WHEN closed_by = 'write_off' THEN 1 ELSE 0 END) AS closed_by_write_off,
    sum(CASE WHEN closed_by = 'write_off' THEN amount ELSE 0 END) AS amount_closed_by_write_off
  FROM grouped
  GROUP BY month_start, group_by, group_value
),
frame AS (
  SELECT m.month_start, m.as_of_date AS month_end, gv.group_by, gv.group_value
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN {{ ref('int_group_values') }} gv
  UNION ALL
  SELECT m.month_start, m.as_of_date AS month_end, dg.group_by, dg.group_value
  FROM {{ ref('int_month_ends') }} m
  CROSS JOIN document_groups dg
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
  {{ var('settlement_basis') }} AS settlement_basis,
  CAST(COALESCE(t.closed_by_credit_note, 0) AS BIGINT) AS invoices_closed_by_credit_note,
  CAST(COALESCE(t.amount_closed_by_credit_note, 0) AS DECIMAL(18,2)) AS amount_closed_by_credit_note,
  CAST(COALESCE(t.closed_by_write_off, 0) AS BIGINT) AS invoices_closed_by_write_off,
  CAST(COALESCE(t.amount_closed_by_write_off, 0) AS DECIMAL(18,2)) AS amount_closed_by_write_off,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(f.month_end < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM frame f
LEFT JOIN totals t ON t.month_start = f.month_start AND t.group_by = f.group_by AND t.group_value = f.group_value
ORDER BY f.month_start, f.group_by, f.group_value
