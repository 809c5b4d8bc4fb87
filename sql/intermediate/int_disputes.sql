-- Disputes of known documents, in the reporting currency (docs/metrics.md, "Disputes"): the disputed
-- amount converts at its document's rate, as the document itself does (int_invoices), and is capped
-- at the document's amount. A dispute of a document not in the ledger counts nowhere (data test
-- disputes_consistent names it). days_to_resolve = resolved_date − opened_date (empty while open).
SELECT
  d.dispute_id,
  d.document_id,
  i.customer_id,
  i.document_type,
  i.delivery_channel,
  d.opened_date,
  d.resolved_date,
  d.reason,
  d.outcome,
  i.currency,
  d.disputed_amount AS disputed_amount_original,
  CASE WHEN i.currency = {{ var('reporting_currency') }} THEN d.disputed_amount
       ELSE CAST(round({{ ratio('d.disputed_amount', 'i.fx_rate') }}, 2) AS DECIMAL(18,2)) END AS disputed_amount,
  CASE WHEN d.resolved_date IS NOT NULL THEN CAST({{ days_between('d.opened_date', 'd.resolved_date') }} AS INTEGER) END AS days_to_resolve
FROM {{ ref('stg_disputes') }} d
JOIN {{ ref('int_invoices') }} i ON i.document_id = d.document_id
