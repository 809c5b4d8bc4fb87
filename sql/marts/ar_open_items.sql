-- Open receivables at every month end (metrics.md, "Open items as of a date").
--  * An open item is a document that corrects no other document. A credit note that corrects an
--    invoice (corrects_document_id) moves that invoice's balance instead of standing open itself;
--    one that corrects nothing stays open as a negative item.
--  * Movements: the document amounts, payment allocations (dated by their payment), write-offs.
--    None counts before the item's own document date: a document dated after D does not exist at D.
--  * A document with settled_date S is closed from S on, whatever its movements say.
--  * The unallocated rest of each payment is its own 'unapplied cash' line (negative open amount).
-- Balances are kept per month as validity ranges, so only items actually open at a month end are
-- joined to it.
WITH docs AS (
  SELECT document_id, customer_id, document_type, invoice_date, due_date, amount, settled_date, corrects_document_id
  FROM {{ ref('stg_invoices') }}
),
doc_items AS (
  SELECT
    d.document_id,
    CASE WHEN t.document_id IS NULL THEN d.document_id ELSE t.document_id END AS item_id,
    CASE WHEN t.document_id IS NULL THEN d.invoice_date ELSE t.invoice_date END AS item_date
  FROM docs d
  LEFT JOIN docs t
    ON t.document_id = d.corrects_document_id
   AND t.corrects_document_id IS NULL
   AND t.document_id <> d.document_id
),
payments AS (
  SELECT payment_id, customer_id, payment_date, amount
  FROM {{ ref('stg_payments') }}
),
allocations AS (
  SELECT
    a.payment_id,
    di.item_id,
    a.amount,
    CASE WHEN p.payment_date < di.item_date THEN di.item_date ELSE p.payment_date END AS effective_date
  FROM {{ ref('stg_payment_allocations') }} a
  JOIN payments p ON p.payment_id = a.payment_id
  JOIN doc_items di ON di.document_id = a.document_id
),
movements AS (
  SELECT 'document' AS item_kind, di.item_id,
         CASE WHEN d.invoice_date < di.item_date THEN di.item_date ELSE d.invoice_date END AS effective_date,
         d.amount AS delta
  FROM docs d
  JOIN doc_items di ON di.document_id = d.document_id
  UNION ALL
  SELECT 'document' AS item_kind, item_id, effective_date, 0 - amount AS delta
  FROM allocations
  UNION ALL
  SELECT 'document' AS item_kind, di.item_id,
         CASE WHEN w.write_off_date < di.item_date THEN di.item_date ELSE w.write_off_date END AS effective_date,
         0 - w.amount AS delta
  FROM {{ ref('stg_write_offs') }} w
  JOIN doc_items di ON di.document_id = w.document_id
  UNION ALL
  SELECT 'payment' AS item_kind, payment_id AS item_id, payment_date AS effective_date, 0 - amount AS delta
  FROM payments
  UNION ALL
  SELECT 'payment' AS item_kind, payment_id AS item_id, effective_date, amount AS delta
  FROM allocations
),
monthly AS (
  SELECT item_kind, item_id, period_end, sum(delta) AS delta
  FROM (
    SELECT item_kind, item_id, CAST({{ month_end('effective_date') }} AS DATE) AS period_end, delta
    FROM movements
  ) dated
  GROUP BY item_kind, item_id, period_end
),
balances AS (
  SELECT
    item_kind,
    item_id,
    period_end AS valid_from,
    COALESCE(lead(period_end) OVER (PARTITION BY item_kind, item_id ORDER BY period_end), DATE '9999-12-31') AS valid_until,
    sum(delta) OVER (
      PARTITION BY item_kind, item_id ORDER BY period_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS balance
  FROM monthly
),
open_balances AS (
  SELECT m.as_of_date, b.item_kind, b.item_id, b.balance
  FROM (SELECT * FROM balances WHERE balance <> 0) b
  JOIN {{ ref('int_month_ends') }} m
    ON m.as_of_date >= b.valid_from AND m.as_of_date < b.valid_until
),
items AS (
  SELECT 'document' AS item_kind, d.document_id AS item_id, d.document_type, d.customer_id, d.invoice_date,
         d.due_date, d.amount AS original_amount, d.settled_date
  FROM docs d
  JOIN doc_items di ON di.document_id = d.document_id AND di.item_id = d.document_id
  UNION ALL
  SELECT 'payment' AS item_kind, payment_id AS item_id, 'unapplied_cash' AS document_type, customer_id,
         payment_date AS invoice_date, CAST(NULL AS DATE) AS due_date, amount AS original_amount,
         CAST(NULL AS DATE) AS settled_date
  FROM payments
),
open_items AS (
  SELECT
    o.as_of_date,
    i.item_id AS document_id,
    i.document_type,
    i.customer_id,
    COALESCE(c.segment, 'unknown') AS segment,
    i.invoice_date,
    i.due_date,
    i.original_amount,
    CAST(o.balance AS DECIMAL(18,2)) AS open_amount,
    CASE WHEN i.item_kind = 'document'
         THEN CAST({{ days_between('i.basis_date', 'o.as_of_date') }} AS INTEGER) END AS days_past_due,
    CASE WHEN i.item_kind = 'payment' OR i.due_date >= o.as_of_date THEN true ELSE false END AS is_current
  FROM open_balances o
  JOIN (SELECT items.*, {{ aging_basis_column('items') }} AS basis_date FROM items) i
    ON i.item_kind = o.item_kind AND i.item_id = o.item_id
  LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = i.customer_id
  WHERE i.settled_date IS NULL OR o.as_of_date < i.settled_date
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
  CASE WHEN days_past_due IS NULL THEN {{ unapplied_bucket() }} ELSE {{ aging_bucket('days_past_due') }} END AS bucket,
  CASE WHEN days_past_due IS NULL THEN {{ unapplied_bucket_order() }} ELSE {{ aging_bucket_order('days_past_due') }} END AS bucket_order,
  is_current,
  {{ var('aging_basis') }} AS aging_basis
FROM open_items
ORDER BY as_of_date, document_type, document_id
