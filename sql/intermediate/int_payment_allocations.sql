-- Payment allocations in the reporting currency. An allocated amount is in the currency of the
-- document it settles (the ERP tracks a document's open amount in its own currency) and converts at
-- the rate of its payment's date: cash applied is worth what it was worth when it came in; the
-- difference with the document's booked value is FX, shown in ar_rollforward.fx_revaluation.
-- An allocation to an unknown document keeps its amount (no currency to convert from).
-- The lines of one payment are rounded together (each line = the rounded running total minus the
-- rounded total before it, in document order), so a payment allocated in full converts to exactly its
-- own converted amount: rounding each line apart left a phantom cent of unapplied cash.
WITH docs AS (
  SELECT document_id, currency FROM {{ ref('stg_invoices') }}
),
lines AS (
  SELECT a.*,
         sum(a.amount) OVER (PARTITION BY a.payment_id, d.currency ORDER BY a.document_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
  FROM {{ ref('stg_payment_allocations') }} a
  LEFT JOIN docs d ON d.document_id = a.document_id
)
SELECT
  a.payment_id,
  a.document_id,
  CASE WHEN d.currency IS NULL OR d.currency = {{ var('reporting_currency') }} THEN a.amount
       ELSE CAST(round({{ ratio('a.running', 'fx.rate') }}, 2) - round({{ ratio('a.running - a.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  COALESCE(d.currency, {{ var('reporting_currency') }}) AS currency,
  a.amount AS amount_original
FROM lines a
LEFT JOIN docs d ON d.document_id = a.document_id
LEFT JOIN {{ ref('stg_payments') }} p ON p.payment_id = a.payment_id
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON d.currency <> {{ var('reporting_currency') }}
 AND fx.currency = d.currency AND p.payment_date >= fx.valid_from AND p.payment_date < fx.valid_until
