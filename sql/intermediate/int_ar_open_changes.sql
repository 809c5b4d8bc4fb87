-- Open AR as a difference array over the month ends, per customer group (and the 'ALL' total) and
-- what the month-end marts tell apart: bucket, is_current, is_credit_balance. Each stretch of an open
-- item (int_ar_open_stretches) adds its open amount and a count of one at the month end it starts and
-- takes them away at the month end it stops; a running sum of d_amount / d_count over the month ends
-- gives what is open at each. ar_aging, dso_monthly and ar_rollforward read this one table instead of
-- each expanding the stretches and joining the groups again: it has a row per month end, group and
-- state that changed, however many items are open.
WITH changes AS (
  SELECT as_of_date, customer_id, bucket, is_current, is_credit_balance, sum(d_amount) AS d_amount, sum(d_count) AS d_count
  FROM (
    -- one pass over the stretches: side 1 adds at start_at, side -1 takes away at stop_at
    SELECT CASE WHEN e.side = 1 THEN s.start_at ELSE s.stop_at END AS as_of_date, s.customer_id, s.bucket,
           s.is_current, s.is_credit_balance, e.side * s.open_amount AS d_amount, e.side AS d_count
    FROM {{ ref('int_ar_open_stretches') }} s
    CROSS JOIN (VALUES (1), (-1)) AS e(side)
    WHERE e.side = 1 OR s.stop_at < DATE '9999-12-31'
  ) c
  GROUP BY as_of_date, customer_id, bucket, is_current, is_credit_balance
)
SELECT c.as_of_date, g.group_by, g.group_value, c.bucket, c.is_current, c.is_credit_balance,
       sum(c.d_amount) AS d_amount, sum(c.d_count) AS d_count
FROM changes c
JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = c.customer_id
GROUP BY c.as_of_date, g.group_by, g.group_value, c.bucket, c.is_current, c.is_credit_balance
UNION ALL
SELECT as_of_date, 'ALL' AS group_by, 'ALL' AS group_value, bucket, is_current, is_credit_balance,
       sum(d_amount) AS d_amount, sum(d_count) AS d_count
FROM changes
GROUP BY as_of_date, bucket, is_current, is_credit_balance
