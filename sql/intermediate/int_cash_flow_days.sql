-- int_cash_flows summed per day and customer group, with 'ALL' totals: the common base of
-- cash_flow_weekly and cash_flow_monthly, which sum it further per ISO week or calendar month.
-- payments_count counts payments, not rows: a payment credited to two customers (int_payment_customers)
-- counts once in each group it reaches and once in 'ALL' (a payment has one date: per day is exact).
WITH grouped AS (
  SELECT f.flow_date, g.group_by, g.group_value, f.flow_kind, f.payment_id, f.cash_received, f.invoiced, f.credit_notes, f.written_off
  FROM {{ ref('int_cash_flows') }} f
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = f.customer_id
  UNION ALL
  SELECT f.flow_date, 'ALL' AS group_by, 'ALL' AS group_value, f.flow_kind, f.payment_id, f.cash_received, f.invoiced, f.credit_notes, f.written_off
  FROM {{ ref('int_cash_flows') }} f
)
SELECT flow_date, group_by, group_value,
       sum(cash_received) AS cash_received,
       count(DISTINCT CASE WHEN flow_kind = 'payment' THEN payment_id END) AS payments_count,
       sum(invoiced) AS invoiced,
       sum(credit_notes) AS credit_notes,
       sum(written_off) AS written_off
FROM grouped
GROUP BY flow_date, group_by, group_value
