-- Shares and rates that are fractions by construction stay within [0, 1]; HHI within [0, 10,000];
-- utilisation is consistent with over_limit. (A tiny tolerance absorbs floating-point rounding.)
SELECT 'payment_behaviour' AS mart, CAST(month AS VARCHAR) AS at, group_by || ':' || group_value AS what, share_paid_late AS value
FROM {{ ref('payment_behaviour') }}
WHERE share_paid_late < 0 OR share_paid_late > 1 OR share_amount_paid_late < -1e-9 OR share_amount_paid_late > 1 + 1e-9
   OR mean_days_late < 0 OR mean_days_to_pay < 0 OR mean_days_late > mean_days_to_pay + 1e-9
UNION ALL
SELECT 'credit_decisions_monthly', CAST(month AS VARCHAR), applicant_type, acceptance_rate
FROM {{ ref('credit_decisions_monthly') }}
WHERE acceptance_rate < 0 OR acceptance_rate > 1 OR refusal_rate < 0 OR refusal_rate > 1
UNION ALL
SELECT 'collection_costs_monthly', CAST(month AS VARCHAR), cost_category, share_of_month
FROM {{ ref('collection_costs_monthly') }}
WHERE share_of_month < -1e-9 OR share_of_month > 1 + 1e-9
UNION ALL
SELECT 'concentration', CAST(month AS VARCHAR), 'shares', top_fraction_revenue_share
FROM {{ ref('concentration') }}
WHERE top_fraction_revenue_share < 0 OR top_fraction_revenue_share > 1 + 1e-9
   OR top_n_revenue_share < 0 OR top_n_revenue_share > 1 + 1e-9
   OR top_fraction_open_ar_share < 0 OR top_fraction_open_ar_share > 1 + 1e-9
   OR top_n_open_ar_share < 0 OR top_n_open_ar_share > 1 + 1e-9
   OR hhi_revenue < 0 OR hhi_revenue > 10000 + 1e-6 OR hhi_open_ar < 0 OR hhi_open_ar > 10000 + 1e-6
   OR top_customers_revenue > customers_with_revenue OR top_customers_open_ar > customers_with_open_ar
UNION ALL
SELECT 'write_offs_monthly', CAST(month AS VARCHAR), group_by || ':' || group_value, bad_debt_ratio_12m
FROM {{ ref('write_offs_monthly') }}
WHERE months_in_window < 1 OR months_in_window > 12
   OR (over_ceiling AND NOT (CASE WHEN ceiling_basis = 'month' THEN bad_debt_ratio ELSE bad_debt_ratio_12m END > ceiling_ratio))
UNION ALL
SELECT 'credit_limit_utilisation', CAST(as_of_date AS VARCHAR), customer_id, utilisation
FROM {{ ref('credit_limit_utilisation') }}
WHERE (credit_limit > 0 AND over_limit <> (utilisation > 1))
   OR (credit_limit IS NULL AND over_limit IS NOT NULL)
