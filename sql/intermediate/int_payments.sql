-- Payments in the reporting currency, converted at the rate of their payment date (as int_invoices).
-- A bank-statement receipt comes without its payer: it is the customer of the invoices it was matched
-- to, or the customer its IBAN is known for (int_bank_matches). A receipt nobody can be identified as
-- paying is not on any customer's account: it is not AR until identified (accounting books it on a
-- suspense account), so it is left out here and listed in bank_receipts with its reason.
WITH bank_payer AS (
  SELECT payment_id, min(customer_id) AS customer_id
  FROM {{ ref('int_bank_matches') }}
  WHERE customer_id IS NOT NULL
  GROUP BY payment_id
)
SELECT
  p.payment_id,
  COALESCE(p.customer_id, b.customer_id) AS customer_id,
  p.payment_date,
  CASE WHEN p.currency = {{ var('reporting_currency') }} THEN p.amount
       ELSE CAST(round({{ ratio('p.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  p.currency,
  p.amount AS amount_original,
  CASE WHEN p.currency = {{ var('reporting_currency') }} THEN CAST(1 AS DOUBLE) ELSE fx.rate END AS fx_rate
FROM {{ ref('stg_payments') }} p
LEFT JOIN bank_payer b ON b.payment_id = p.payment_id
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON p.currency <> {{ var('reporting_currency') }}
 AND fx.currency = p.currency AND p.payment_date >= fx.valid_from AND p.payment_date < fx.valid_until
WHERE p.customer_id IS NOT NULL OR b.customer_id IS NOT NULL
