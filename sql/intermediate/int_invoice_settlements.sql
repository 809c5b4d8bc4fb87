-- One row per invoice (an invoice that corrects no other document, amount > 0) with the date it was
-- settled: the first day from which its balance stays at or below zero, its balance being the
-- invoice, the documents correcting it, the cash allocated to it, write-offs, and the closing of a
-- settled_date (int_ar_item_events). So the settlement date is the date of the last allocation,
-- credit note or write-off that closed it, or its settled_date when that came first. Invoices still
-- open at the end of the data have no settlement_date. closed_by says what cleared it on that date
-- (payment_behaviour counts only payment and settled_date closures as paid, issue 11).
-- The balance is followed in the invoice's own currency (amount_original): a foreign invoice paid in
-- full is settled even when the payment's rate left a booked residual in the reporting currency (that
-- residual is realised FX, ar_rollforward.fx_revaluation, not an unpaid amount).
WITH events AS (
  SELECT item_id, event_date, sum(amount_original) AS delta,
         max(CASE WHEN movement = 'write_off' AND source_type <> 'recovery' AND amount < 0 THEN 1 ELSE 0 END) AS has_write_off,
         max(CASE WHEN movement = 'settlement' THEN 1 ELSE 0 END) AS has_settlement,
         max(CASE WHEN movement = 'allocation' THEN 1 ELSE 0 END) AS has_allocation,
         max(CASE WHEN movement = 'document' AND source_id <> item_id THEN 1 ELSE 0 END) AS has_credit
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND item_type = 'invoice' AND item_amount > 0
  GROUP BY item_id, event_date
),
running AS (
  SELECT item_id, event_date, has_write_off, has_settlement, has_allocation, has_credit,
         sum(delta) OVER (PARTITION BY item_id ORDER BY event_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS balance
  FROM events
),
last_open AS (
  SELECT item_id, max(CASE WHEN balance > 0 THEN event_date END) AS last_open_day
  FROM running
  GROUP BY item_id
),
closed AS (
  SELECT r.item_id, min(r.event_date) AS settlement_date
  FROM running r
  JOIN last_open l ON l.item_id = r.item_id
  WHERE r.balance <= 0 AND (l.last_open_day IS NULL OR r.event_date > l.last_open_day)
  GROUP BY r.item_id
),
heads AS (
  SELECT DISTINCT item_id, customer_id, item_date, due_date, item_amount
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND item_type = 'invoice' AND item_amount > 0
),
flags AS (
  SELECT r.item_id, max(r.has_write_off) AS has_write_off, max(r.has_settlement) AS has_settlement,
         -- what the closing day brought: the movement that cleared the invoice
         max(CASE WHEN r.event_date = c.settlement_date THEN
           CASE WHEN r.has_settlement = 1 THEN 4 WHEN r.has_write_off = 1 THEN 3 WHEN r.has_allocation = 1 THEN 2 WHEN r.has_credit = 1 THEN 1 ELSE 0 END
         END) AS closing
  FROM running r
  JOIN closed c ON c.item_id = r.item_id AND r.event_date <= c.settlement_date
  GROUP BY r.item_id
)
SELECT
  h.item_id AS document_id,
  h.customer_id,
  h.item_date AS invoice_date,
  h.due_date,
  h.item_amount AS amount,
  c.settlement_date,
  CAST({{ days_between('h.item_date', 'c.settlement_date') }} AS INTEGER) AS days_to_pay,
  CAST(CASE WHEN c.settlement_date > h.due_date THEN {{ days_between('h.due_date', 'c.settlement_date') }} ELSE 0 END AS INTEGER) AS days_late,
  CASE WHEN f.has_write_off = 1 THEN true ELSE false END AS written_off,
  CASE WHEN f.has_settlement = 1 THEN true ELSE false END AS closed_by_settled_date,
  -- settled_date, write_off (the closing day wrote off the rest), payment, credit_note (a credit note
  -- cleared it without cash); empty while open
  CASE f.closing WHEN 4 THEN 'settled_date' WHEN 3 THEN 'write_off' WHEN 2 THEN 'payment' WHEN 1 THEN 'credit_note'
       WHEN 0 THEN 'payment' END AS closed_by
FROM heads h
LEFT JOIN closed c ON c.item_id = h.item_id
LEFT JOIN flags f ON f.item_id = h.item_id
