-- Open AR as a difference array over the month ends, per customer group (and the 'ALL' total) and
-- what the month-end marts tell apart: bucket, is_current, is_credit_balance. Each stretch of an open
-- item (int_ar_open_stretches) adds its open amount and a count of one at the month end it starts and
-- takes them away at the month end it stops; a running sum of d_amount / d_count over the month ends
-- gives what is open at each. ar_aging, dso_monthly and ar_rollforward read this one table instead of
-- each expanding the stretches and joining the groups again: it has a row per month end, group and
-- state that changed, however many items are open.
-- Customers in the same group of every grouping (the same profile) add up before the groups join:
-- summing the stretches per month end, customer and state made 890,000 groups of 2.8M rows at 1M
-- invoices (24,000 customers), per profile (762 of them there) far fewer, keyed by a number. A
-- profile is each customer's (group_by, group_value) pairs written out, every part prefixed by its
-- length so that no two different sets of pairs give the same text.
WITH customer_profiles AS (
  SELECT customer_id, {{ string_agg_ordered('entry', '''''', 'group_by') }} AS profile
  FROM (
    SELECT customer_id, group_by,
           CAST(length(group_by) AS VARCHAR) || ':' || group_by
             || CASE WHEN group_value IS NULL THEN '-' ELSE CAST(length(group_value) AS VARCHAR) || ':' || group_value END AS entry
    FROM {{ ref('int_customer_groups') }}
  ) g
  GROUP BY customer_id
),
profiles AS (
  SELECT customer_id, dense_rank() OVER (ORDER BY profile) AS profile_no FROM customer_profiles
),
-- one customer standing for each profile: its group rows are the profile's
representatives AS (
  SELECT profile_no, min(customer_id) AS customer_id FROM profiles GROUP BY profile_no
),
changes AS (
  SELECT c.as_of_date, p.profile_no, c.bucket, c.is_current, c.is_credit_balance, sum(c.d_amount) AS d_amount, sum(c.d_count) AS d_count
  FROM (
    -- one pass over the stretches: side 1 adds at start_at, side -1 takes away at stop_at
    SELECT CASE WHEN e.side = 1 THEN s.start_at ELSE s.stop_at END AS as_of_date, s.customer_id, s.bucket,
           s.is_current, s.is_credit_balance, e.side * s.open_amount AS d_amount, e.side AS d_count
    FROM {{ ref('int_ar_open_stretches') }} s
    CROSS JOIN (VALUES (1), (-1)) AS e(side)
    WHERE e.side = 1 OR s.stop_at < DATE '9999-12-31'
  ) c
  -- a customer in no group (none in int_customer_groups) counts in 'ALL' only, as before
  LEFT JOIN profiles p ON p.customer_id = c.customer_id
  GROUP BY c.as_of_date, p.profile_no, c.bucket, c.is_current, c.is_credit_balance
)
SELECT c.as_of_date, g.group_by, g.group_value, c.bucket, c.is_current, c.is_credit_balance,
       sum(c.d_amount) AS d_amount, sum(c.d_count) AS d_count
FROM changes c
JOIN representatives r ON r.profile_no = c.profile_no
JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = r.customer_id
GROUP BY c.as_of_date, g.group_by, g.group_value, c.bucket, c.is_current, c.is_credit_balance
UNION ALL
SELECT as_of_date, 'ALL' AS group_by, 'ALL' AS group_value, bucket, is_current, is_credit_balance,
       sum(d_amount) AS d_amount, sum(d_count) AS d_count
FROM changes
GROUP BY as_of_date, bucket, is_current, is_credit_balance
