-- Every movement of every AR item, dated and signed by its effect on AR: the event ledger behind
-- ar_open_items, ar_rollforward, int_invoice_settlements and ar_ratio_monthly. Summing `amount` over
-- an item's events dated on or before a month end gives its open amount there (ar_open_items):
--  * An item is a document that corrects no other document (its "head"), or a payment (unapplied cash).
--    A correcting document moves its head's balance (int_ar_documents); it is dated no earlier than the head.
--  * movement: 'document' (the document amounts, source_type invoice or credit_note),
--    'allocation' (cash applied to the document, negative), 'write_off' (negative),
--    'receipt' (the payment received, negative, on the payment item), 'applied' (the allocated part
--    leaving the payment item, positive), 'settlement' (see below). A 'write_off' movement with
--    source_type 'recovery' (positive) reinstates written-off debt that a later payment recovers.
--  * A head with settled_date S is closed from S on: its events after S have no effect and are left
--    out, and a 'settlement' event at S closes whatever balance is left (negative for an open
--    invoice): closed without a payment row, it counts as collected. The payment side of cash
--    applied to it after S stays (the cash was counted at S already); it is 'applied_after_settlement'.
--  * A document known only from open-item snapshots moves by the settlements derived from them
--    (int_snapshot_events): movement 'settlement', source_type 'snapshot'.
--  * amount is in the reporting currency at each event's own date (int_invoices, int_payments,
--    int_payment_allocations, int_write_offs); amount_original in the item's currency, so
--    ar_open_items can revalue what is open at the closing rate. Unapplied cash is kept in the
--    reporting currency as received (currency = reporting currency).
WITH docs AS (
  SELECT document_id, customer_id, document_type, invoice_date, due_date, amount, settled_date, item_id,
         currency, amount_original
  FROM {{ ref('int_ar_documents') }}
),
heads AS (
  SELECT document_id AS item_id, customer_id, document_type AS item_type, invoice_date AS item_date,
         due_date, amount AS item_amount, settled_date, currency
  FROM docs
  WHERE item_id = document_id
),
-- Every document with what its events need of its head: the head's date (no event counts before it)
-- and settled date (none counts after it). Narrow on purpose: the CTEs below are read more than once,
-- so DuckDB materialises them, and every column they carry is copied per event; the head's other
-- attributes join once, to the document side's final rows.
doc_items AS (
  SELECT d.document_id, d.document_type AS source_type, d.invoice_date AS source_date, d.amount AS source_amount,
         d.item_id, d.amount_original AS source_amount_original, h.item_date, h.settled_date
  FROM docs d
  JOIN heads h ON h.item_id = d.item_id
),
payments AS (
  SELECT payment_id, customer_id, payment_date, amount FROM {{ ref('int_payments') }}
),
allocations AS (
  SELECT
    a.payment_id,
    p.customer_id AS payer_id,
    p.payment_date,
    p.amount AS payment_amount,
    di.item_id,
    di.settled_date,
    a.amount,
    a.amount_original,
    CASE WHEN p.payment_date < di.item_date THEN di.item_date ELSE p.payment_date END AS event_date
  FROM {{ ref('int_payment_allocations') }} a
  JOIN payments p ON p.payment_id = a.payment_id
  JOIN doc_items di ON di.document_id = a.document_id
),
doc_events AS (
  SELECT di.item_id, 'document' AS movement, di.document_id AS source_id, di.source_type,
         CASE WHEN di.source_date < di.item_date THEN di.item_date ELSE di.source_date END AS event_date,
         di.source_amount AS amount, di.source_amount_original AS amount_original, di.settled_date
  FROM doc_items di
  UNION ALL
  SELECT item_id, 'allocation' AS movement, payment_id AS source_id, 'payment' AS source_type, event_date,
         0 - amount AS amount, 0 - amount_original AS amount_original, settled_date
  FROM allocations
  UNION ALL
  SELECT di.item_id, 'write_off' AS movement, w.document_id AS source_id, 'write_off' AS source_type,
         CASE WHEN w.write_off_date < di.item_date THEN di.item_date ELSE w.write_off_date END AS event_date,
         0 - w.amount AS amount, 0 - w.amount_original AS amount_original, di.settled_date
  FROM {{ ref('int_write_offs') }} w
  JOIN doc_items di ON di.document_id = w.document_id
  UNION ALL
  SELECT di.item_id, 'settlement' AS movement, s.document_id AS source_id, 'snapshot' AS source_type,
         CASE WHEN s.event_date < di.item_date THEN di.item_date ELSE s.event_date END AS event_date,
         s.amount, s.amount_original, di.settled_date
  FROM {{ ref('int_snapshot_events') }} s
  JOIN doc_items di ON di.document_id = s.document_id
),
kept AS (
  SELECT *
  FROM doc_events
  WHERE settled_date IS NULL OR event_date <= settled_date
),
-- Recovery of written-off debt paid later (issue 11): cash allocated to a document after it was
-- written off would take it below zero. The part of such an allocation up to what was written off is
-- a recovery: it reinstates the debt (a 'write_off' movement with source_type 'recovery', positive)
-- that the allocation then clears, so the document never goes negative and net write-offs fall. A
-- negative write-off row (reason recovery) reinstates the debt itself and needs no derived movement.
-- Per day: b = running balance, w = running written-off amount; the recovered total is
-- least(w, deepest dip below zero on a day with an allocation), and each day's recovery its increase.
wo_days AS (
  SELECT k.item_id, k.event_date, sum(k.amount_original) AS delta,
         sum(CASE WHEN k.movement = 'write_off' THEN 0 - k.amount_original ELSE 0 END) AS written,
         max(CASE WHEN k.movement = 'allocation' THEN 1 ELSE 0 END) AS has_allocation
  FROM kept k
  WHERE k.item_id IN (SELECT item_id FROM kept WHERE movement = 'write_off')
  GROUP BY k.item_id, k.event_date
),
wo_running AS (
  SELECT item_id, event_date, has_allocation,
         sum(delta) OVER (PARTITION BY item_id ORDER BY event_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS balance,
         sum(written) OVER (PARTITION BY item_id ORDER BY event_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS written_to_date
  FROM wo_days
),
wo_recovered AS (
  SELECT item_id, event_date,
         CASE WHEN written_to_date < dip THEN written_to_date ELSE dip END AS recovered_to_date
  FROM (
    SELECT item_id, event_date, written_to_date,
           max(CASE WHEN has_allocation = 1 AND balance < 0 THEN 0 - balance ELSE 0 END) OVER (
             PARTITION BY item_id ORDER BY event_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS dip
    FROM wo_running
  ) x
),
recoveries_original AS (
  SELECT item_id, 'write_off' AS movement, item_id AS source_id, 'recovery' AS source_type, event_date,
         recovered_to_date - COALESCE(lag(recovered_to_date) OVER (PARTITION BY item_id ORDER BY event_date), 0) AS amount_original
  FROM wo_recovered
),
-- Recoveries are found in the document's own currency and valued at their date's rate.
recoveries AS (
  SELECT r.item_id, r.movement, r.source_id, r.source_type, r.event_date,
         CASE WHEN h.currency = {{ var('reporting_currency') }} THEN r.amount_original
              ELSE CAST(round({{ ratio('r.amount_original', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
         r.amount_original, h.settled_date
  FROM recoveries_original r
  JOIN heads h ON h.item_id = r.item_id
  LEFT JOIN {{ ref('int_fx_rates') }} fx
    ON h.currency <> {{ var('reporting_currency') }}
   AND fx.currency = h.currency AND r.event_date >= fx.valid_from AND r.event_date < fx.valid_until
  WHERE r.amount_original <> 0
),
settle_base AS (
  SELECT item_id, movement, source_id, source_type, event_date, amount, amount_original, settled_date
  FROM kept
  UNION ALL
  SELECT item_id, movement, source_id, source_type, event_date, amount, amount_original, settled_date
  FROM recoveries
),
settlements AS (
  SELECT item_id, 'settlement' AS movement, item_id AS source_id, 'settled_date' AS source_type,
         settled_date AS event_date, 0 - amount AS amount, 0 - amount_original AS amount_original
  FROM (
    SELECT item_id, settled_date, sum(amount) AS amount, sum(amount_original) AS amount_original
    FROM settle_base
    WHERE settled_date IS NOT NULL
    GROUP BY item_id, settled_date
    HAVING sum(amount) <> 0 OR sum(amount_original) <> 0
  ) k
),
-- The head's attributes join here, once per row of the document side (every item is a head).
document_side AS (
  SELECT e.item_id, e.movement, e.source_id, e.source_type, e.event_date, e.amount, e.amount_original,
         h.customer_id, h.item_type, h.item_date, h.due_date, h.item_amount, h.settled_date, h.currency
  FROM (
    SELECT item_id, movement, source_id, source_type, event_date, amount, amount_original FROM settle_base
    UNION ALL
    SELECT item_id, movement, source_id, source_type, event_date, amount, amount_original FROM settlements
  ) e
  JOIN heads h ON h.item_id = e.item_id
),
payment_side AS (
  SELECT payment_id AS item_id, customer_id, payment_date AS item_date, amount AS item_amount,
         'receipt' AS movement, payment_id AS source_id, 'payment' AS source_type, payment_date AS event_date,
         0 - amount AS amount
  FROM payments
  UNION ALL
  SELECT payment_id AS item_id, payer_id AS customer_id, payment_date AS item_date, payment_amount AS item_amount,
         CASE WHEN settled_date IS NULL OR event_date <= settled_date THEN 'applied' ELSE 'applied_after_settlement' END AS movement,
         item_id AS source_id, 'document' AS source_type, event_date, amount
  FROM allocations
)
SELECT
  'document' AS item_kind,
  item_id,
  customer_id,
  item_type,
  item_date,
  due_date,
  item_amount,
  settled_date,
  movement,
  source_id,
  source_type,
  event_date,
  CAST(amount AS DECIMAL(18,2)) AS amount,
  currency,
  CAST(amount_original AS DECIMAL(18,2)) AS amount_original
FROM document_side
UNION ALL
SELECT
  'payment' AS item_kind,
  item_id,
  customer_id,
  'unapplied_cash' AS item_type,
  item_date,
  CAST(NULL AS DATE) AS due_date,
  item_amount,
  CAST(NULL AS DATE) AS settled_date,
  movement,
  source_id,
  source_type,
  event_date,
  CAST(amount AS DECIMAL(18,2)) AS amount,
  {{ var('reporting_currency') }} AS currency,
  CAST(amount AS DECIMAL(18,2)) AS amount_original
FROM payment_side
