-- Open receivables at every month end (metrics.md, "Open items as of a date"). The items and their
-- movements are int_ar_item_events, the event ledger that also drives ar_rollforward, so the rules
-- live there once:
--  * An open item is a document that corrects no other document. A credit note that corrects an
--    invoice (corrects_document_id) moves that invoice's balance instead of standing open itself;
--    one that corrects nothing stays open as a negative item.
--  * Movements: the document amounts, payment allocations (dated by their payment), write-offs.
--    None counts before the item's own document date: a document dated after D does not exist at D.
--  * A document with settled_date S is closed from S on, whatever its movements say (its events up
--    to S and the settlement event at S sum to zero).
--  * The unallocated rest of each payment is its own 'unapplied cash' line (negative open amount).
--  * A document whose open amount is negative (over-credited, a credit note correcting nothing,
--    overpaid) is a credit balance: money owed to the customer, not a negative debt. It goes to the
--    'credit balance' bucket, apart like unapplied cash, and never counts as overdue, so the overdue
--    buckets and every debit-balance ratio (% current, CEI, overdue share) hold debts only.
-- In a partial last month (the export stops before its end) items are aged at the data end
-- (int_month_ends.aged_at): an invoice due after the extract date is not overdue yet.
-- Currencies: the open amount is in the reporting currency, a foreign-currency document revalued at
-- the as-of date's closing rate (open_amount_original in its own currency beside it).
-- Balances are kept per month as validity ranges, so only items actually open at a month end are
-- joined to it. An item's attributes depend on its id alone, so they ride along in the grouping.
WITH monthly AS (
  SELECT item_kind, item_id, item_type, customer_id, item_date, due_date, item_amount, settled_date, currency, period_end,
         sum(amount) AS delta, sum(amount_original) AS delta_original
  FROM (
    SELECT item_kind, item_id, item_type, customer_id, item_date, due_date, item_amount, settled_date, currency,
           CAST({{ month_end('event_date') }} AS DATE) AS period_end, amount, amount_original
    FROM {{ ref('int_ar_item_events') }}
  ) dated
  GROUP BY item_kind, item_id, item_type, customer_id, item_date, due_date, item_amount, settled_date, currency, period_end
),
balances AS (
  SELECT
    item_kind,
    item_id,
    item_type AS document_type,
    customer_id,
    item_date AS invoice_date,
    due_date,
    item_amount AS original_amount,
    settled_date,
    currency,
    period_end AS valid_from,
    COALESCE(lead(period_end) OVER (PARTITION BY item_kind, item_id ORDER BY period_end), DATE '9999-12-31') AS valid_until,
    sum(delta) OVER (
      PARTITION BY item_kind, item_id ORDER BY period_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS booked_balance,
    sum(delta_original) OVER (
      PARTITION BY item_kind, item_id ORDER BY period_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS balance_original
  FROM monthly
),
-- What is open is decided in the item's own currency; a foreign-currency document is revalued at the
-- closing rate of the as-of date (of the data end in a partial month, int_month_ends.aged_at) (int_fx_rates), everything else is its booked balance.
revalued AS (
  SELECT b.*, m.as_of_date,
         CASE WHEN b.currency = {{ var('reporting_currency') }} OR b.item_kind = 'payment' THEN b.booked_balance
              ELSE CAST(round({{ ratio('b.balance_original', 'fx.rate') }}, 2) AS DECIMAL(18,2)) END AS balance
  FROM balances b
  JOIN {{ ref('int_month_ends') }} m
    ON m.as_of_date >= b.valid_from AND m.as_of_date < b.valid_until
  LEFT JOIN {{ ref('int_fx_rates') }} fx
    ON b.currency <> {{ var('reporting_currency') }} AND b.item_kind = 'document'
   AND fx.currency = b.currency AND m.aged_at >= fx.valid_from AND m.aged_at < fx.valid_until
  WHERE (b.item_kind = 'document' AND b.balance_original <> 0) OR (b.item_kind = 'payment' AND b.booked_balance <> 0)
),
open_items AS (
  SELECT
    m.as_of_date,
    i.item_id AS document_id,
    i.document_type,
    i.customer_id,
    COALESCE(c.segment, 'unknown') AS segment,
    i.invoice_date,
    i.due_date,
    i.original_amount,
    CAST(i.balance AS DECIMAL(18,2)) AS open_amount,
    CASE WHEN i.item_kind = 'document'
         THEN CAST({{ days_between('i.basis_date', 'm.aged_at') }} AS INTEGER) END AS days_past_due,
    CASE WHEN i.item_kind = 'payment' OR i.balance < 0 OR i.due_date >= m.aged_at THEN true ELSE false END AS is_current,
    CASE WHEN i.balance < 0 THEN true ELSE false END AS is_credit_balance,
    i.currency,
    CAST(i.balance_original AS DECIMAL(18,2)) AS open_amount_original,
    CAST(i.booked_balance AS DECIMAL(18,2)) AS open_amount_booked
  FROM (SELECT b.*, {{ aging_basis_column('b') }} AS basis_date FROM revalued b) i
  JOIN {{ ref('int_month_ends') }} m ON m.as_of_date = i.as_of_date
  LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = i.customer_id
  WHERE i.settled_date IS NULL OR m.as_of_date < i.settled_date
),
-- Disputes open at each month end (opened on or before it, not resolved by it), per AR item: a
-- dispute of a correcting credit note belongs to the invoice it corrects (int_ar_documents).
disputed AS (
  SELECT m.as_of_date, a.item_id, sum(d.disputed_amount_original) AS disputed_original
  FROM {{ ref('int_disputes') }} d
  JOIN {{ ref('int_ar_documents') }} a ON a.document_id = d.document_id
  JOIN {{ ref('int_month_ends') }} m
    ON d.opened_date <= m.as_of_date AND (d.resolved_date IS NULL OR d.resolved_date > m.as_of_date)
  GROUP BY m.as_of_date, a.item_id
)
SELECT
  as_of_date,
  document_id,
  document_type,
  customer_id,
  segment,
  invoice_date,
  due_date,
  original_amount,
  open_amount,
  days_past_due,
  CASE WHEN days_past_due IS NULL THEN {{ unapplied_bucket() }}
       WHEN open_amount < 0 THEN {{ credit_balance_bucket() }}
       ELSE {{ aging_bucket('days_past_due') }} END AS bucket,
  CASE WHEN days_past_due IS NULL THEN {{ unapplied_bucket_order() }}
       WHEN open_amount < 0 THEN {{ credit_balance_bucket_order() }}
       ELSE {{ aging_bucket_order('days_past_due') }} END AS bucket_order,
  is_current,
  {{ var('aging_basis') }} AS aging_basis,
  is_credit_balance,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete,
  currency,
  open_amount_original,
  open_amount_booked,
  CASE WHEN disputed_item IS NOT NULL AND document_type <> 'unapplied_cash' THEN true ELSE false END AS is_disputed,
  -- The part of a debit balance in dispute: the open disputed amounts, at most the open amount;
  -- a foreign-currency part converts in proportion to the revalued open amount.
  CASE WHEN disputed_item IS NULL OR document_type = 'unapplied_cash' OR open_amount <= 0 THEN CAST(0 AS DECIMAL(18,2))
       WHEN disputed_original >= open_amount_original THEN open_amount
       WHEN currency = {{ var('reporting_currency') }} THEN CAST(disputed_original AS DECIMAL(18,2))
       ELSE CAST(round(open_amount * {{ ratio('disputed_original', 'open_amount_original') }}, 2) AS DECIMAL(18,2)) END AS disputed_amount
FROM (
  SELECT o.*, x.item_id AS disputed_item, x.disputed_original
  FROM open_items o
  LEFT JOIN disputed x ON x.as_of_date = o.as_of_date AND x.item_id = o.document_id
) open_disputed
ORDER BY as_of_date, document_type, document_id
