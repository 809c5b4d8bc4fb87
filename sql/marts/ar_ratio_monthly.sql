-- A/R ratio (docs/metrics.md, "Payment behaviour"): of the invoices issued in month P, how much was
-- paid and how much was still unpaid at each later month end D (D = the end of P, then every month end
-- after it). The cohort is P's invoices (documents correcting no other document); everything that
-- later moves their balance is followed from int_ar_item_events, dated as in ar_open_items:
--   sales = paid + credited + written_off + settled_without_payment + fx_difference + unpaid
-- and unpaid equals the open amount of those invoices in ar_open_items at D (data test
-- ar_ratio_ties_to_open_items). Allocations applied to an invoice before it was issued count at its date.
-- A foreign-currency invoice closed in its own currency can leave a booked residual in the reporting
-- currency (paid at another rate than issued): that is fx_difference (realised FX), not unpaid.
WITH item_months AS (
  SELECT
    item_id,
    CAST({{ month_start('item_date') }} AS DATE) AS invoice_month,
    CAST({{ month_end('event_date') }} AS DATE) AS event_month_end,
    sum(CASE WHEN movement = 'document' AND source_id = item_id THEN amount ELSE 0 END) AS sales,
    sum(CASE WHEN movement = 'allocation' THEN 0 - amount ELSE 0 END) AS paid,
    sum(CASE WHEN movement = 'document' AND source_id <> item_id THEN 0 - amount ELSE 0 END) AS credited,
    sum(CASE WHEN movement = 'write_off' THEN 0 - amount ELSE 0 END) AS written_off,
    sum(CASE WHEN movement = 'settlement' THEN 0 - amount ELSE 0 END) AS settled_without_payment,
    sum(amount) AS delta,
    sum(amount_original) AS delta_original,
    max(CASE WHEN movement = 'document' AND source_id = item_id THEN 1 ELSE 0 END) AS issued
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND item_type = 'invoice'
  GROUP BY item_id, CAST({{ month_start('item_date') }} AS DATE), CAST({{ month_end('event_date') }} AS DATE)
),
-- Realised FX comes only from invoices some movement of which is booked at another amount than in
-- the invoice's own currency: on the others the booked and own-currency balances are equal at every
-- month end, so the closed residual is 0 throughout. The windows below run over those invoices only
-- (none on a ledger in one currency; over every invoice-month they were two thirds of this model's
-- CPU at 1M invoices).
fx_items AS (
  SELECT DISTINCT item_id
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND item_type = 'invoice'
    AND CASE WHEN amount = amount_original THEN false ELSE true END
),
-- the booked balance of an item closed in its own currency (0 while it is open): its change per month
item_fx AS (
  SELECT m.item_id, m.invoice_month, m.event_month_end,
         {{ closed_fx_residual('m.item_id', 'm.event_month_end') }} AS closed_residual
  FROM item_months m
  WHERE m.item_id IN (SELECT item_id FROM fx_items)
),
cohort_fx AS (
  SELECT invoice_month, event_month_end, sum(closed_residual - COALESCE(prev_residual, 0)) AS fx_difference
  FROM (
    SELECT f.*, lag(closed_residual) OVER (PARTITION BY item_id ORDER BY event_month_end) AS prev_residual
    FROM item_fx f
  ) x
  GROUP BY invoice_month, event_month_end
),
cohort_events AS (
  SELECT
    c.invoice_month,
    c.event_month_end,
    c.sales,
    c.paid,
    c.credited,
    c.written_off,
    c.settled_without_payment,
    COALESCE(x.fx_difference, 0) AS fx_difference,
    c.invoices
  FROM (
    SELECT
      invoice_month,
      event_month_end,
      sum(sales) AS sales,
      sum(paid) AS paid,
      sum(credited) AS credited,
      sum(written_off) AS written_off,
      sum(settled_without_payment) AS settled_without_payment,
      sum(issued) AS invoices
    FROM item_months
    GROUP BY invoice_month, event_month_end
  ) c
  LEFT JOIN cohort_fx x ON x.invoice_month = c.invoice_month AND x.event_month_end = c.event_month_end
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
    sum(COALESCE(e.fx_difference, 0)) AS fx_difference,
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
  CAST(sales - paid - credited - written_off - settled_without_payment - fx_difference AS DECIMAL(18,2)) AS unpaid,
  {{ ratio('paid', 'sales') }} AS share_paid,
  {{ ratio('sales - paid - credited - written_off - settled_without_payment - fx_difference', 'sales') }} AS share_unpaid,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(as_of_date < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete,
  CAST(fx_difference AS DECIMAL(18,2)) AS fx_difference
FROM cumulative
ORDER BY invoice_month, as_of_date
