-- Every cash-flow event of the ledger on its own date, one row per event, in one shape:
-- payments (cash received, unapplied cash included), documents (invoices and credit notes) and
-- write-offs. The cash-flow marts sum it per ISO week or calendar month and customer group.
-- A payment is one row per customer it is credited to (int_payment_customers): the part applied to
-- another customer's invoice is that customer's cash, only the unapplied rest the payer's, as AR
-- moves. payment_id (payment rows only) lets the marts count a split payment once.
-- written_off is net of recoveries: negative write-off rows, and the recovery a payment on a
-- written-off document makes (int_ar_item_events, source_type 'recovery'), so net_change_ar = sales −
-- cash − written_off still explains AR when recovered cash comes in.
SELECT customer_id, payment_date AS flow_date, 'payment' AS flow_kind, payment_id,
       amount AS cash_received,
       CAST(0 AS DECIMAL(18,2)) AS invoiced,
       CAST(0 AS DECIMAL(18,2)) AS credit_notes,
       CAST(0 AS DECIMAL(18,2)) AS written_off
FROM {{ ref('int_payment_customers') }}
UNION ALL
SELECT customer_id, invoice_date AS flow_date, document_type AS flow_kind, CAST(NULL AS VARCHAR) AS payment_id,
       CAST(0 AS DECIMAL(18,2)) AS cash_received,
       CASE WHEN document_type = 'credit_note' THEN CAST(0 AS DECIMAL(18,2)) ELSE amount END AS invoiced,
       CASE WHEN document_type = 'credit_note' THEN amount ELSE CAST(0 AS DECIMAL(18,2)) END AS credit_notes,
       CAST(0 AS DECIMAL(18,2)) AS written_off
FROM {{ ref('int_invoices') }}
UNION ALL
SELECT customer_id, write_off_date AS flow_date, 'write_off' AS flow_kind, CAST(NULL AS VARCHAR) AS payment_id,
       CAST(0 AS DECIMAL(18,2)) AS cash_received,
       CAST(0 AS DECIMAL(18,2)) AS invoiced,
       CAST(0 AS DECIMAL(18,2)) AS credit_notes,
       amount AS written_off
FROM {{ ref('int_write_offs') }}
UNION ALL
SELECT customer_id, event_date AS flow_date, 'recovery' AS flow_kind, CAST(NULL AS VARCHAR) AS payment_id,
       CAST(0 AS DECIMAL(18,2)) AS cash_received,
       CAST(0 AS DECIMAL(18,2)) AS invoiced,
       CAST(0 AS DECIMAL(18,2)) AS credit_notes,
       CAST(0 - amount AS DECIMAL(18,2)) AS written_off
FROM {{ ref('int_ar_item_events') }}
WHERE item_kind = 'document' AND source_type = 'recovery'
