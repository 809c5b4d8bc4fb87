-- Every dated event of each customer in one list: payments received, collection actions (reminders
-- up to legal steps, with their cost), write-offs (recoveries as negative amounts) and disputes
-- (dated when opened, with the disputed amount, the reason, and when and how they were resolved). The customer
-- page reads a customer's history from here. Written sorted by customer and date (writeOrder in
-- src/schema/marts/customer_events.ts; not an ORDER BY here, which ran out of memory at 1M invoices
-- and a 512 MB limit beside the payments' join): a lookup of one customer reads one row group of the
-- Parquet, where the staging views would deduplicate every version of the payments and actions on
-- each read. Amounts in the event's own currency (collection costs are
-- booked in the reporting currency).
-- A payment is listed under each customer it is credited to (int_payment_customers): the part paid
-- on another customer's invoices under that customer ('paid by' the payer in detail), the rest under
-- the payer. A payment split so shows each customer's part in the reporting currency; a payment
-- credited whole to one customer, its own amount and currency.
SELECT customer_id, event_date, event_kind, event_type, event_id, document_id, detail, amount, currency, resolved_date, outcome
FROM (
  SELECT c.customer_id, c.payment_date AS event_date, 'payment' AS event_kind, 'payment' AS event_type,
         c.payment_id AS event_id, CAST(NULL AS VARCHAR) AS document_id,
         CASE WHEN c.customer_id <> c.payer_id THEN concat('paid by ', c.payer_id)
              WHEN c.amount <> c.payment_amount THEN 'rest of a payment applied to other customers' END AS detail,
         CAST(CASE WHEN c.amount = c.payment_amount THEN p.amount_original ELSE c.amount END AS DECIMAL(18,2)) AS amount,
         CASE WHEN c.amount = c.payment_amount THEN p.currency ELSE {{ var('reporting_currency') }} END AS currency,
         CAST(NULL AS DATE) AS resolved_date, CAST(NULL AS VARCHAR) AS outcome
  FROM {{ ref('int_payment_customers') }} c
  JOIN {{ ref('int_payments') }} p ON p.payment_id = c.payment_id
  UNION ALL
  SELECT a.customer_id, a.action_date, 'collection_action', a.action_type,
         a.action_id, a.document_id, a.channel,
         CAST(a.cost AS DECIMAL(18,2)), {{ var('reporting_currency') }}, CAST(NULL AS DATE), CAST(NULL AS VARCHAR)
  FROM {{ ref('stg_collection_actions') }} a
  UNION ALL
  SELECT w.customer_id, w.write_off_date, 'write_off', CASE WHEN w.amount_original < 0 THEN 'recovery' ELSE 'write_off' END,
         w.document_id, w.document_id, w.reason,
         CAST(w.amount_original AS DECIMAL(18,2)), w.currency, CAST(NULL AS DATE), CAST(NULL AS VARCHAR)
  FROM {{ ref('int_write_offs') }} w
  UNION ALL
  SELECT d.customer_id, d.opened_date, 'dispute', 'dispute',
         d.dispute_id, d.document_id, d.reason,
         CAST(d.disputed_amount_original AS DECIMAL(18,2)), d.currency, d.resolved_date,
         COALESCE(d.outcome, CASE WHEN d.resolved_date IS NULL THEN 'open' ELSE 'resolved' END)
  FROM {{ ref('int_disputes') }} d
) e
