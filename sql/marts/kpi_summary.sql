-- The CFO's tile row: one row per calendar month with the headline credit KPIs (docs/metrics.md,
-- "kpi_summary") and, for each, the change against the previous month (_mom) and the same month a
-- year earlier (_yoy): differences in the metric's own unit (euros, days, percentage points,
-- counts); empty when the earlier month is not in the data. Percentages are 0–100.
-- A month the data ends inside is partial (is_complete false, days_elapsed < its days): its flows
-- cover only part of the month, so dashboards open on the last complete month (is_latest_complete).
-- Sources ('ALL' rows): dso_monthly, cash_flow_monthly, write_offs_monthly, collection_costs_monthly,
-- credit_decisions_monthly; expected cash from the forecast made at the month end
-- (int_cash_forecast_items, the model behind cash_forecast_13w).
WITH dso AS (
  SELECT month, month_end, ar_end AS open_ar, overdue_ar_end AS overdue_ar, pct_current, dso, dso_method,
         bpdso, avg_days_delinquent, cei, credit_sales, debit_ar_end AS debit_ar, credit_balances_end AS credit_balances,
         is_complete, days_elapsed
  FROM {{ ref('dso_monthly') }}
  WHERE group_by = 'ALL'
),
cash AS (
  SELECT month, cash_received FROM {{ ref('cash_flow_monthly') }} WHERE group_by = 'ALL'
),
write_offs AS (
  SELECT month, written_off, bad_debt_ratio, bad_debt_ratio_12m, over_ceiling, recovered, net_written_off, bad_debt_ratio_net
  FROM {{ ref('write_offs_monthly') }}
  WHERE group_by = 'ALL'
),
costs AS (
  SELECT month, sum(cost) AS collection_costs FROM {{ ref('collection_costs_monthly') }} GROUP BY month
),
decisions AS (
  SELECT month, refused FROM {{ ref('credit_decisions_monthly') }} WHERE applicant_type = 'ALL'
),
forecast AS (
  SELECT forecast_date, sum(expected_amount) AS expected_cash_13w
  FROM {{ ref('int_cash_forecast_items') }}
  WHERE horizon_week <= {{ var('cf_weeks') }}
  GROUP BY forecast_date
),
months AS (
  SELECT
    d.month,
    d.month_end,
    d.open_ar,
    d.overdue_ar,
    -- overdue share of the debts (debit balances): credit balances owed to customers do not dilute it
    {{ ratio('d.overdue_ar', 'd.debit_ar') }} * 100 AS overdue_pct,
    d.debit_ar,
    d.credit_balances,
    d.is_complete,
    d.days_elapsed,
    d.pct_current,
    d.dso,
    d.dso_method,
    d.bpdso,
    d.avg_days_delinquent,
    d.cei,
    d.credit_sales,
    COALESCE(c.cash_received, CAST(0 AS DECIMAL(18,2))) AS cash_received,
    COALESCE(w.written_off, CAST(0 AS DECIMAL(18,2))) AS written_off,
    w.bad_debt_ratio * 100 AS bad_debt_pct,
    w.bad_debt_ratio_12m * 100 AS bad_debt_pct_12m,
    COALESCE(w.over_ceiling, false) AS over_write_off_ceiling,
    COALESCE(w.recovered, CAST(0 AS DECIMAL(18,2))) AS recovered,
    COALESCE(w.net_written_off, CAST(0 AS DECIMAL(18,2))) AS net_written_off,
    w.bad_debt_ratio_net * 100 AS bad_debt_pct_net,
    CAST(COALESCE(k.collection_costs, 0) AS DECIMAL(18,2)) AS collection_costs,
    CAST(COALESCE(r.refused, 0) AS BIGINT) AS refused_decisions,
    CAST(COALESCE(f.expected_cash_13w, 0) AS DECIMAL(18,2)) AS expected_cash_13w,
    {{ add_months('d.month', -1) }} AS prev_month,
    {{ add_months('d.month', -12) }} AS year_ago_month
  FROM dso d
  LEFT JOIN cash c ON c.month = d.month
  LEFT JOIN write_offs w ON w.month = d.month
  LEFT JOIN costs k ON k.month = d.month
  LEFT JOIN decisions r ON r.month = d.month
  LEFT JOIN forecast f ON f.forecast_date = d.month_end
)
SELECT
  c.month,
  c.month_end,
  c.dso_method,
  c.open_ar,
  c.overdue_ar,
  c.overdue_pct,
  c.pct_current,
  c.dso,
  c.bpdso,
  c.avg_days_delinquent,
  c.cei,
  c.credit_sales,
  c.cash_received,
  c.written_off,
  c.bad_debt_pct,
  c.bad_debt_pct_12m,
  c.collection_costs,
  c.refused_decisions,
  c.expected_cash_13w,
  c.over_write_off_ceiling,
  CAST(c.open_ar - p.open_ar AS DECIMAL(18,2)) AS open_ar_mom,
  CAST(c.open_ar - y.open_ar AS DECIMAL(18,2)) AS open_ar_yoy,
  CAST(c.overdue_ar - p.overdue_ar AS DECIMAL(18,2)) AS overdue_ar_mom,
  CAST(c.overdue_ar - y.overdue_ar AS DECIMAL(18,2)) AS overdue_ar_yoy,
  c.overdue_pct - p.overdue_pct AS overdue_pct_mom,
  c.overdue_pct - y.overdue_pct AS overdue_pct_yoy,
  c.pct_current - p.pct_current AS pct_current_mom,
  c.pct_current - y.pct_current AS pct_current_yoy,
  c.dso - p.dso AS dso_mom,
  c.dso - y.dso AS dso_yoy,
  c.bpdso - p.bpdso AS bpdso_mom,
  c.bpdso - y.bpdso AS bpdso_yoy,
  c.avg_days_delinquent - p.avg_days_delinquent AS avg_days_delinquent_mom,
  c.avg_days_delinquent - y.avg_days_delinquent AS avg_days_delinquent_yoy,
  c.cei - p.cei AS cei_mom,
  c.cei - y.cei AS cei_yoy,
  CAST(c.credit_sales - p.credit_sales AS DECIMAL(18,2)) AS credit_sales_mom,
  CAST(c.credit_sales - y.credit_sales AS DECIMAL(18,2)) AS credit_sales_yoy,
  CAST(c.cash_received - p.cash_received AS DECIMAL(18,2)) AS cash_received_mom,
  CAST(c.cash_received - y.cash_received AS DECIMAL(18,2)) AS cash_received_yoy,
  CAST(c.written_off - p.written_off AS DECIMAL(18,2)) AS written_off_mom,
  CAST(c.written_off - y.written_off AS DECIMAL(18,2)) AS written_off_yoy,
  c.bad_debt_pct - p.bad_debt_pct AS bad_debt_pct_mom,
  c.bad_debt_pct - y.bad_debt_pct AS bad_debt_pct_yoy,
  c.bad_debt_pct_12m - p.bad_debt_pct_12m AS bad_debt_pct_12m_mom,
  c.bad_debt_pct_12m - y.bad_debt_pct_12m AS bad_debt_pct_12m_yoy,
  CAST(c.collection_costs - p.collection_costs AS DECIMAL(18,2)) AS collection_costs_mom,
  CAST(c.collection_costs - y.collection_costs AS DECIMAL(18,2)) AS collection_costs_yoy,
  CAST(c.refused_decisions - p.refused_decisions AS BIGINT) AS refused_decisions_mom,
  CAST(c.refused_decisions - y.refused_decisions AS BIGINT) AS refused_decisions_yoy,
  CAST(c.expected_cash_13w - p.expected_cash_13w AS DECIMAL(18,2)) AS expected_cash_13w_mom,
  CAST(c.expected_cash_13w - y.expected_cash_13w AS DECIMAL(18,2)) AS expected_cash_13w_yoy,
  c.debit_ar,
  c.credit_balances,
  CAST(c.debit_ar - p.debit_ar AS DECIMAL(18,2)) AS debit_ar_mom,
  CAST(c.debit_ar - y.debit_ar AS DECIMAL(18,2)) AS debit_ar_yoy,
  CAST(c.credit_balances - p.credit_balances AS DECIMAL(18,2)) AS credit_balances_mom,
  CAST(c.credit_balances - y.credit_balances AS DECIMAL(18,2)) AS credit_balances_yoy,
  c.recovered,
  c.net_written_off,
  c.bad_debt_pct_net,
  CAST(c.net_written_off - p.net_written_off AS DECIMAL(18,2)) AS net_written_off_mom,
  CAST(c.net_written_off - y.net_written_off AS DECIMAL(18,2)) AS net_written_off_yoy,
  c.bad_debt_pct_net - p.bad_debt_pct_net AS bad_debt_pct_net_mom,
  c.bad_debt_pct_net - y.bad_debt_pct_net AS bad_debt_pct_net_yoy,
  c.is_complete,
  c.days_elapsed,
  CASE WHEN c.is_complete AND c.month = (SELECT max(month) FROM months WHERE is_complete) THEN true ELSE false END AS is_latest_complete
FROM months c
LEFT JOIN months p ON p.month = c.prev_month
LEFT JOIN months y ON y.month = c.year_ago_month
ORDER BY c.month
