-- cash_flow_weekly and cash_flow_monthly tie to the staging tables, summed straight from them:
-- per period ('ALL' rows) cash received = payments, invoiced = invoices, credit notes, write-offs;
-- every grouping adds up to 'ALL'; and the periods together hold every event (none falls outside
-- the frame). Fails with the period, the check and both sides.
WITH staged AS (
  SELECT payment_date AS event_date, amount AS cash, CAST(0 AS DECIMAL(18,2)) AS inv, CAST(0 AS DECIMAL(18,2)) AS cn, CAST(0 AS DECIMAL(18,2)) AS wo
  FROM {{ ref('int_payments') }}
  UNION ALL
  SELECT invoice_date, CAST(0 AS DECIMAL(18,2)),
         CASE WHEN document_type = 'invoice' THEN amount ELSE CAST(0 AS DECIMAL(18,2)) END,
         CASE WHEN document_type = 'credit_note' THEN amount ELSE CAST(0 AS DECIMAL(18,2)) END,
         CAST(0 AS DECIMAL(18,2))
  FROM {{ ref('int_invoices') }}
  UNION ALL
  SELECT write_off_date, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), amount
  FROM {{ ref('int_write_offs') }}
  UNION ALL
  -- recoveries made by cash on a written-off document (derived in the event ledger)
  SELECT event_date, CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), 0 - amount
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND source_type = 'recovery'
),
staged_periods AS (
  SELECT 'month' AS grain, CAST({{ month_start('event_date') }} AS DATE) AS period, sum(cash) AS cash, sum(inv) AS inv, sum(cn) AS cn, sum(wo) AS wo
  FROM staged GROUP BY CAST({{ month_start('event_date') }} AS DATE)
  UNION ALL
  SELECT 'week' AS grain, CAST(date_trunc('week', event_date) AS DATE) AS period, sum(cash), sum(inv), sum(cn), sum(wo)
  FROM staged GROUP BY CAST(date_trunc('week', event_date) AS DATE)
),
marts AS (
  SELECT 'month' AS grain, month AS period, group_by, group_value, cash_received, invoiced, credit_notes, written_off, credit_sales, net_change_ar
  FROM {{ ref('cash_flow_monthly') }}
  UNION ALL
  SELECT 'week' AS grain, week_start AS period, group_by, group_value, cash_received, invoiced, credit_notes, written_off, credit_sales, net_change_ar
  FROM {{ ref('cash_flow_weekly') }}
),
all_rows AS (
  SELECT * FROM marts WHERE group_by = 'ALL'
),
by_group AS (
  SELECT grain, period, group_by, sum(cash_received) AS cash, sum(invoiced) AS inv, sum(credit_notes) AS cn, sum(written_off) AS wo
  FROM marts WHERE group_by <> 'ALL'
  GROUP BY grain, period, group_by
),
problems AS (
  SELECT COALESCE(s.grain, a.grain) AS grain, COALESCE(s.period, a.period) AS period, 'ALL row differs from staging' AS problem,
         a.cash_received AS mart_value, s.cash AS staging_value
  FROM staged_periods s
  FULL OUTER JOIN all_rows a ON a.grain = s.grain AND a.period = s.period
  WHERE s.grain IS NULL AND (a.cash_received <> 0 OR a.invoiced <> 0 OR a.credit_notes <> 0 OR a.written_off <> 0)
     OR a.grain IS NULL
     OR a.cash_received <> s.cash OR a.invoiced <> s.inv OR a.credit_notes <> s.cn OR a.written_off <> s.wo
  UNION ALL
  SELECT grain, period, 'flow arithmetic' AS problem, net_change_ar, credit_sales - cash_received - written_off
  FROM marts
  WHERE credit_sales <> invoiced + credit_notes OR net_change_ar <> credit_sales - cash_received - written_off
  UNION ALL
  SELECT g.grain, g.period, concat('groups of ', g.group_by, ' do not add up to ALL') AS problem, g.cash, a.cash_received
  FROM by_group g
  JOIN all_rows a ON a.grain = g.grain AND a.period = g.period
  WHERE g.cash <> a.cash_received OR g.inv <> a.invoiced OR g.cn <> a.credit_notes OR g.wo <> a.written_off
)
SELECT * FROM problems
ORDER BY grain, period
