-- Payments in the reporting currency, converted at the rate of their payment date (as int_invoices).
SELECT
  p.payment_id,
  p.customer_id,
  p.payment_date,
  CASE WHEN p.currency = {{ var('reporting_currency') }} THEN p.amount
       ELSE CAST(round({{ ratio('p.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  p.currency,
  p.amount AS amount_original,
  CASE WHEN p.currency = {{ var('reporting_currency') }} THEN CAST(1 AS DOUBLE) ELSE fx.rate END AS fx_rate
FROM {{ ref('stg_payments') }} p
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON p.currency <> {{ var('reporting_currency') }}
 AND fx.currency = p.currency AND p.payment_date >= fx.valid_from AND p.payment_date < fx.valid_until
