-- Open receivables at every month end (metrics.md, "Open items as of a date"). The items and their
-- movements are int_ar_item_events, the event ledger that also drives ar_rollforward; what is open
-- when is worked out once, in int_ar_open_stretches, which ar_aging and dso_monthly sum too. The rules:
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
-- Each stretch of an item (its open amount, bucket and is_current constant; a foreign-currency
-- document's one month end long) is spread over the month ends it covers, so only items open at a
-- month end are joined to it; days past due and bucket are evaluated at each month end's aged_at.
WITH items AS (
  SELECT 'document' AS item_kind, document_id AS item_id, document_type, invoice_date, due_date, amount AS original_amount,
         {{ aging_basis_column('d') }} AS basis_date
  FROM {{ ref('int_ar_documents') }} d
  WHERE item_id = document_id
  UNION ALL
  SELECT 'payment' AS item_kind, payment_id AS item_id, 'unapplied_cash' AS document_type, payment_date AS invoice_date,
         CAST(NULL AS DATE) AS due_date, amount AS original_amount, CAST(NULL AS DATE) AS basis_date
  FROM {{ ref('int_payments') }}
),
open_items AS (
  SELECT
    m.as_of_date,
    s.item_id AS document_id,
    i.document_type,
    s.customer_id,
    COALESCE(c.segment, 'unknown') AS segment,
    i.invoice_date,
    i.due_date,
    i.original_amount,
    s.open_amount,
    CASE WHEN s.item_kind = 'document'
         THEN CAST({{ days_between('i.basis_date', 'm.aged_at') }} AS INTEGER) END AS days_past_due,
    CASE WHEN s.item_kind = 'payment' OR s.open_amount < 0 OR i.due_date >= m.aged_at THEN true ELSE false END AS is_current,
    CASE WHEN s.open_amount < 0 THEN true ELSE false END AS is_credit_balance,
    s.currency,
    s.open_amount_original,
    s.open_amount_booked
  FROM {{ ref('int_ar_open_stretches') }} s
  JOIN {{ ref('int_month_ends') }} m ON m.as_of_date >= s.start_at AND m.as_of_date < s.stop_at
  JOIN items i ON i.item_kind = s.item_kind AND i.item_id = s.item_id
  LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = s.customer_id
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
