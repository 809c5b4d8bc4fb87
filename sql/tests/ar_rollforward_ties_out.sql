-- The roll-forward ties out at every month end, for every group and ALL:
--   ar_end = ar_begin + invoiced + credit_notes − collected − written_off + fx_revaluation,
--   ar_begin = ar_end of the month before (0 in the first month),
--   ar_end = the open AR of ar_open_items at the month end (summed over the group's items).
-- Fails with the rows where any of them is off by a cent or more.
WITH rf AS (
  SELECT month, month_end, group_by, group_value, ar_begin, invoiced, credit_notes, collected, written_off, fx_revaluation, ar_end,
         lag(ar_end) OVER (PARTITION BY group_by, group_value ORDER BY month) AS previous_ar_end
  FROM {{ ref('ar_rollforward') }}
),
items AS (
  SELECT as_of_date, customer_id, sum(open_amount) AS open_ar
  FROM {{ ref('ar_open_items') }}
  GROUP BY as_of_date, customer_id
),
open_ar AS (
  SELECT i.as_of_date, g.group_by, g.group_value, sum(i.open_ar) AS open_ar
  FROM items i
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = i.customer_id
  GROUP BY i.as_of_date, g.group_by, g.group_value
  UNION ALL
  SELECT as_of_date, 'ALL' AS group_by, 'ALL' AS group_value, sum(open_ar) AS open_ar
  FROM items
  GROUP BY as_of_date
),
checked AS (
  SELECT rf.*, COALESCE(o.open_ar, 0) AS open_items_ar,
    CASE
      WHEN rf.ar_end <> rf.ar_begin + rf.invoiced + rf.credit_notes - rf.collected - rf.written_off + rf.fx_revaluation THEN 'movements do not add up'
      WHEN rf.ar_begin <> COALESCE(rf.previous_ar_end, 0) THEN 'ar_begin is not the previous ar_end'
      WHEN rf.ar_end <> COALESCE(o.open_ar, 0) THEN 'ar_end differs from ar_open_items'
    END AS problem
  FROM rf
  LEFT JOIN open_ar o ON o.as_of_date = rf.month_end AND o.group_by = rf.group_by AND o.group_value = rf.group_value
)
SELECT problem, month, group_by, group_value, ar_begin, invoiced, credit_notes, collected, written_off, fx_revaluation, ar_end, open_items_ar
FROM checked
WHERE problem IS NOT NULL
ORDER BY month, group_by, group_value
