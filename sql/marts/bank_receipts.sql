-- One row per bank-statement receipt: who paid (identified by the build, int_bank_matches), the rule
-- that matched it, what it was applied to and why the rest stays unapplied. A receipt the ERP export
-- allocated already (payment_allocations) keeps the ERP's allocations: rule erp_allocation.
WITH matches AS (
  SELECT payment_id,
         count(document_id) AS documents,
         sum(amount) AS matched,
         min(customer_id) AS customer_id,
         min(match_rule) AS match_rule,
         max(reason) AS reason
  FROM {{ ref('int_bank_matches') }}
  GROUP BY payment_id
),
erp AS (
  SELECT payment_id, count(*) AS documents, sum(amount) AS matched
  FROM {{ ref('stg_payment_allocations') }}
  GROUP BY payment_id
),
receipts AS (
  SELECT
    r.payment_id, r.payment_date, r.bank_account, r.payer_iban, r.payer_name, r.remittance_info, r.creditor_reference,
    r.bank_reference, r.currency, r.amount,
    COALESCE(r.customer_id, m.customer_id) AS customer_id,
    CASE WHEN r.erp_allocated THEN 'erp_allocation' ELSE COALESCE(m.match_rule, 'unmatched') END AS match_rule,
    CASE WHEN r.erp_allocated THEN e.documents ELSE COALESCE(m.documents, 0) END AS documents,
    CASE WHEN r.erp_allocated THEN e.matched ELSE COALESCE(m.matched, CAST(0 AS DECIMAL(18,2))) END AS matched_amount,
    m.reason
  FROM {{ ref('int_bank_receipts') }} r
  LEFT JOIN matches m ON m.payment_id = r.payment_id
  LEFT JOIN erp e ON e.payment_id = r.payment_id
)
SELECT
  x.payment_id,
  x.payment_date,
  x.bank_account,
  x.payer_iban,
  x.payer_name,
  x.remittance_info,
  x.creditor_reference,
  x.bank_reference,
  x.currency,
  x.amount,
  CASE WHEN x.currency = {{ var('reporting_currency') }} THEN x.amount
       ELSE CAST(round({{ ratio('x.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount_reporting,
  x.customer_id,
  x.match_rule,
  CAST(x.documents AS BIGINT) AS documents,
  CAST(x.matched_amount AS DECIMAL(18,2)) AS matched_amount,
  CAST(x.amount - x.matched_amount AS DECIMAL(18,2)) AS unapplied_amount,
  CASE WHEN x.reason IS NOT NULL THEN x.reason
       WHEN x.amount - x.matched_amount > 0 AND x.match_rule = 'erp_allocation' THEN 'the ERP allocated only part of it'
       WHEN x.amount - x.matched_amount > 0 THEN 'it paid more than the invoices it names were open for'
  END AS reason
FROM receipts x
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON x.currency <> {{ var('reporting_currency') }}
 AND fx.currency = x.currency AND x.payment_date >= fx.valid_from AND x.payment_date < fx.valid_until
ORDER BY x.payment_id
