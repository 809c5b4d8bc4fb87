-- Every dated event of each customer in one list: payments received, collection actions (reminders
-- up to legal steps, with their cost), write-offs (recoveries as negative amounts) and disputes
-- (dated when opened, with the disputed amount, the reason, and when and how they were resolved). The customer
-- page reads a customer's history from here. Sorted by customer and date: a lookup of one customer
-- reads one row group of the Parquet, where the staging views would deduplicate every version of
-- the payments and actions on each read. Amounts in the event's own currency (collection costs are
-- booked in the reporting currency).
SELECT customer_id, event_date, event_kind, event_type, event_id, document_id, detail, amount, currency, resolved_date, outcome
FROM (
  SELECT p.customer_id, p.payment_date AS event_date, 'payment' AS event_kind, 'payment' AS event_type,
         p.payment_id AS event_id, CAST(NULL AS VARCHAR) AS document_id, CAST(NULL AS VARCHAR) AS detail,
         CAST(p.amount_original AS DECIMAL(18,2)) AS amount, p.currency,
         CAST(NULL AS DATE) AS resolved_date, CAST(NULL AS VARCHAR) AS outcome
  FROM {{ ref('int_payments') }} p
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
ORDER BY customer_id, event_date, event_kind, event_id
