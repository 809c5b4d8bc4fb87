-- First and last date of any dated event in the ledger (document, payment, write-off, open-item snapshot): the span of
-- int_month_ends and the data end cash_forecast_backtest checks its forecast windows against.
SELECT min(event_date) AS first_date, max(event_date) AS last_date
FROM (
  SELECT invoice_date AS event_date FROM {{ ref('stg_invoices') }}
  UNION ALL
  SELECT payment_date AS event_date FROM {{ ref('stg_payments') }}
  UNION ALL
  SELECT write_off_date AS event_date FROM {{ ref('stg_write_offs') }}
  UNION ALL
  SELECT snapshot_date AS event_date FROM {{ ref('stg_open_item_snapshots') }}
) events
