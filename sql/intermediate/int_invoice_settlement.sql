-- When each invoice was settled and how late: the clearing date where the export carries one, else
-- the payment date at which allocations first cover the invoice amount. Days late =
-- max(0, settlement date - due date) (metrics.md, "Payment behaviour"). Unsettled invoices are left out.
WITH inv AS (
  SELECT document_id, customer_id, due_date, amount, settled_date
  FROM {{ ref('stg_invoices') }}
  WHERE document_type = 'invoice' AND amount > 0
),
paid AS (
  SELECT
    a.document_id,
    p.payment_date,
    sum(a.amount) OVER (PARTITION BY a.document_id ORDER BY p.payment_date, a.payment_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
  FROM {{ ref('stg_payment_allocations') }} a
  JOIN {{ ref('stg_payments') }} p ON p.payment_id = a.payment_id
),
covered AS (
  SELECT i.document_id, min(p.payment_date) AS paid_date
  FROM inv i
  JOIN paid p ON p.document_id = i.document_id AND p.cumulative >= i.amount
  GROUP BY i.document_id
)
SELECT
  i.document_id,
  i.customer_id,
  i.due_date,
  COALESCE(i.settled_date, c.paid_date) AS settlement_date,
  CASE WHEN {{ days_between('i.due_date', 'COALESCE(i.settled_date, c.paid_date)') }} > 0
       THEN {{ days_between('i.due_date', 'COALESCE(i.settled_date, c.paid_date)') }} ELSE 0 END AS days_late
FROM inv i
LEFT JOIN covered c ON c.document_id = i.document_id
WHERE COALESCE(i.settled_date, c.paid_date) IS NOT NULL
