-- What each bank-statement receipt pays of the open invoices it names (int_bank_named), when they are
-- all of one customer (naming invoices of several customers is ambiguous): its amount goes to them by
-- due date, up to each balance; several receipts naming one invoice take what is left of it in date
-- order (exact: each takes min(its claim, balance − earlier claims), as earlier claims never exceed
-- the balance). A receipt returned (int_bank_receipts.returned_on) on or before a later receipt gave
-- back what it took: the later one finds the invoice open again. Rows with amount 0 are receipts whose
-- invoices earlier receipts had paid.
WITH open_named AS (
  SELECT * FROM {{ ref('int_bank_named') }} WHERE is_open
),
one_customer AS (
  SELECT payment_id FROM open_named GROUP BY payment_id HAVING count(DISTINCT customer_id) = 1
),
claims AS (
  SELECT payment_id, document_id, match_rule, customer_id, payment_date, open_amount,
         CASE WHEN receipt_amount - before_amount <= 0 THEN CAST(0 AS DECIMAL(18,2))
              WHEN receipt_amount - before_amount < open_amount THEN receipt_amount - before_amount
              ELSE open_amount END AS claim
  FROM (
    SELECT o.*,
           COALESCE(sum(o.open_amount) OVER (PARTITION BY o.payment_id ORDER BY o.due_date, o.document_id
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_amount
    FROM open_named o
    WHERE o.payment_id IN (SELECT payment_id FROM one_customer)
  ) x
),
returned_claims AS (
  SELECT c.payment_id, c.document_id, c.payment_date, c.claim, r.returned_on
  FROM claims c JOIN {{ ref('int_bank_receipts') }} r ON r.payment_id = c.payment_id
  WHERE r.returned_on IS NOT NULL
),
given_back AS (
  SELECT c.payment_id, c.document_id, sum(e.claim) AS amount
  FROM claims c
  JOIN returned_claims e
    ON e.document_id = c.document_id AND e.returned_on <= c.payment_date
   AND (e.payment_date < c.payment_date OR (e.payment_date = c.payment_date AND e.payment_id < c.payment_id))
  GROUP BY c.payment_id, c.document_id
)
SELECT payment_id, document_id, match_rule, customer_id, payment_date,
       CAST(CASE WHEN open_amount - taken_before <= 0 THEN 0
                 WHEN open_amount - taken_before < claim THEN open_amount - taken_before
                 ELSE claim END AS DECIMAL(18,2)) AS amount
FROM (
  SELECT c.*,
         COALESCE(sum(c.claim) OVER (PARTITION BY c.document_id ORDER BY c.payment_date, c.payment_id
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
           - COALESCE(g.amount, 0) AS taken_before
  FROM claims c
  LEFT JOIN given_back g ON g.payment_id = c.payment_id AND g.document_id = c.document_id
) x
