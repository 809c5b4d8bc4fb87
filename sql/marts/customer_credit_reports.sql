-- Every credit report of each customer's company (int_customer_companies: matched on KvK, else VAT):
-- score and rating per provider and the common band they map to, for the customer page's score
-- history. Sorted by customer: a lookup of one customer reads one row group, not every report.
SELECT l.customer_id, r.report_date, r.provider, r.report_id, r.company_key,
       r.score, r.score_scale, r.rating, r.common_band, r.credit_limit_advice, r.credit_limit_currency
FROM {{ ref('stg_credit_reports') }} r
JOIN {{ ref('int_customer_companies') }} l ON l.company_key = r.company_key
ORDER BY l.customer_id, r.report_date, r.provider, r.report_id
