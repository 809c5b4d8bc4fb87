-- The collector's worklist at every month end: each customer with overdue debit items, ranked by
--   priority_score = overdue amount × risk weight × (1 + oldest days past due / 30)
-- with the risk weight of the customer's common band at that month end (customer_risk; not rated
-- 1.5, insolvent 4) and the next dunning step after the last collection action on or before it
-- (src/warehouse/compile/worklist-rule.ts holds the weights and the ladder). Built here rather than
-- per request: the last action of each customer at each month end would otherwise take a pass over
-- every version of every collection action on each page view.
WITH items AS (
  SELECT as_of_date, customer_id,
         sum(CASE WHEN days_past_due > 0 AND open_amount > 0 THEN open_amount ELSE 0 END) AS overdue_amount,
         sum(CASE WHEN days_past_due > 0 AND open_amount > 0 THEN 1 ELSE 0 END) AS overdue_items,
         max(CASE WHEN open_amount > 0 THEN days_past_due END) AS max_days_past_due,
         sum(open_amount) AS open_amount
  FROM {{ ref('ar_open_items') }}
  GROUP BY as_of_date, customer_id
),
-- Each action with the date of the customer's next one: it is the last action at every month end
-- from its own date until that next date.
actions AS (
  SELECT customer_id, action_type, action_date,
         COALESCE(lead(action_date) OVER (PARTITION BY customer_id ORDER BY action_date, action_id), {{ date_literal('9999-12-31') }}) AS valid_until
  FROM {{ ref('stg_collection_actions') }}
),
ranked AS (
  SELECT i.as_of_date, i.customer_id, i.overdue_amount, i.overdue_items, i.max_days_past_due, i.open_amount,
         r.common_band, COALESCE(r.common_band_label, 'not rated') AS common_band_label,
         COALESCE(r.insolvency_flag, false) AS insolvency_flag,
         {{ worklist_risk_weight('r.common_band', 'COALESCE(r.insolvency_flag, false)') }} AS risk_weight,
         a.action_type AS last_action, a.action_date AS last_action_date
  FROM items i
  LEFT JOIN {{ ref('customer_risk') }} r ON r.as_of_date = i.as_of_date AND r.customer_id = i.customer_id
  -- No OR in the condition: with one, DuckDB loses the equality on customer_id and loops over all pairs.
  LEFT JOIN actions a
    ON a.customer_id = i.customer_id AND a.action_date <= i.as_of_date
   AND a.valid_until > i.as_of_date
  WHERE i.overdue_amount > 0
)
SELECT
  as_of_date,
  customer_id,
  CAST(overdue_amount AS DECIMAL(18,2)) AS overdue_amount,
  CAST(overdue_items AS BIGINT) AS overdue_items,
  CAST(max_days_past_due AS INTEGER) AS max_days_past_due,
  CAST(open_amount AS DECIMAL(18,2)) AS open_amount,
  CAST(common_band AS INTEGER) AS common_band,
  common_band_label,
  insolvency_flag,
  risk_weight,
  CAST(overdue_amount AS DOUBLE) * risk_weight * (1 + CAST(max_days_past_due AS DOUBLE) / CAST(30 AS DOUBLE)) AS priority_score,
  last_action,
  last_action_date,
  {{ dunning_next_step('last_action') }} AS next_step,
  {{ dunning_next_step_due('last_action_date', 'as_of_date') }} AS next_step_due
FROM ranked
ORDER BY as_of_date, priority_score DESC, customer_id
