-- int_cash_flows summed per day and customer group, with 'ALL' totals: the common base of
-- cash_flow_weekly and cash_flow_monthly, which sum it further per ISO week or calendar month.
WITH grouped AS (
  SELECT f.flow_date, g.group_by, g.group_value, f.flow_kind, f.cash_received, f.invoiced, f.credit_notes, f.written_off
  FROM {{ ref('int_cash_flows') }} f
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = f.customer_id
  UNION ALL
  SELECT f.flow_date, 'ALL' AS group_by, 'ALL' AS group_value, f.flow_kind, f.cash_received, f.invoiced, f.credit_notes, f.written_off
  FROM {{ ref('int_cash_flows') }} f
)
SELECT flow_date, group_by, group_value,
       sum(cash_received) AS cash_received,
       sum(CASE WHEN flow_kind = 'payment' THEN 1 ELSE 0 END) AS payments_count,
       sum(invoiced) AS invoiced,
       sum(credit_notes) AS credit_notes,
       sum(written_off) AS written_off
FROM grouped
GROUP BY flow_date, group_by, group_value
