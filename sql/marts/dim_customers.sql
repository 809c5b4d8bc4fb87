-- One row per customer the ledger knows (every customer of int_customer_groups: the ERP's customer
-- master, and customers invoiced or paying without a master record): who they are (name, KvK, VAT,
-- SBI, segment, size, country, terms, limit, owner, from the master; empty without one) and the group
-- each belongs to in the grouped marts. The dashboards read customers from here, not from the
-- `customers` view: a mart is a table in marts/, so the dashboards API reads marts/ only (on Athena a
-- view over a canonical table reads its raw files, manifests and retire records with the caller's
-- rights). The group values are copied from int_customer_groups, never re-derived, and a customer the
-- grouped marts count is never left out, so a list filtered by a group (segment=unknown,
-- country=unknown, …) lists the customers the grouped marts count under it, with the same amounts.
-- The IBAN stays out: no page shows it. Sorted by customer: a lookup reads one row group.
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
)
SELECT
  g.customer_id,
  c.customer_id IS NOT NULL AS in_customer_master,
  c.name,
  c.kvk_number,
  c.vat_number,
  c.country,
  g.country_group,
  c.sbi_code,
  g.sbi_section,
  c.segment,
  g.segment_group,
  c.size_class,
  g.size_class_group,
  g.score_band,
  c.credit_limit,
  c.currency,
  c.payment_terms_days,
  c.account_manager
FROM groups g
LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = g.customer_id
ORDER BY g.customer_id
