-- Open AR as stretches of month ends (issue 16): each row is one AR item over the month ends
-- start_at ≤ as_of < stop_at during which nothing a month-end mart reports about it changes: its
-- open amount, bucket, is_current and is_credit_balance. The rules are those of ar_open_items
-- (metrics.md: its events, settlement cut-off, revaluation and bucketing, evaluated at each month
-- end's aged_at), which is these stretches spread over the month ends they cover; here a document
-- long in the last bucket is one row however many months it stays open.
-- Month-end marts add each stretch at start_at and take it away at stop_at (a difference array,
-- int_ar_open_changes) and a running sum over the month ends gives every month's totals.
-- A stretch ends where a movement changes the balance (a month end with events) or the item is
-- settled. Within that, a debit document in the reporting currency gets one stretch per month end
-- while it still ages (its bucket or is_current can change: until the aging date has passed both its
-- basis date + the last bucket's first day and its due date), then one for the rest. Payments
-- (unapplied cash) and credit balances do not age: one stretch. A foreign-currency document is
-- revalued at every month end's closing rate: one stretch per month end.
-- stop_at is '9999-12-31' for an item still open at the last month end.
-- The movements are summed per item and month here, from the documents, allocations, payments,
-- write-offs and snapshot settlements themselves, by the rules of int_ar_item_events (each movement
-- dated no earlier than its item's head; a document's movements after its settled date left out;
-- recoveries of written-off debt; a payment item received and then applied), instead of grouping
-- that event ledger: a month-end build then computes neither the ledger's 3.7M event rows at 1M
-- invoices with seven head attributes each, nor its 'settlement' events, which move a balance only
-- at the settled date's month end, where the item's last stretch stops anyway (open_until below).
-- The data test ar_rollforward_ties_out ties the two together (the roll-forward from the event
-- ledger, ar_open_items from these stretches) at every month end.
WITH docs AS (
  SELECT document_id, item_id, invoice_date, amount, amount_original, settled_date, currency
  FROM {{ ref('int_ar_documents') }}
),
-- the documents that head their own item, with the date and settled date every movement of the
-- item is held against, and the currency its recoveries are valued from
heads AS (
  SELECT document_id AS item_id, invoice_date AS item_date, settled_date, currency FROM docs WHERE item_id = document_id
),
-- every document that is not its own head (one correcting another), with its head's date and
-- settled date
doc_items AS (
  SELECT d.document_id, d.item_id, d.invoice_date, d.amount, d.amount_original, h.item_date, h.settled_date,
         CAST({{ month_end('h.item_date') }} AS DATE) AS item_month
  FROM docs d JOIN heads h ON h.item_id = d.item_id
  WHERE d.item_id <> d.document_id
),
-- every document with its item (a head is its own: no join for it)
document_items AS (
  SELECT item_id AS document_id, item_id, item_date, settled_date, CAST({{ month_end('item_date') }} AS DATE) AS item_month FROM heads
  UNION ALL
  SELECT document_id, item_id, item_date, settled_date, item_month FROM doc_items
),
-- Every movement with its item (kind 0 the document, 1 an allocation of a payment, 2 a write-off,
-- 3 a snapshot settlement), signed by its effect on the document's balance: an allocation is read
-- once and gives both its sides below. A document's own movement needs no join of its own (a head
-- is its item, dated on the item's date; a correcting document has its head from doc_items): only
-- the allocations, write-offs and snapshot settlements look their item up, a join probed by half the
-- movements at 1M invoices instead of all of them.
by_document AS (
  SELECT a.document_id, 1 AS kind, p.payment_date AS source_date, 0 - a.amount AS amount, 0 - a.amount_original AS amount_original,
         a.payment_id, CAST({{ month_end('p.payment_date') }} AS DATE) AS payment_month
  FROM {{ ref('int_payment_allocations') }} a JOIN {{ ref('int_payments') }} p ON p.payment_id = a.payment_id
  UNION ALL
  SELECT document_id, 2 AS kind, write_off_date, 0 - amount, 0 - amount_original, CAST(NULL AS VARCHAR), CAST(NULL AS DATE) FROM {{ ref('int_write_offs') }}
  UNION ALL
  SELECT document_id, 3 AS kind, event_date, amount, amount_original, CAST(NULL AS VARCHAR), CAST(NULL AS DATE) FROM {{ ref('int_snapshot_events') }}
),
-- dated no earlier than the item's head (int_ar_item_events)
moves AS (
  SELECT item_id, CAST({{ month_end('invoice_date') }} AS DATE) AS item_month, 0 AS kind, CAST(NULL AS VARCHAR) AS payment_id,
         CAST(NULL AS DATE) AS payment_month, amount, amount_original, settled_date, invoice_date AS event_date
  FROM docs WHERE item_id = document_id
  UNION ALL
  SELECT item_id, item_month, 0 AS kind, CAST(NULL AS VARCHAR) AS payment_id, CAST(NULL AS DATE) AS payment_month,
         amount, amount_original, settled_date,
         CASE WHEN invoice_date < item_date THEN item_date ELSE invoice_date END AS event_date
  FROM doc_items
  UNION ALL
  SELECT di.item_id, di.item_month, m.kind, m.payment_id, m.payment_month, m.amount, m.amount_original, di.settled_date,
         CASE WHEN m.source_date < di.item_date THEN di.item_date ELSE m.source_date END AS event_date
  FROM by_document m JOIN document_items di ON di.document_id = m.document_id
),
-- the document side: nothing after the settled date counts
kept AS (
  SELECT item_id, item_month, kind, event_date, amount, amount_original FROM moves
  WHERE settled_date IS NULL OR event_date <= settled_date
),
-- Recovery of written-off debt paid later, as int_ar_item_events derives it (see there): per day of
-- an item with a write-off, b = running balance, w = running written-off amount; the recovered total
-- is least(w, deepest dip below zero on a day with an allocation), each day's recovery its increase,
-- found in the document's currency and valued at its date's rate.
wo_days AS (
  SELECT k.item_id, k.event_date, sum(k.amount_original) AS delta,
         sum(CASE WHEN k.kind = 2 THEN 0 - k.amount_original ELSE 0 END) AS written,
         max(CASE WHEN k.kind = 1 THEN 1 ELSE 0 END) AS has_allocation
  FROM kept k
  WHERE k.item_id IN (SELECT item_id FROM kept WHERE kind = 2)
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
  SELECT item_id, event_date,
         recovered_to_date - COALESCE(lag(recovered_to_date) OVER (PARTITION BY item_id ORDER BY event_date), 0) AS amount_original
  FROM wo_recovered
),
recoveries AS (
  SELECT r.item_id, CAST({{ month_end('h.item_date') }} AS DATE) AS item_month, r.event_date,
         CASE WHEN h.currency = {{ var('reporting_currency') }} THEN r.amount_original
              ELSE CAST(round({{ ratio('r.amount_original', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS amount,
         r.amount_original
  FROM recoveries_original r
  JOIN heads h ON h.item_id = r.item_id
  LEFT JOIN {{ ref('int_fx_rates') }} fx
    ON h.currency <> {{ var('reporting_currency') }}
   AND fx.currency = h.currency AND r.event_date >= fx.valid_from AND r.event_date < fx.valid_until
  WHERE r.amount_original <> 0
),
-- Every movement of an item with its month end and the item's first month end (the head's date for
-- a document: its own movement is there and every other one is dated no earlier; the payment date
-- for a payment): the document side (kept movements and recoveries) and the payment side (each
-- payment received, and applied as its allocations are).
doc_rows AS (
  SELECT item_id, item_month, CAST({{ month_end('event_date') }} AS DATE) AS period_end, amount, amount_original FROM kept
  UNION ALL
  SELECT item_id, item_month, CAST({{ month_end('event_date') }} AS DATE) AS period_end, amount, amount_original FROM recoveries
),
pay_rows AS (
  SELECT payment_id AS item_id, CAST({{ month_end('payment_date') }} AS DATE) AS item_month,
         CAST({{ month_end('payment_date') }} AS DATE) AS period_end, 0 - amount AS amount
  FROM {{ ref('int_payments') }}
  UNION ALL
  SELECT payment_id AS item_id, payment_month AS item_month, CAST({{ month_end('event_date') }} AS DATE) AS period_end, 0 - amount AS amount
  FROM moves WHERE kind = 1
),
-- The balance over each stretch of month ends between an item's movements. Most items move in one
-- or two months (a document when issued and when paid; a payment when received and applied): one
-- grouping per item, each side apart and keyed by its id alone, gives their balances (the first
-- month's movements, the total, and the second and last month with movements). Only items moving
-- in three months or more are grouped by month again and take the running sum, a window. Narrow on
-- purpose: ids and amounts only; the attributes (an item's depend on its id alone) join afterwards.
per_item AS (
  SELECT 'document' AS item_kind, item_id, min(item_month) AS month_first,
         min(CASE WHEN period_end > item_month THEN period_end END) AS month_second, max(period_end) AS month_last,
         sum(CASE WHEN period_end = item_month THEN amount ELSE 0 END) AS d1,
         sum(CASE WHEN period_end = item_month THEN amount_original ELSE 0 END) AS d1_original,
         sum(amount) AS total, sum(amount_original) AS total_original
  FROM doc_rows
  GROUP BY item_id
  UNION ALL
  SELECT 'payment' AS item_kind, item_id, min(item_month) AS month_first,
         min(CASE WHEN period_end > item_month THEN period_end END) AS month_second, max(period_end) AS month_last,
         sum(CASE WHEN period_end = item_month THEN amount ELSE 0 END) AS d1,
         sum(CASE WHEN period_end = item_month THEN amount ELSE 0 END) AS d1_original,
         sum(amount) AS total, sum(amount) AS total_original
  FROM pay_rows
  GROUP BY item_id
),
simple_balances AS (
  SELECT p.item_kind, p.item_id,
         CASE WHEN k.n = 1 THEN p.month_first ELSE p.month_second END AS valid_from,
         CASE WHEN k.n = 1 AND p.month_second IS NOT NULL THEN p.month_second ELSE DATE '9999-12-31' END AS valid_until,
         CASE WHEN k.n = 1 THEN p.d1 ELSE p.total END AS booked_balance,
         CASE WHEN k.n = 1 THEN p.d1_original ELSE p.total_original END AS balance_original
  FROM per_item p
  CROSS JOIN (VALUES (1), (2)) AS k(n)
  WHERE (p.month_second IS NULL OR p.month_second = p.month_last) AND (k.n = 1 OR p.month_second IS NOT NULL)
),
-- the items moving in three months or more, grouped per month
monthly AS (
  SELECT 'document' AS item_kind, r.item_id, r.period_end, sum(r.amount) AS delta, sum(r.amount_original) AS delta_original
  FROM doc_rows r
  JOIN per_item p ON p.item_kind = 'document' AND p.item_id = r.item_id AND p.month_second < p.month_last
  GROUP BY r.item_id, r.period_end
  UNION ALL
  SELECT 'payment' AS item_kind, r.item_id, r.period_end, sum(r.amount) AS delta, sum(r.amount) AS delta_original
  FROM pay_rows r
  JOIN per_item p ON p.item_kind = 'payment' AND p.item_id = r.item_id AND p.month_second < p.month_last
  GROUP BY r.item_id, r.period_end
),
balances AS (
  SELECT
    m.item_kind, m.item_id,
    m.period_end AS valid_from,
    COALESCE(lead(m.period_end) OVER (PARTITION BY m.item_kind, m.item_id ORDER BY m.period_end), DATE '9999-12-31') AS valid_until,
    sum(m.delta) OVER (
      PARTITION BY m.item_kind, m.item_id ORDER BY m.period_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS booked_balance,
    sum(m.delta_original) OVER (
      PARTITION BY m.item_kind, m.item_id ORDER BY m.period_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS balance_original
  FROM monthly m
  UNION ALL
  SELECT * FROM simple_balances
),
-- int_ar_item_events' items: documents that correct no other document, and payments
items AS (
  SELECT 'document' AS item_kind, document_id AS item_id, customer_id, due_date, settled_date, currency,
         {{ aging_basis_column('d') }} AS basis_date
  FROM {{ ref('int_ar_documents') }} d
  WHERE item_id = document_id
  UNION ALL
  SELECT 'payment' AS item_kind, payment_id AS item_id, customer_id, CAST(NULL AS DATE) AS due_date,
         CAST(NULL AS DATE) AS settled_date, {{ var('reporting_currency') }} AS currency, CAST(NULL AS DATE) AS basis_date
  FROM {{ ref('int_payments') }}
),
span AS (
  SELECT max(as_of_date) AS last_as_of, max(aged_at) AS last_aged_at FROM {{ ref('int_month_ends') }}
),
-- Open from valid_from (a month end with movements) until the next such month end, or the first
-- month end on or after the settled date (ar_open_items: open while as_of < settled_date).
ranges AS (
  SELECT b.item_kind, b.item_id, i.customer_id, i.due_date, i.basis_date, i.currency, b.valid_from,
         b.booked_balance, b.balance_original,
         CASE WHEN i.settled_date IS NOT NULL AND CAST({{ month_end('i.settled_date') }} AS DATE) < b.valid_until
              THEN CAST({{ month_end('i.settled_date') }} AS DATE) ELSE b.valid_until END AS open_until,
         CASE WHEN b.item_kind = 'document' AND i.currency <> {{ var('reporting_currency') }} THEN true ELSE false END AS revalued
  FROM balances b
  JOIN items i ON i.item_kind = b.item_kind AND i.item_id = b.item_id
  CROSS JOIN span
  WHERE ((b.item_kind = 'document' AND b.balance_original <> 0) OR (b.item_kind = 'payment' AND b.booked_balance <> 0))
    AND b.valid_from <= span.last_as_of
),
-- The date from which a document no longer ages (in the last bucket and overdue) and the first month
-- end whose aging date reaches it (aged_at only grows); an item that never ages is settled at once.
settling AS (
  SELECT r.*,
         CASE WHEN r.revalued THEN DATE '9999-12-31'
              WHEN r.item_kind = 'payment' OR r.booked_balance < 0 OR r.stable_date IS NULL THEN DATE '0001-01-01'
              WHEN r.stable_date <= span.last_aged_at THEN CAST({{ month_end('r.stable_date') }} AS DATE)
              ELSE DATE '9999-12-31' END AS stable_from
  FROM (
    SELECT x.*,
           CASE WHEN x.bucket_date IS NULL THEN x.overdue_date
                WHEN x.overdue_date IS NULL OR x.bucket_date > x.overdue_date THEN x.bucket_date
                ELSE x.overdue_date END AS stable_date
    FROM (
      SELECT ranges.*, {{ add_days('ranges.basis_date', 'k.last_first_day') }} AS bucket_date,
             {{ add_days('ranges.due_date', 1) }} AS overdue_date
      FROM ranges
      CROSS JOIN (SELECT {{ aging_last_bucket_start() }} AS last_first_day) k
      WHERE ranges.valid_from < ranges.open_until
    ) x
  ) r
  CROSS JOIN span
),
-- The month ends a range ages over: from valid_from, before open_until and stable_from, up to the
-- last month end (all of them month ends, or the sentinels 0001-01-01 and 9999-12-31). Each range
-- spreads over them from its own sequence of month starts: a join of the ranges to the month ends on
-- three inequalities sorted every range (900,000 at 1M invoices), for the one to three month ends
-- most cover.
aging_ranges AS (
  SELECT s.*,
         CASE WHEN s.open_until <= s.stable_from AND s.open_until <= span.last_as_of
              THEN CAST({{ add_days(month_start('s.open_until'), -1) }} AS DATE)
              WHEN s.stable_from <= span.last_as_of
              THEN CAST({{ add_days(month_start('s.stable_from'), -1) }} AS DATE)
              ELSE span.last_as_of END AS last_aging
  FROM settling s
  CROSS JOIN span
  WHERE s.valid_from < s.open_until AND s.valid_from < s.stable_from
),
stretches AS (
  -- one per month end while the item ages (or is revalued)
  SELECT s.item_kind, s.item_id, s.customer_id, s.due_date, s.basis_date, s.currency, s.booked_balance,
         s.balance_original, s.revalued, CAST({{ month_end('CAST(m.month_start AS DATE)') }} AS DATE) AS start_at,
         CAST({{ month_end(add_months('CAST(m.month_start AS DATE)', 1)) }} AS DATE) AS stop_at
  FROM (SELECT * FROM aging_ranges WHERE valid_from <= last_aging) s
  CROSS JOIN UNNEST({{ month_start_sequence('s.valid_from', 's.last_aging') }}) AS m(month_start)
  UNION ALL
  -- then one for the rest of the range
  SELECT item_kind, item_id, customer_id, due_date, basis_date, currency, booked_balance,
         balance_original, revalued,
         CASE WHEN stable_from > valid_from THEN stable_from ELSE valid_from END AS start_at, open_until AS stop_at
  FROM settling
  WHERE stable_from < open_until
),
evaluated AS (
  SELECT s.*, m.aged_at,
         CASE WHEN NOT s.revalued THEN s.booked_balance
              ELSE CAST(round({{ ratio('s.balance_original', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS balance
  FROM stretches s
  JOIN {{ ref('int_month_ends') }} m ON m.as_of_date = s.start_at
  LEFT JOIN {{ ref('int_fx_rates') }} fx
    ON s.revalued AND fx.currency = s.currency AND m.aged_at >= fx.valid_from AND m.aged_at < fx.valid_until
),
classified AS (
  SELECT e.*,
         CASE WHEN e.item_kind = 'document'
              THEN CAST({{ days_between('e.basis_date', 'e.aged_at') }} AS INTEGER) END AS days_past_due
  FROM evaluated e
)
SELECT
  item_kind,
  item_id,
  customer_id,
  start_at,
  CASE WHEN stop_at > (SELECT last_as_of FROM span) THEN DATE '9999-12-31' ELSE stop_at END AS stop_at,
  CAST(balance AS DECIMAL(18,2)) AS open_amount,
  currency,
  CAST(balance_original AS DECIMAL(18,2)) AS open_amount_original,
  CASE WHEN days_past_due IS NULL THEN {{ unapplied_bucket() }}
       WHEN balance < 0 THEN {{ credit_balance_bucket() }}
       ELSE {{ aging_bucket('days_past_due') }} END AS bucket,
  CASE WHEN item_kind = 'payment' OR balance < 0 OR due_date >= aged_at THEN true ELSE false END AS is_current,
  CASE WHEN balance < 0 THEN true ELSE false END AS is_credit_balance,
  CAST(booked_balance AS DECIMAL(18,2)) AS open_amount_booked
FROM classified
