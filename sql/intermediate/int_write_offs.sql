-- Write-offs in the reporting currency: in the written-off document's currency, converted at the
-- rate of the write-off date (as int_payment_allocations).
WITH docs AS (
  SELECT document_id, currency FROM {{ ref('stg_invoices') }}
)
SELECT
  w.document_id,
  w.customer_id,
  w.write_off_date,
  CASE WHEN d.currency IS NULL OR d.currency = {{ var('reporting_currency') }} THEN w.amount
       ELSE CAST(round({{ ratio('w.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  w.reason,
  COALESCE(d.currency, {{ var('reporting_currency') }}) AS currency,
  w.amount AS amount_original
FROM {{ ref('stg_write_offs') }} w
LEFT JOIN docs d ON d.document_id = w.document_id
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON d.currency <> {{ var('reporting_currency') }}
 AND fx.currency = d.currency AND w.write_off_date >= fx.valid_from AND w.write_off_date < fx.valid_until
