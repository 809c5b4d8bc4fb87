-- kpi_summary repeats its sources exactly (dso_monthly and cash_flow_monthly 'ALL' rows; write-offs,
-- collection costs and refused decisions summed straight from staging) and its changes are the differences with the previous month and the same month
-- a year earlier. Fails with the month and the figure that differs.
WITH k AS (
  SELECT * FROM {{ ref('kpi_summary') }}
),
d AS (
  SELECT * FROM {{ ref('dso_monthly') }} WHERE group_by = 'ALL'
),
c AS (
  SELECT * FROM {{ ref('cash_flow_monthly') }} WHERE group_by = 'ALL'
),
refused AS (
  SELECT CAST({{ month_start('decision_date') }} AS DATE) AS month, count(*) AS refused
  FROM {{ ref('stg_credit_decisions') }}
  WHERE decision = 'refused'
  GROUP BY CAST({{ month_start('decision_date') }} AS DATE)
),
costs AS (
  SELECT CAST({{ month_start('action_date') }} AS DATE) AS month, sum(cost) AS cost
  FROM {{ ref('stg_collection_actions') }}
  GROUP BY CAST({{ month_start('action_date') }} AS DATE)
),
prev AS (
  SELECT k.month, p.open_ar AS prev_open_ar, p.cash_received AS prev_cash, p.dso AS prev_dso, p.refused_decisions AS prev_refused,
         y.open_ar AS ya_open_ar, y.dso AS ya_dso
  FROM k
  LEFT JOIN k p ON p.month = {{ add_months('k.month', -1) }}
  LEFT JOIN k y ON y.month = {{ add_months('k.month', -12) }}
)
SELECT k.month, 'not dso_monthly ALL' AS problem
FROM k LEFT JOIN d ON d.month = k.month
WHERE d.month IS NULL OR k.open_ar <> d.ar_end OR k.overdue_ar <> d.overdue_ar_end OR k.credit_sales <> d.credit_sales
   OR k.debit_ar <> d.debit_ar_end OR k.credit_balances <> d.credit_balances_end
   OR NOT (k.dso IS NULL AND d.dso IS NULL OR k.dso = d.dso)
UNION ALL
SELECT k.month, 'not cash_flow_monthly ALL'
FROM k LEFT JOIN c ON c.month = k.month
WHERE c.month IS NULL OR k.cash_received <> c.cash_received OR k.written_off - k.recovered <> c.written_off
   OR k.net_written_off <> k.written_off - k.recovered
UNION ALL
SELECT k.month, 'collection costs differ from staging'
FROM k LEFT JOIN costs s ON s.month = k.month
WHERE k.collection_costs <> COALESCE(s.cost, 0)
UNION ALL
SELECT k.month, 'refused decisions differ from staging'
FROM k LEFT JOIN refused r ON r.month = k.month
WHERE k.refused_decisions <> COALESCE(r.refused, 0)
UNION ALL
SELECT k.month, 'bad-debt ratio is not written_off / credit_sales'
FROM k
WHERE abs(COALESCE(k.bad_debt_pct, -1) - COALESCE({{ ratio('k.written_off', 'k.credit_sales') }} * 100, -1)) > 1e-9
UNION ALL
SELECT k.month, 'changes are not differences'
FROM k JOIN prev p ON p.month = k.month
WHERE NOT (k.open_ar_mom IS NULL AND p.prev_open_ar IS NULL OR k.open_ar_mom = k.open_ar - p.prev_open_ar)
   OR NOT (k.cash_received_mom IS NULL AND p.prev_cash IS NULL OR k.cash_received_mom = k.cash_received - p.prev_cash)
   OR NOT (k.refused_decisions_mom IS NULL AND p.prev_refused IS NULL OR k.refused_decisions_mom = k.refused_decisions - p.prev_refused)
   OR NOT (k.open_ar_yoy IS NULL AND p.ya_open_ar IS NULL OR k.open_ar_yoy = k.open_ar - p.ya_open_ar)
   OR abs(COALESCE(k.dso_yoy, 0) - COALESCE(k.dso - p.ya_dso, 0)) > 1e-9
   OR abs(COALESCE(k.dso_mom, 0) - COALESCE(k.dso - p.prev_dso, 0)) > 1e-9
