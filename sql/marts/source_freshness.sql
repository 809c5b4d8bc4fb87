-- Source freshness (docs/metrics.md, "Partial periods and source freshness"): per dated feed, its
-- last date and rows, and how far it is behind the freshest feed. The ledger's data end (the last
-- event, or the extract date of `ingest --as-of`) is where a month turns partial. Feeds whose dates
-- are steady (invoices, payments, open-item snapshots, credit reports) are checked for lag: a feed
-- more than config freshness.max_lag_days behind the freshest checked one is flagged `is_lagging`,
-- and `creditlake build` warns about it. Sparse feeds (write-offs, collection actions, decisions,
-- insolvency events, disputes) are listed but never flagged: a quiet month is not a stale export.
WITH feeds AS (
  SELECT 'invoices' AS feed, 'invoice_date' AS date_column, max(invoice_date) AS last_date, count(*) AS row_count, true AS lag_checked FROM {{ ref('stg_invoices') }}
  UNION ALL
  SELECT 'payments', 'payment_date', max(payment_date), count(*), true FROM {{ ref('stg_payments') }}
  UNION ALL
  SELECT 'open_item_snapshots', 'snapshot_date', max(snapshot_date), count(*), true FROM {{ ref('stg_open_item_snapshots') }}
  UNION ALL
  SELECT 'credit_reports', 'report_date', max(report_date), count(*), true FROM {{ ref('stg_credit_reports') }}
  UNION ALL
  SELECT 'write_offs', 'write_off_date', max(write_off_date), count(*), false FROM {{ ref('stg_write_offs') }}
  UNION ALL
  SELECT 'collection_actions', 'action_date', max(action_date), count(*), false FROM {{ ref('stg_collection_actions') }}
  UNION ALL
  SELECT 'credit_decisions', 'decision_date', max(decision_date), count(*), false FROM {{ ref('stg_credit_decisions') }}
  UNION ALL
  SELECT 'insolvency_events', 'event_date', max(event_date), count(*), false FROM {{ ref('stg_insolvency_events') }}
  UNION ALL
  SELECT 'disputes', 'opened_date', max(opened_date), count(*), false FROM {{ ref('stg_disputes') }}
),
freshest AS (
  SELECT max(last_date) AS freshest_date FROM feeds WHERE lag_checked
),
bounds AS (
  SELECT max(data_end) AS data_end FROM {{ ref('int_month_ends') }}
)
SELECT
  f.feed,
  f.date_column,
  f.last_date,
  CAST(f.row_count AS BIGINT) AS row_count,
  CAST(CASE WHEN f.last_date IS NOT NULL THEN {{ days_between('f.last_date', 'x.freshest_date') }} END AS INTEGER) AS days_behind,
  f.lag_checked,
  CASE WHEN f.lag_checked AND f.last_date IS NOT NULL
            AND {{ days_between('f.last_date', 'x.freshest_date') }} > {{ var('freshness_max_lag_days') }} THEN true ELSE false END AS is_lagging,
  CAST({{ var('freshness_max_lag_days') }} AS INTEGER) AS max_lag_days,
  b.data_end
FROM feeds f
CROSS JOIN freshest x
CROSS JOIN bounds b
ORDER BY f.feed
