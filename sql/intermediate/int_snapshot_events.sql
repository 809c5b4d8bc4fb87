-- Settlements derived from open-item snapshots (docs/metrics.md, "Open-item snapshots"), one row
-- per change in a document's open amount, signed by its effect on AR. Only documents the invoices
-- table does not carry (stg_invoices adds them from the snapshots); consecutive snapshots are those
-- of the same scope:
--  * before_first_snapshot: original amount − open amount when first seen, dated on that snapshot
--    (what was already settled then; 0 when the export shows no original amount),
--  * partial / increased: the open amount changed between two consecutive snapshots,
--  * settled: gone from the scope's next snapshot: the rest is settled on that snapshot's date,
--  * reopened: listed again after having gone.
-- All are derived (no payment row says how or exactly when): int_ar_item_events books them as
-- movement 'settlement' with source_type 'snapshot'. Amounts are in the document's currency
-- (amount_original) and in the reporting currency at the event date's rate (amount).
WITH snapshots AS (
  SELECT scope, snapshot_date, document_id, open_amount
  FROM {{ ref('stg_open_item_snapshots') }}
  WHERE document_id NOT IN (SELECT document_id FROM {{ source('invoices') }})
),
scope_dates AS (
  SELECT scope, snapshot_date,
         lead(snapshot_date) OVER (PARTITION BY scope ORDER BY snapshot_date) AS next_scope_date,
         lag(snapshot_date) OVER (PARTITION BY scope ORDER BY snapshot_date) AS prev_scope_date
  FROM (SELECT DISTINCT scope, snapshot_date FROM {{ ref('stg_open_item_snapshots') }}) d
),
observed AS (
  SELECT
    s.document_id,
    s.snapshot_date,
    s.open_amount,
    q.next_scope_date,
    q.prev_scope_date,
    lead(s.snapshot_date) OVER (PARTITION BY s.document_id ORDER BY s.snapshot_date, s.scope) AS next_seen,
    lead(s.open_amount) OVER (PARTITION BY s.document_id ORDER BY s.snapshot_date, s.scope) AS next_open,
    lag(s.snapshot_date) OVER (PARTITION BY s.document_id ORDER BY s.snapshot_date, s.scope) AS prev_seen
  FROM snapshots s
  JOIN scope_dates q ON q.scope = s.scope AND q.snapshot_date = s.snapshot_date
),
documents AS (
  SELECT document_id, customer_id, currency, amount_original AS amount FROM {{ ref('int_invoices') }}
),
events AS (
  SELECT o.document_id, o.snapshot_date AS event_date, o.open_amount - d.amount AS amount, 'before_first_snapshot' AS derivation
  FROM observed o JOIN documents d ON d.document_id = o.document_id
  WHERE o.prev_seen IS NULL
  UNION ALL
  SELECT document_id, next_scope_date AS event_date, next_open - open_amount AS amount,
         CASE WHEN next_open = 0 THEN 'settled' WHEN next_open < open_amount THEN 'partial' ELSE 'increased' END AS derivation
  FROM observed
  WHERE next_seen = next_scope_date
  UNION ALL
  SELECT document_id, next_scope_date AS event_date, 0 - open_amount AS amount, 'settled' AS derivation
  FROM observed
  WHERE next_scope_date IS NOT NULL AND (next_seen IS NULL OR next_seen > next_scope_date)
  UNION ALL
  SELECT document_id, snapshot_date AS event_date, open_amount AS amount, 'reopened' AS derivation
  FROM observed
  WHERE prev_seen IS NOT NULL AND prev_seen < prev_scope_date
)
SELECT
  e.document_id,
  d.customer_id,
  e.event_date,
  CASE WHEN d.currency = {{ var('reporting_currency') }} THEN CAST(e.amount AS DECIMAL(18,2))
       ELSE CAST(round({{ ratio('e.amount', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
  e.derivation,
  d.currency,
  CAST(e.amount AS DECIMAL(18,2)) AS amount_original
FROM events e
JOIN documents d ON d.document_id = e.document_id
LEFT JOIN {{ ref('int_fx_rates') }} fx
  ON d.currency <> {{ var('reporting_currency') }}
 AND fx.currency = d.currency AND e.event_date >= fx.valid_from AND e.event_date < fx.valid_until
WHERE e.amount <> 0
