-- ERP customer → credit-report company. A customer is matched on its KvK number, else on its VAT
-- number, through every identifier the credit-report feed resolved (stg_company_identifiers).
WITH ids AS (
  SELECT id_type, id_value, company_key FROM {{ ref('stg_company_identifiers') }}
),
matches AS (
  SELECT c.customer_id, k.company_key, 1 AS pref
  FROM {{ ref('stg_customers') }} c
  JOIN ids k ON k.id_type = 'kvk' AND k.id_value = c.kvk_number
  UNION ALL
  SELECT c.customer_id, v.company_key, 2 AS pref
  FROM {{ ref('stg_customers') }} c
  JOIN ids v ON v.id_type = 'vat' AND v.id_value = upper(replace(c.vat_number, ' ', ''))
),
ranked AS (
  SELECT customer_id, company_key, pref, row_number() OVER (PARTITION BY customer_id ORDER BY pref, company_key) AS n
  FROM matches
)
SELECT customer_id, company_key, CASE WHEN pref = 1 THEN 'kvk' ELSE 'vat' END AS matched_on
FROM ranked
WHERE n = 1
