-- Credit decisions per calendar month (docs/metrics.md, "Refused customers"): decisions, accepted,
-- limited (granted less than asked), refused, and the acceptance rate. With config
-- credit_decisions.limited_counts_as_accepted (default true) the rate is (accepted + limited) /
-- decisions, otherwise accepted / decisions; acceptance_basis records which. Rows per applicant type:
-- 'customer' (a debtor in the ledger), 'applicant' (not a customer), and 'ALL'. Dense over the months
-- from the first to the last decision.
WITH decisions AS (
  SELECT CAST({{ month_start('decision_date') }} AS DATE) AS month_start,
         CASE WHEN customer_id IS NULL THEN 'applicant' ELSE 'customer' END AS applicant_type,
         decision, requested_limit, granted_limit
  FROM {{ ref('stg_credit_decisions') }}
),
bounds AS (
  SELECT min(month_start) AS first_month, max(month_start) AS last_month FROM decisions
),
months AS (
  SELECT CAST(s.month_start AS DATE) AS month_start
  FROM bounds
  CROSS JOIN UNNEST({{ month_start_sequence('bounds.first_month', 'bounds.last_month') }}) AS s(month_start)
  WHERE bounds.first_month IS NOT NULL
),
types AS (
  SELECT applicant_type FROM (VALUES ('ALL'), ('customer'), ('applicant')) AS t(applicant_type)
),
grouped AS (
  SELECT month_start, applicant_type, decision, requested_limit, granted_limit FROM decisions
  UNION ALL
  SELECT month_start, 'ALL' AS applicant_type, decision, requested_limit, granted_limit FROM decisions
),
totals AS (
  SELECT month_start, applicant_type,
         count(*) AS decisions,
         sum(CASE WHEN decision = 'accepted' THEN 1 ELSE 0 END) AS accepted,
         sum(CASE WHEN decision = 'limited' THEN 1 ELSE 0 END) AS limited,
         sum(CASE WHEN decision = 'refused' THEN 1 ELSE 0 END) AS refused,
         sum(requested_limit) AS requested_limit,
         sum(granted_limit) AS granted_limit
  FROM grouped
  GROUP BY month_start, applicant_type
),
framed AS (
  SELECT m.month_start, ty.applicant_type,
         CAST(COALESCE(t.decisions, 0) AS BIGINT) AS decisions,
         CAST(COALESCE(t.accepted, 0) AS BIGINT) AS accepted,
         CAST(COALESCE(t.limited, 0) AS BIGINT) AS limited,
         CAST(COALESCE(t.refused, 0) AS BIGINT) AS refused,
         CAST(COALESCE(t.requested_limit, 0) AS DECIMAL(18,2)) AS requested_limit,
         CAST(COALESCE(t.granted_limit, 0) AS DECIMAL(18,2)) AS granted_limit
  FROM months m
  CROSS JOIN types ty
  LEFT JOIN totals t ON t.month_start = m.month_start AND t.applicant_type = ty.applicant_type
)
SELECT
  month_start AS month,
  CAST({{ month_end('month_start') }} AS DATE) AS month_end,
  applicant_type,
  decisions,
  accepted,
  limited,
  refused,
  CASE {{ var('acceptance_basis') }}
    WHEN 'accepted_only' THEN {{ ratio('accepted', 'decisions') }}
    ELSE {{ ratio('accepted + limited', 'decisions') }}
  END AS acceptance_rate,
  {{ ratio('refused', 'decisions') }} AS refusal_rate,
  {{ var('acceptance_basis') }} AS acceptance_basis,
  requested_limit,
  granted_limit,
  {{ ratio('granted_limit', 'requested_limit') }} AS granted_share,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(CAST({{ month_end('month_start') }} AS DATE) < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM framed
ORDER BY month_start, applicant_type
