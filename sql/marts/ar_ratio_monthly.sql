-- A/R ratio (docs/metrics.md, "Payment behaviour"): of the invoices issued in month P, how much was
-- paid and how much was still unpaid at each later month end D (D = the end of P, then every month end
-- after it). The cohort is P's invoices (documents correcting no other document); everything that
-- later moves their balance is followed from int_ar_item_events, dated as in ar_open_items:
--   sales = paid + credited + written_off + settled_without_payment + unpaid
-- and unpaid equals the open amount of those invoices in ar_open_items at D (data test
-- ar_ratio_ties_to_open_items). Allocations applied to an invoice before it was issued count at its date.
WITH cohort_events AS (
  SELECT
    CAST({{ month_start('item_date') }} AS DATE) AS invoice_month,
    CAST({{ month_end('event_date') }} AS DATE) AS event_month_end,
    sum(CASE WHEN movement = 'document' AND source_id = item_id THEN amount ELSE 0 END) AS sales,
    sum(CASE WHEN movement = 'allocation' THEN 0 - amount ELSE 0 END) AS paid,
    sum(CASE WHEN movement = 'document' AND source_id <> item_id THEN 0 - amount ELSE 0 END) AS credited,
    sum(CASE WHEN movement = 'write_off' THEN 0 - amount ELSE 0 END) AS written_off,
    sum(CASE WHEN movement = 'settlement' THEN 0 - amount ELSE 0 END) AS settled_without_payment,
    count(DISTINCT CASE WHEN movement = 'document' AND source_id = item_id THEN item_id END) AS invoices
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND item_type = 'invoice'
  GROUP BY CAST({{ month_start('item_date') }} AS DATE), CAST({{ month_end('event_date') }} AS DATE)
),
pairs AS (
  SELECT p.month_start AS invoice_month, d.as_of_date
  FROM {{ ref('int_month_ends') }} p
  JOIN {{ ref('int_month_ends') }} d ON d.as_of_date >= p.as_of_date
),
cumulative AS (
  SELECT
    pr.invoice_month,
    pr.as_of_date,
    sum(COALESCE(e.sales, 0)) AS sales,
    sum(COALESCE(e.paid, 0)) AS paid,
    sum(COALESCE(e.credited, 0)) AS credited,
    sum(COALESCE(e.written_off, 0)) AS written_off,
    sum(COALESCE(e.settled_without_payment, 0)) AS settled_without_payment,
    sum(COALESCE(e.invoices, 0)) AS invoices
  FROM pairs pr
  LEFT JOIN cohort_events e ON e.invoice_month = pr.invoice_month AND e.event_month_end <= pr.as_of_date
  GROUP BY pr.invoice_month, pr.as_of_date
)
SELECT
  invoice_month,
  as_of_date,
  CAST({{ months_between('invoice_month', 'as_of_date') }} AS INTEGER) AS months_after,
  CAST(invoices AS BIGINT) AS invoices,
  CAST(sales AS DECIMAL(18,2)) AS sales,
  CAST(paid AS DECIMAL(18,2)) AS paid,
  CAST(credited AS DECIMAL(18,2)) AS credited,
  CAST(written_off AS DECIMAL(18,2)) AS written_off,
  CAST(settled_without_payment AS DECIMAL(18,2)) AS settled_without_payment,
  CAST(sales - paid - credited - written_off - settled_without_payment AS DECIMAL(18,2)) AS unpaid,
  {{ ratio('paid', 'sales') }} AS share_paid,
  {{ ratio('sales - paid - credited - written_off - settled_without_payment', 'sales') }} AS share_unpaid,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM cumulative
ORDER BY invoice_month, as_of_date
