-- Cash received is one figure per month and customer group: cash_flow_monthly and ar_rollforward
-- both credit a payment's applied part to the invoice customer and its unapplied rest to the payer
-- (int_payment_customers), so a third party's payment cannot be the payer's cash in one mart and the
-- debtor's in the other. Fails with the month, group and both figures.
SELECT COALESCE(c.month, r.month) AS month, COALESCE(c.group_by, r.group_by) AS group_by,
       COALESCE(c.group_value, r.group_value) AS group_value,
       c.cash_received AS cash_flow_monthly, r.cash_received AS ar_rollforward
FROM {{ ref('cash_flow_monthly') }} c
FULL OUTER JOIN {{ ref('ar_rollforward') }} r
  ON r.month = c.month AND r.group_by = c.group_by AND r.group_value = c.group_value
WHERE COALESCE(c.cash_received, 0) <> COALESCE(r.cash_received, 0)
ORDER BY 1, 2, 3
