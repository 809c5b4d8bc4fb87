-- Customer groupings in long form (customer_id, group_by, group_value): every customer that appears
-- anywhere in the ledger belongs to exactly one value of each grouping ('unknown' when not recorded).
-- Marts join this to report per group; 'ALL' totals are added by the marts themselves.
WITH ids AS (
  SELECT customer_id FROM {{ ref('stg_customers') }}
  UNION
  SELECT customer_id FROM {{ ref('stg_invoices') }}
  UNION
  SELECT customer_id FROM {{ ref('stg_payments') }} WHERE customer_id IS NOT NULL
),
-- score_band: the common band of the customer's latest credit report (any provider; ties on a day
-- as in customer_risk), one band for the customer's whole history. A band per month end would move
-- customers between groups, and the running AR and countback walks of the marts need fixed groups.
-- The latest report is the last in int_report_validity's order (report date, then provider, nulls
-- last: the one whose valid_until is open; two reports of one provider on one day, where that order
-- left the pick to the engine, by report id), ranked here over the columns it needs: reading
-- int_report_validity made the month-end selection compute its windows over every column of every
-- report for this alone (0.4 to 0.2 CPU-s at 1M invoices on one thread).
latest_band AS (
  SELECT cc.customer_id, r.common_band
  FROM {{ ref('int_customer_companies') }} cc
  JOIN (
    SELECT company_key, common_band,
           row_number() OVER (PARTITION BY company_key ORDER BY report_date DESC NULLS FIRST, provider DESC NULLS FIRST, report_id DESC) AS latest
    FROM {{ ref('stg_credit_reports') }}
  ) r ON r.company_key = cc.company_key AND r.latest = 1
),
attrs AS (
  SELECT
    ids.customer_id,
    COALESCE(c.segment, 'unknown') AS segment,
    CASE WHEN c.sbi_code IS NULL THEN 'unknown' ELSE {{ sbi_section('c.sbi_code') }} END AS sbi_section,
    COALESCE(c.country, 'unknown') AS country,
    COALESCE(c.size_class, 'unknown') AS size_class,
    {{ band_label('b.common_band') }} AS score_band
  FROM ids
  LEFT JOIN {{ ref('stg_customers') }} c ON c.customer_id = ids.customer_id
  LEFT JOIN latest_band b ON b.customer_id = ids.customer_id
)
SELECT customer_id, 'segment' AS group_by, segment AS group_value FROM attrs
UNION ALL
SELECT customer_id, 'sbi_section' AS group_by, sbi_section AS group_value FROM attrs
UNION ALL
SELECT customer_id, 'country' AS group_by, country AS group_value FROM attrs
UNION ALL
SELECT customer_id, 'size_class' AS group_by, size_class AS group_value FROM attrs
UNION ALL
SELECT customer_id, 'score_band' AS group_by, score_band AS group_value FROM attrs
