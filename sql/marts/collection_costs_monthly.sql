-- Collection costs per calendar month and cost category (docs/metrics.md, "Collections activity and
-- cost"): agency fees, legal costs and internal dunning cost where recorded. Each action type maps to
-- a category through config collections.cost_categories (default: collection_agency → agency,
-- legal → legal, every other type → internal). Dense: every category in every month from the first
-- to the last action; share_of_month is the category's part of the month's total cost.
WITH actions AS (
  SELECT customer_id, document_id, action_date, action_type, cost,
         CAST({{ month_start('action_date') }} AS DATE) AS month_start,
         {{ cost_category('action_type') }} AS cost_category
  FROM {{ ref('stg_collection_actions') }}
),
bounds AS (
  SELECT min(action_date) AS first_day, max(action_date) AS last_day FROM actions
),
months AS (
  SELECT CAST(s.month_start AS DATE) AS month_start
  FROM bounds
  CROSS JOIN UNNEST({{ month_start_sequence('bounds.first_day', 'bounds.last_day') }}) AS s(month_start)
  WHERE bounds.first_day IS NOT NULL
),
categories AS (
  SELECT cost_category FROM {{ cost_categories() }} AS c(cost_category)
  UNION
  SELECT DISTINCT cost_category FROM actions
),
monthly AS (
  SELECT month_start, cost_category,
         count(*) AS actions,
         count(DISTINCT customer_id) AS customers,
         count(DISTINCT document_id) AS documents,
         sum(cost) AS cost
  FROM actions
  GROUP BY month_start, cost_category
),
framed AS (
  SELECT m.month_start, c.cost_category,
         CAST(COALESCE(t.actions, 0) AS BIGINT) AS actions,
         CAST(COALESCE(t.customers, 0) AS BIGINT) AS customers,
         CAST(COALESCE(t.documents, 0) AS BIGINT) AS documents,
         CAST(COALESCE(t.cost, 0) AS DECIMAL(18,2)) AS cost
  FROM months m
  CROSS JOIN categories c
  LEFT JOIN monthly t ON t.month_start = m.month_start AND t.cost_category = c.cost_category
)
SELECT
  month_start AS month,
  CAST({{ month_end('month_start') }} AS DATE) AS month_end,
  cost_category,
  actions,
  customers,
  documents,
  cost,
  {{ ratio('cost', 'actions') }} AS cost_per_action,
  CAST(sum(cost) OVER (PARTITION BY month_start) AS DECIMAL(18,2)) AS month_total_cost,
  {{ ratio('cost', 'sum(cost) OVER (PARTITION BY month_start)') }} AS share_of_month,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(CAST({{ month_end('month_start') }} AS DATE) < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM framed
ORDER BY month_start, cost_category
