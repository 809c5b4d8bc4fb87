-- Cash flow per calendar month and customer group, with 'ALL' totals (metrics.md, docs/metrics.md
-- "cash_flow_monthly"): cash received, invoiced, credit notes, credit sales, written off, and the
-- net change in AR they imply, beside the AR balances of dso_monthly so the two can be compared.
-- Dense: every month of every group, zeros where nothing happened.
WITH totals AS (
  SELECT month, group_by, group_value,
         sum(cash_received) AS cash_received,
         sum(payments_count) AS payments_count,
         sum(invoiced) AS invoiced,
         sum(credit_notes) AS credit_notes,
         sum(written_off) AS written_off
  FROM (
    SELECT CAST({{ month_start('flow_date') }} AS DATE) AS month, group_by, group_value,
           cash_received, payments_count, invoiced, credit_notes, written_off
    FROM {{ ref('int_cash_flow_days') }}
  ) d
  GROUP BY month, group_by, group_value
),
frame AS (
  SELECT d.month, d.month_end, d.group_by, d.group_value, d.ar_begin, d.ar_end
  FROM {{ ref('dso_monthly') }} d
),
flowed AS (
  SELECT
    f.month,
    f.month_end,
    f.group_by,
    f.group_value,
    CAST(COALESCE(t.cash_received, 0) AS DECIMAL(18,2)) AS cash_received,
    CAST(COALESCE(t.payments_count, 0) AS BIGINT) AS payments_count,
    CAST(COALESCE(t.invoiced, 0) AS DECIMAL(18,2)) AS invoiced,
    CAST(COALESCE(t.credit_notes, 0) AS DECIMAL(18,2)) AS credit_notes,
    CAST(COALESCE(t.written_off, 0) AS DECIMAL(18,2)) AS written_off,
    f.ar_begin,
    f.ar_end
  FROM frame f
  LEFT JOIN totals t ON t.month = f.month AND t.group_by = f.group_by AND t.group_value = f.group_value
)
SELECT
  month,
  month_end,
  group_by,
  group_value,
  CASE WHEN group_by IN ('segment', 'ALL') THEN group_value END AS segment,
  cash_received,
  payments_count,
  invoiced,
  credit_notes,
  CAST(invoiced + credit_notes AS DECIMAL(18,2)) AS credit_sales,
  written_off,
  CAST(invoiced + credit_notes - cash_received - written_off AS DECIMAL(18,2)) AS net_change_ar,
  ar_begin,
  ar_end,
  CAST(ar_end - ar_begin - (invoiced + credit_notes - cash_received - written_off) AS DECIMAL(18,2)) AS ar_change_other,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(month_end < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM flowed
ORDER BY month, group_by, group_value
