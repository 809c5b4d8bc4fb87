-- Credit limit utilisation per month end and customer (docs/metrics.md): open AR / credit limit.
-- One row per customer with open items at the month end (ar_open_items; unapplied cash nets against
-- the documents). The limit comes from config credit_limits.source: customer_master (default:
-- customers.credit_limit as loaded) or latest_decision (granted_limit of the customer's last credit
-- decision on or before the month end, else the master); limit_source says which one each row used.
-- Without a recorded limit, utilisation, headroom and over_limit are empty; a limit of 0 with a
-- positive balance is over the limit. A limit is kept in the customer's currency (customers.currency;
-- a decision's granted_limit too): one in another currency than the reporting currency converts at
-- the month end's closing rate (int_month_end_rates), as the open items it is compared with are
-- revalued; credit_limit_original and limit_currency keep what the ERP holds. Without a rate the
-- limit is empty here and the build fails (data test fx_rate_missing), never 1:1.
WITH balances AS (
  SELECT as_of_date, customer_id,
         sum(open_amount) AS open_ar,
         sum(CASE WHEN is_current THEN 0 ELSE open_amount END) AS overdue_ar,
         count(*) AS open_items
  FROM {{ ref('ar_open_items') }}
  GROUP BY as_of_date, customer_id
),
decided AS (
  SELECT as_of_date, customer_id, granted_limit
  FROM (
    SELECT b.as_of_date, b.customer_id, d.granted_limit,
           row_number() OVER (PARTITION BY b.as_of_date, b.customer_id ORDER BY d.decision_date DESC, d.decision_id DESC) AS n
    FROM balances b
    JOIN {{ ref('stg_credit_decisions') }} d ON d.customer_id = b.customer_id AND d.decision_date <= b.as_of_date
  ) x
  WHERE n = 1
),
limits AS (
  SELECT
    b.*,
    COALESCE(c.segment, 'unknown') AS segment,
    CASE
      WHEN {{ var('credit_limit_source') }} = 'latest_decision' AND d.granted_limit IS NOT NULL THEN d.granted_limit
      ELSE c.credit_limit
    END AS credit_limit_original,
    COALESCE(c.currency, {{ var('reporting_currency') }}) AS limit_currency,
    CASE
      WHEN {{ var('credit_limit_source') }} = 'latest_decision' AND d.granted_limit IS NOT NULL THEN 'credit_decision'
      WHEN c.credit_limit IS NOT NULL THEN 'customer_master'
      ELSE 'none'
    END AS limit_source
  FROM balances b
  LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = b.customer_id
  LEFT JOIN decided d ON d.as_of_date = b.as_of_date AND d.customer_id = b.customer_id
),
converted AS (
  SELECT
    l.*,
    CASE
      WHEN l.credit_limit_original IS NULL THEN CAST(NULL AS DECIMAL(18,2))
      WHEN l.limit_currency = {{ var('reporting_currency') }} THEN CAST(l.credit_limit_original AS DECIMAL(18,2))
      ELSE CAST(round({{ ratio('l.credit_limit_original', 'r.rate') }}, 2) AS DECIMAL(18,2))
    END AS credit_limit
  FROM limits l
  LEFT JOIN {{ ref('int_month_end_rates') }} r
    ON l.limit_currency <> {{ var('reporting_currency') }} AND r.as_of_date = l.as_of_date AND r.currency = l.limit_currency
)
SELECT
  as_of_date,
  customer_id,
  segment,
  CAST(open_ar AS DECIMAL(18,2)) AS open_ar,
  CAST(overdue_ar AS DECIMAL(18,2)) AS overdue_ar,
  CAST(open_items AS BIGINT) AS open_items,
  CAST(credit_limit AS DECIMAL(18,2)) AS credit_limit,
  CAST(credit_limit_original AS DECIMAL(18,2)) AS credit_limit_original,
  CASE WHEN credit_limit_original IS NOT NULL THEN limit_currency END AS limit_currency,
  limit_source,
  {{ var('credit_limit_source') }} AS limit_basis,
  {{ ratio('open_ar', 'credit_limit') }} AS utilisation,
  CAST(credit_limit - open_ar AS DECIMAL(18,2)) AS headroom,
  CASE WHEN credit_limit IS NULL THEN CAST(NULL AS BOOLEAN) WHEN open_ar > credit_limit THEN true ELSE false END AS over_limit,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM converted
ORDER BY as_of_date, customer_id
