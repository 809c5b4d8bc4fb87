-- Reconciliation at every month end, per segment and for ALL:
--   sum of aging buckets (ar_aging) = open AR (ar_open_items, foreign currencies at the closing rate);
--   and per currency, open AR in that currency (ar_open_items.open_amount_original; unapplied cash in
--   the reporting currency) = issued (invoices and credit notes) - paid - written off - settled as
--   derived from open-item snapshots (int_snapshot_events) - closed by a settled_date,
-- the ledger side summed from the events (documents, allocations and write-offs in the document's
-- currency, payments and their applied part in the reporting currency). Movements count from the date
-- their document exists (a payment allocated ahead of its invoice stays unapplied cash until then).
-- Fails with the rows where any of the three differ by a cent or more.
WITH docs AS (
  SELECT * FROM {{ ref('int_invoices') }}
),
heads AS (
  SELECT
    d.document_id,
    CASE WHEN t.document_id IS NULL THEN d.invoice_date ELSE t.invoice_date END AS head_date,
    CASE WHEN t.document_id IS NULL THEN d.customer_id ELSE t.customer_id END AS head_customer,
    CASE WHEN t.document_id IS NULL THEN d.settled_date ELSE t.settled_date END AS head_settled,
    CASE WHEN t.document_id IS NULL THEN d.currency ELSE t.currency END AS head_currency
  FROM docs d
  LEFT JOIN docs t
    ON t.document_id = d.corrects_document_id AND t.corrects_document_id IS NULL AND t.document_id <> d.document_id
),
pay AS (
  SELECT * FROM {{ ref('int_payments') }}
),
applied AS (
  SELECT a.payment_id, p.customer_id AS payer, h.head_customer, h.head_settled, h.head_currency, a.amount, a.amount_original,
         CASE WHEN p.payment_date < h.head_date THEN h.head_date ELSE p.payment_date END AS event_date
  FROM {{ ref('int_payment_allocations') }} a
  JOIN pay p ON p.payment_id = a.payment_id
  JOIN heads h ON h.document_id = a.document_id
),
events AS (
  SELECT h.head_customer AS customer_id, h.head_currency AS currency, 'issued' AS kind, h.head_settled AS settled_date,
         CASE WHEN d.invoice_date < h.head_date THEN h.head_date ELSE d.invoice_date END AS event_date, d.amount_original AS amount
  FROM docs d JOIN heads h ON h.document_id = d.document_id
  UNION ALL
  SELECT head_customer AS customer_id, head_currency AS currency, 'paid' AS kind, head_settled AS settled_date, event_date, 0 - amount_original AS amount
  FROM applied
  UNION ALL
  SELECT h.head_customer AS customer_id, h.head_currency AS currency, 'written_off' AS kind, h.head_settled AS settled_date,
         CASE WHEN w.write_off_date < h.head_date THEN h.head_date ELSE w.write_off_date END AS event_date, 0 - w.amount_original AS amount
  FROM {{ ref('int_write_offs') }} w JOIN heads h ON h.document_id = w.document_id
  UNION ALL
  SELECT h.head_customer AS customer_id, h.head_currency AS currency, 'snapshot' AS kind, h.head_settled AS settled_date,
         CASE WHEN s.event_date < h.head_date THEN h.head_date ELSE s.event_date END AS event_date, s.amount_original AS amount
  FROM {{ ref('int_snapshot_events') }} s JOIN heads h ON h.document_id = s.document_id
  UNION ALL
  -- a payment on a written-off document reinstates the recovered debt first (the event ledger derives it)
  SELECT customer_id, currency, 'written_off' AS kind, settled_date, event_date, amount_original AS amount
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND source_type = 'recovery'
  UNION ALL
  SELECT customer_id, {{ var('reporting_currency') }} AS currency, 'paid' AS kind, CAST(NULL AS DATE) AS settled_date, payment_date AS event_date, 0 - amount AS amount
  FROM pay
  UNION ALL
  SELECT payer AS customer_id, {{ var('reporting_currency') }} AS currency, 'paid' AS kind, CAST(NULL AS DATE) AS settled_date, event_date, amount
  FROM applied
),
-- Events summed per segment, kind, month and settlement month first: a month-end D then needs
-- only these few rows (event month <= D; settled items closed when their settlement month <= D).
segmented AS (
  SELECT segment, currency, kind, event_month, settled_month, sum(amount) AS amount
  FROM (
    SELECT
      COALESCE(c.segment, 'unknown') AS segment,
      e.currency,
      e.kind,
      CAST({{ month_end('e.event_date') }} AS DATE) AS event_month,
      CAST({{ month_end('e.settled_date') }} AS DATE) AS settled_month,
      e.amount
    FROM events e
    LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = e.customer_id
  ) x
  GROUP BY segment, currency, kind, event_month, settled_month
),
ledger AS (
  SELECT m.as_of_date, s.segment, s.currency,
    sum(CASE WHEN s.kind = 'issued' THEN s.amount ELSE 0 END) AS issued,
    sum(CASE WHEN s.kind = 'paid' THEN s.amount ELSE 0 END) AS paid,
    sum(CASE WHEN s.kind = 'written_off' THEN s.amount ELSE 0 END) AS written_off,
    sum(CASE WHEN s.kind = 'snapshot' THEN s.amount ELSE 0 END) AS snapshot_settled,
    sum(CASE WHEN s.settled_month <= m.as_of_date THEN 0 - s.amount ELSE 0 END) AS settled_closed
  FROM {{ ref('int_month_ends') }} m
  JOIN segmented s ON s.event_month <= m.as_of_date
  GROUP BY m.as_of_date, s.segment, s.currency
),
ledger_all AS (
  SELECT as_of_date, segment, currency, issued, paid, written_off, snapshot_settled, settled_closed FROM ledger
  UNION ALL
  SELECT as_of_date, 'ALL' AS segment, currency, sum(issued), sum(paid), sum(written_off), sum(snapshot_settled), sum(settled_closed)
  FROM ledger GROUP BY as_of_date, currency
),
-- ar_open_items read once: per month end, segment and currency, both amounts; the 'ALL' rows and the
-- revalued totals are sums of these sums (exact: DECIMAL).
open_grouped AS (
  SELECT as_of_date, segment, currency, sum(open_amount_original) AS open_ar, sum(open_amount) AS revalued_ar
  FROM {{ ref('ar_open_items') }}
  GROUP BY as_of_date, segment, currency
),
open_items AS (
  SELECT as_of_date, segment, currency, open_ar FROM open_grouped
  UNION ALL
  SELECT as_of_date, 'ALL' AS segment, currency, sum(open_ar) AS open_ar FROM open_grouped GROUP BY as_of_date, currency
),
revalued AS (
  SELECT as_of_date, segment, sum(revalued_ar) AS revalued_ar FROM open_grouped GROUP BY as_of_date, segment
  UNION ALL
  SELECT as_of_date, 'ALL' AS segment, sum(revalued_ar) AS revalued_ar FROM open_grouped GROUP BY as_of_date
),
aging AS (
  SELECT as_of_date, segment, sum(open_amount) AS aging_ar
  FROM {{ ref('ar_aging') }}
  WHERE group_by IN ('segment', 'ALL')
  GROUP BY as_of_date, segment
),
compared AS (
  SELECT
    COALESCE(l.as_of_date, o.as_of_date) AS as_of_date,
    COALESCE(l.segment, o.segment) AS segment,
    COALESCE(l.currency, o.currency) AS currency,
    COALESCE(l.issued, 0) AS issued,
    COALESCE(l.paid, 0) AS paid,
    COALESCE(l.written_off, 0) AS written_off,
    COALESCE(l.snapshot_settled, 0) AS snapshot_settled,
    COALESCE(l.settled_closed, 0) AS settled_closed,
    COALESCE(l.issued, 0) + COALESCE(l.paid, 0) + COALESCE(l.written_off, 0) + COALESCE(l.snapshot_settled, 0)
      + COALESCE(l.settled_closed, 0) AS ledger_ar,
    COALESCE(o.open_ar, 0) AS open_items_ar
  FROM ledger_all l
  FULL OUTER JOIN open_items o ON o.as_of_date = l.as_of_date AND o.segment = l.segment AND o.currency = l.currency
),
aging_compared AS (
  SELECT COALESCE(r.as_of_date, a.as_of_date) AS as_of_date, COALESCE(r.segment, a.segment) AS segment,
         COALESCE(r.revalued_ar, 0) AS open_items_ar, COALESCE(a.aging_ar, 0) AS aging_ar
  FROM revalued r
  FULL OUTER JOIN aging a ON a.as_of_date = r.as_of_date AND a.segment = r.segment
)
SELECT 'ledger differs from open items (in the currency)' AS problem, as_of_date, segment, currency,
       issued, paid, written_off, snapshot_settled, settled_closed, ledger_ar, open_items_ar, CAST(NULL AS DECIMAL(18,2)) AS aging_ar
FROM compared
WHERE ledger_ar <> open_items_ar
UNION ALL
SELECT 'aging differs from open items' AS problem, as_of_date, segment, CAST(NULL AS VARCHAR) AS currency,
       NULL, NULL, NULL, NULL, NULL, NULL, open_items_ar, aging_ar
FROM aging_compared
WHERE aging_ar <> open_items_ar
ORDER BY as_of_date, segment, currency
