-- Counts in the KPI marts are never negative (a negative count means a join or sign went wrong).
SELECT 'collection_activity_daily' AS mart, CAST(action_date AS VARCHAR) AS at, action_type AS what,
       actions AS value1, customers AS value2, documents AS value3
FROM {{ ref('collection_activity_daily') }}
WHERE actions < 0 OR customers < 0 OR documents < 0 OR cost < 0 OR customers > actions
UNION ALL
SELECT 'collection_costs_monthly', CAST(month AS VARCHAR), cost_category, actions, customers, documents
FROM {{ ref('collection_costs_monthly') }}
WHERE actions < 0 OR customers < 0 OR documents < 0 OR cost < 0
UNION ALL
SELECT 'open_invoice_counts', CAST(as_of_date AS VARCHAR), group_by || ':' || group_value || ':' || bucket, open_count, count_this_or_older, 0
FROM {{ ref('open_invoice_counts') }}
WHERE open_count < 0 OR open_amount < 0 OR count_this_or_older < open_count
UNION ALL
SELECT 'payment_behaviour', CAST(month AS VARCHAR), group_by || ':' || group_value, invoices_settled, invoices_paid_late, 0
FROM {{ ref('payment_behaviour') }}
WHERE invoices_settled < 0 OR invoices_paid_late < 0 OR invoices_paid_late > invoices_settled
UNION ALL
SELECT 'credit_decisions_monthly', CAST(month AS VARCHAR), applicant_type, decisions, accepted + limited, refused
FROM {{ ref('credit_decisions_monthly') }}
WHERE accepted < 0 OR limited < 0 OR refused < 0 OR decisions <> accepted + limited + refused
UNION ALL
SELECT 'write_offs_monthly', CAST(month AS VARCHAR), group_by || ':' || group_value, write_offs, documents_written_off, 0
FROM {{ ref('write_offs_monthly') }}
WHERE write_offs < 0 OR documents_written_off < 0 OR written_off < 0 OR collection_costs < 0
