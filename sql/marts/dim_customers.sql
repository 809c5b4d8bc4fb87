-- One row per customer of the ERP's customer master: who they are (name, KvK, VAT, SBI, segment,
-- size, country, terms, limit, owner) and the group each belongs to in the grouped marts. The
-- dashboards read customers from here, not from the `customers` view: a mart is a table in marts/,
-- so the dashboards API reads marts/ only (on Athena a view over a canonical table reads its raw
-- files, manifests and retire records with the caller's rights). The group values are copied from
-- int_customer_groups, never re-derived, so a filtered list agrees with the grouped marts' totals.
-- The IBAN stays out: no page shows it. Sorted by customer: a lookup reads one row group.
WITH groups AS (
  SELECT
    customer_id,
    MAX(CASE WHEN group_by = 'segment' THEN group_value END) AS segment_group,
    MAX(CASE WHEN group_by = 'sbi_section' THEN group_value END) AS sbi_section,
    MAX(CASE WHEN group_by = 'score_band' THEN group_value END) AS score_band
  FROM {{ ref('int_customer_groups') }}
  GROUP BY customer_id
)
SELECT
  c.customer_id,
  c.name,
  c.kvk_number,
  c.vat_number,
  c.country,
  c.sbi_code,
  g.sbi_section,
  c.segment,
  g.segment_group,
  c.size_class,
  g.score_band,
  c.credit_limit,
  c.currency,
  c.payment_terms_days,
  c.account_manager
FROM {{ ref('stg_customers') }} c
JOIN groups g ON g.customer_id = c.customer_id
ORDER BY c.customer_id
