-- dim_customers is the customer master as the dashboards read it: every customer of stg_customers
-- once, with the same identity, terms and owner, and nothing else. Fails with the customer and what
-- differs (missing from the mart, not in the master, or the first column that differs).
SELECT
  COALESCE(m.customer_id, d.customer_id) AS customer_id,
  CASE
    WHEN d.customer_id IS NULL THEN 'missing from dim_customers'
    WHEN m.customer_id IS NULL THEN 'not in the customer master'
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
  END AS difference
FROM {{ ref('stg_customers') }} m
FULL OUTER JOIN {{ ref('dim_customers') }} d ON d.customer_id = m.customer_id
WHERE d.customer_id IS NULL OR m.customer_id IS NULL
   OR m.name IS DISTINCT FROM d.name OR m.kvk_number IS DISTINCT FROM d.kvk_number OR m.vat_number IS DISTINCT FROM d.vat_number
   OR m.country IS DISTINCT FROM d.country OR m.sbi_code IS DISTINCT FROM d.sbi_code OR m.segment IS DISTINCT FROM d.segment
   OR m.size_class IS DISTINCT FROM d.size_class OR m.credit_limit IS DISTINCT FROM d.credit_limit OR m.currency IS DISTINCT FROM d.currency
   OR m.payment_terms_days IS DISTINCT FROM d.payment_terms_days OR m.account_manager IS DISTINCT FROM d.account_manager
