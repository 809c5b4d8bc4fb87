-- The month's flows explain the change in AR: ar_change_other (= ar_end − ar_begin − net_change_ar)
-- is 0 except in months where a document closes by its settled_date or by a settlement derived
-- from open-item snapshots (int_snapshot_events), or a foreign-currency item moves or is open at
-- the month end or the one before (FX: ar_rollforward.fx_revaluation), or a credit note, payment
-- allocation or write-off is dated before the document it belongs to (ar_open_items then counts it
-- from that document's date). Fails with the unexplained months, per group.
WITH docs AS (
  SELECT * FROM {{ ref('int_invoices') }}
),
heads AS (
  SELECT d.document_id, d.invoice_date,
         CASE WHEN t.document_id IS NULL THEN d.invoice_date ELSE t.invoice_date END AS head_date
  FROM docs d
  LEFT JOIN docs t ON t.document_id = d.corrects_document_id AND t.corrects_document_id IS NULL AND t.document_id <> d.document_id
),
-- write-offs and payment allocations dated before the document they belong to: each joined to the
-- documents once, for both months it explains (its own and its document's)
early_movements AS (
  SELECT w.write_off_date AS moved_date, h.head_date
  FROM {{ ref('int_write_offs') }} w JOIN heads h ON h.document_id = w.document_id
  WHERE w.write_off_date < h.head_date
  UNION ALL
  SELECT p.payment_date AS moved_date, h.head_date
  FROM {{ ref('int_payment_allocations') }} a
  JOIN {{ ref('int_payments') }} p ON p.payment_id = a.payment_id
  JOIN heads h ON h.document_id = a.document_id
  WHERE p.payment_date < h.head_date
),
special_months AS (
  SELECT CAST({{ month_start('settled_date') }} AS DATE) AS month FROM docs WHERE settled_date IS NOT NULL
  UNION
  SELECT CAST({{ month_start('event_date') }} AS DATE) FROM {{ ref('int_snapshot_events') }}
  UNION
  SELECT CAST({{ month_start('event_date') }} AS DATE) FROM {{ ref('int_ar_item_events') }} WHERE currency <> {{ var('reporting_currency') }}
  UNION
  SELECT CAST({{ month_start('as_of_date') }} AS DATE) FROM {{ ref('ar_open_items') }} WHERE currency <> {{ var('reporting_currency') }}
  UNION
  SELECT CAST({{ add_months('f.month', 1) }} AS DATE)
  FROM (SELECT CAST({{ month_start('as_of_date') }} AS DATE) AS month FROM {{ ref('ar_open_items') }} WHERE currency <> {{ var('reporting_currency') }}) f
  UNION
  SELECT CAST({{ month_start('invoice_date') }} AS DATE) FROM heads WHERE invoice_date < head_date
  UNION
  SELECT CAST({{ month_start('head_date') }} AS DATE) FROM heads WHERE invoice_date < head_date
  UNION
  SELECT CAST({{ month_start('moved_date') }} AS DATE) FROM early_movements
  UNION
  SELECT CAST({{ month_start('head_date') }} AS DATE) FROM early_movements
)
SELECT c.month, c.group_by, c.group_value, c.ar_begin, c.net_change_ar, c.ar_end, c.ar_change_other
FROM {{ ref('cash_flow_monthly') }} c
WHERE c.ar_change_other <> 0
  AND c.month NOT IN (SELECT month FROM special_months WHERE month IS NOT NULL)
ORDER BY c.month, c.group_by, c.group_value
