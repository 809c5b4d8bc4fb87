-- Whose cash each payment is, one row per payment and customer credited: the one rule for every
-- figure that gives cash received per customer or customer group (int_cash_flows and so
-- cash_flow_weekly / cash_flow_monthly, ar_rollforward.cash_received, the customer page's payments in
-- customer_events, the forecast's payment runs and last payments).
-- The part of a receipt applied to a document is cash collected for the customer of the AR item it
-- settles (int_ar_documents' head), whose balance it lowers (int_ar_item_events); only the unapplied
-- rest stays with the payer (payments.customer_id), who holds it as unapplied cash. A parent paying
-- its subsidiary's invoice, a factor or a debt collector paying on behalf of the debtor: the cash is
-- the debtor's, so cash per group explains the change of AR per group (cash_flow_monthly_ties_to_ar).
-- A payment applied only to its payer's own documents, or to none (nearly every payment), is one
-- row: the payer's, with the whole amount. The payer's row is left out when other customers' items
-- took all of it. Amounts in the reporting currency (int_payments, int_payment_allocations).
WITH payments AS (
  SELECT payment_id, customer_id, payment_date, amount FROM {{ ref('int_payments') }}
),
docs AS (
  SELECT document_id, customer_id, item_id FROM {{ ref('int_ar_documents') }}
),
-- Cash applied to another customer's items, per payment and that customer. Allocations to a document
-- the ledger does not hold stay unapplied cash in AR, so they stay the payer's here too.
moved AS (
  SELECT a.payment_id, h.customer_id, sum(a.amount) AS amount
  FROM {{ ref('int_payment_allocations') }} a
  JOIN payments p ON p.payment_id = a.payment_id
  JOIN docs d ON d.document_id = a.document_id
  JOIN docs h ON h.document_id = d.item_id
  WHERE h.customer_id <> p.customer_id
  GROUP BY a.payment_id, h.customer_id
  HAVING sum(a.amount) <> 0
),
moved_total AS (
  SELECT payment_id, sum(amount) AS amount FROM moved GROUP BY payment_id
)
SELECT p.payment_id, p.customer_id, p.customer_id AS payer_id, p.payment_date,
       CAST(p.amount - COALESCE(t.amount, 0) AS DECIMAL(18,2)) AS amount,
       p.amount AS payment_amount
FROM payments p
LEFT JOIN moved_total t ON t.payment_id = p.payment_id
WHERE t.payment_id IS NULL OR p.amount <> t.amount
UNION ALL
SELECT m.payment_id, m.customer_id, p.customer_id AS payer_id, p.payment_date,
       CAST(m.amount AS DECIMAL(18,2)) AS amount,
       p.amount AS payment_amount
FROM moved m
JOIN payments p ON p.payment_id = m.payment_id
