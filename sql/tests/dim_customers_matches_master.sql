-- dim_customers is the customer master as the dashboards read it: every customer of stg_customers
-- once, with the same identity, terms and owner; every other customer the grouped marts count
-- (int_customer_groups: invoiced or paying without a master record) once, marked as not in the
-- master, without identity; and each in the groups int_customer_groups puts it in. Fails with the
-- customer and what differs (missing from the mart, not a customer of the ledger, or the first
-- column that differs).
WITH groups AS (
  SELECT
    customer_id,
    MAX(CASE WHEN group_by = 'segment' THEN group_value END) AS segment_group,
    MAX(CASE WHEN group_by = 'sbi_section' THEN group_value END) AS sbi_section,
    MAX(CASE WHEN group_by = 'country' THEN group_value END) AS country_group,
    MAX(CASE WHEN group_by = 'size_class' THEN group_value END) AS size_class_group,
    MAX(CASE WHEN group_by = 'score_band' THEN group_value END) AS score_band
  FROM {{ ref('int_customer_groups') }}
  GROUP BY customer_id
),
compared AS (
  SELECT
    COALESCE(g.customer_id, d.customer_id) AS customer_id,
    CASE
      WHEN d.customer_id IS NULL THEN 'missing from dim_customers'
      WHEN g.customer_id IS NULL THEN 'not a customer of the ledger'
      WHEN d.in_customer_master IS DISTINCT FROM (m.customer_id IS NOT NULL) THEN 'in_customer_master'
      WHEN m.name IS DISTINCT FROM d.name THEN 'name'
      WHEN m.kvk_number IS DISTINCT FROM d.kvk_number THEN 'kvk_number'
      WHEN m.vat_number IS DISTINCT FROM d.vat_number THEN 'vat_number'
      WHEN m.country IS DISTINCT FROM d.country THEN 'country'
      WHEN m.sbi_code IS DISTINCT FROM d.sbi_code THEN 'sbi_code'
      WHEN m.segment IS DISTINCT FROM d.segment THEN 'segment'
      WHEN m.size_class IS DISTINCT FROM d.size_class THEN 'size_class'
      WHEN m.credit_limit IS DISTINCT FROM d.credit_limit THEN 'credit_limit'
      WHEN m.currency IS DISTINCT FROM d.currency THEN 'currency'
      WHEN m.payment_terms_days IS DISTINCT FROM d.payment_terms_days THEN 'payment_terms_days'
      WHEN m.account_manager IS DISTINCT FROM d.account_manager THEN 'account_manager'
      WHEN g.segment_group IS DISTINCT FROM d.segment_group THEN 'segment_group'
      WHEN g.sbi_section IS DISTINCT FROM d.sbi_section THEN 'sbi_section'
      WHEN g.country_group IS DISTINCT FROM d.country_group THEN 'country_group'
      WHEN g.size_class_group IS DISTINCT FROM d.size_class_group THEN 'size_class_group'
      WHEN g.score_band IS DISTINCT FROM d.score_band THEN 'score_band'
    END AS difference
  FROM groups g
  FULL OUTER JOIN {{ ref('dim_customers') }} d ON d.customer_id = g.customer_id
  LEFT JOIN {{ ref('stg_customers') }} m ON m.customer_id = COALESCE(g.customer_id, d.customer_id)
)
SELECT customer_id, difference FROM compared WHERE difference IS NOT NULL
UNION ALL
-- A master customer the grouped marts do not know (cannot happen: int_customer_groups reads the master).
SELECT m.customer_id, 'master customer missing from dim_customers' AS difference
FROM {{ ref('stg_customers') }} m
LEFT JOIN {{ ref('dim_customers') }} d ON d.customer_id = m.customer_id
WHERE d.customer_id IS NULL
