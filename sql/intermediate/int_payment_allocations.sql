-- Payment allocations in the reporting currency. An allocated amount is in the currency of the
-- document it settles (the ERP tracks a document's open amount in its own currency) and converts at
-- the rate of its payment's date: cash applied is worth what it was worth when it came in; the
-- difference with the document's booked value is FX, shown in ar_rollforward.fx_revaluation.
-- An allocation to an unknown document keeps its amount (no currency to convert from).
-- The lines of one payment are rounded together (each line = the rounded running total minus the
-- rounded total before it, in document order), so a payment allocated in full converts to exactly its
-- own converted amount: rounding each line apart left a phantom cent of unapplied cash.
-- Besides the ERP's allocations (match_rule 'erp_allocation'), the matches the build found for
-- bank-statement receipts (int_bank_matches), each with the rule that made it.
WITH docs AS (
  SELECT document_id, currency FROM {{ ref('stg_invoices') }}
),
allocations AS (
  SELECT payment_id, document_id, amount, 'erp_allocation' AS match_rule FROM {{ ref('stg_payment_allocations') }}
  UNION ALL
  SELECT payment_id, document_id, amount, match_rule FROM {{ ref('int_bank_matches') }} WHERE document_id IS NOT NULL
),
-- Each line with its document's currency: the documents are joined once, here, not again below.
lines AS (
  SELECT a.*, d.currency,
         sum(a.amount) OVER (PARTITION BY a.payment_id, d.currency ORDER BY a.document_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
  FROM allocations a
  LEFT JOIN docs d ON d.document_id = a.document_id
)
SELECT
  a.payment_id,
  a.document_id,
  CASE WHEN a.currency IS NULL OR a.currency = {{ var('reporting_currency') }} THEN a.amount
       ELSE CAST(round({{ ratio('a.running', 'fx.rate') }}, 2) - round({{ ratio('a.running - a.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  COALESCE(a.currency, {{ var('reporting_currency') }}) AS currency,
  a.amount AS amount_original,
  a.match_rule
FROM lines a
LEFT JOIN {{ ref('stg_payments') }} p ON p.payment_id = a.payment_id
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON a.currency <> {{ var('reporting_currency') }}
 AND fx.currency = a.currency AND p.payment_date >= fx.valid_from AND p.payment_date < fx.valid_until
