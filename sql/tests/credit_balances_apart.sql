-- Credit balances are aged apart: no debit bucket (not due … >90) holds a negative amount, in
-- ar_open_items or ar_aging; the 'credit balance' bucket holds only negative documents; and net AR is
-- exactly debit balances + credit balances in dso_monthly. Fails with the offending row.
SELECT 'ar_open_items' AS mart, CAST(as_of_date AS VARCHAR) AS at, document_id AS what, bucket, open_amount
FROM {{ ref('ar_open_items') }}
WHERE (bucket NOT IN ({{ unapplied_bucket() }}, {{ credit_balance_bucket() }}) AND (open_amount < 0 OR is_credit_balance))
   OR (bucket = {{ credit_balance_bucket() }} AND (open_amount >= 0 OR document_type = 'unapplied_cash' OR NOT is_credit_balance OR NOT is_current))
UNION ALL
SELECT 'ar_aging', CAST(as_of_date AS VARCHAR), group_by || ':' || group_value, bucket, open_amount
FROM {{ ref('ar_aging') }}
WHERE (bucket NOT IN ({{ unapplied_bucket() }}, {{ credit_balance_bucket() }}) AND open_amount < 0)
   OR (bucket = {{ credit_balance_bucket() }} AND open_amount > 0)
UNION ALL
SELECT 'dso_monthly', CAST(month AS VARCHAR), group_by || ':' || group_value, 'ar_end <> debit + credit', ar_end
FROM {{ ref('dso_monthly') }}
WHERE ar_end <> debit_ar_end + credit_balances_end OR debit_ar_end < 0 OR credit_balances_end > 0
   OR overdue_ar_end < 0 OR overdue_ar_end > debit_ar_end OR current_debit_ar_end < 0
