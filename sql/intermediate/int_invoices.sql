-- Invoices and credit notes in the reporting currency: a document in another currency converts at
-- the rate of its document date (int_fx_rates; amount ÷ rate, rounded to the cent). amount_original
-- and currency keep the document's own. Every model that sums document amounts reads this, not
-- stg_invoices; without a rate amount is NULL and data test fx_rate_missing fails the build.
SELECT
  i.document_id,
  i.customer_id,
  i.document_type,
  i.invoice_date,
  i.due_date,
  i.currency,
  CASE WHEN i.currency = {{ var('reporting_currency') }} THEN i.amount
       ELSE CAST(round({{ ratio('i.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  i.settled_date,
  i.corrects_document_id,
  i.amount AS amount_original,
  CASE WHEN i.currency = {{ var('reporting_currency') }} THEN CAST(1 AS DOUBLE) ELSE fx.rate END AS fx_rate,
  i.delivery_channel
FROM {{ ref('stg_invoices') }} i
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON i.currency <> {{ var('reporting_currency') }}
 AND fx.currency = i.currency AND i.invoice_date >= fx.valid_from AND i.invoice_date < fx.valid_until
