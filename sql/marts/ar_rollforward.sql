-- AR roll-forward per calendar month and customer group, with 'ALL' totals (docs/metrics.md):
--   ar_end = ar_begin + invoiced + credit_notes − collected − written_off + fx_revaluation
-- and ar_begin of a month is ar_end of the month before (0 before the first month). The movements
-- come from int_ar_item_events, which follows ar_open_items' rules, so ar_end is the AR of
-- ar_open_items at the month end to the cent (data test ar_rollforward_ties_out).
--  * invoiced / credit_notes: document amounts by type (credit notes negative), dated like in
--    ar_open_items (a correcting document no earlier than the document it corrects).
--  * collected: AR cleared by cash and by settlement: payments received (their unapplied rest stays
--    in AR as negative unapplied cash, so a payment lowers AR when it arrives), plus documents closed
--    by a settled_date without a payment row (settled_without_payment).
--  * written_off: write-offs (positive).
-- A group's customer is the item's debtor (the payer for unapplied cash), as in ar_aging.
--  * cash_received: cash per customer as int_payment_customers credits it (the part of a payment
--    applied to another customer's invoice is that customer's, as is the AR it clears), the same
--    figure as cash_flow_monthly.cash_received; 'ALL' = payments received.
--  * fx_revaluation = fx_realised + fx_unrealised: fx_realised is the booked residual of foreign
--    documents closed in their own currency in the month (paid, credited or written off at other
--    rates than issued: the difference stays in booked AR, and leaves AR as realised FX), as
--    ar_ratio_monthly.fx_difference; fx_unrealised the change of the revaluation of open ones.
WITH months AS (
  SELECT as_of_date AS month_end, month_start FROM {{ ref('int_month_ends') }}
),
events AS (
  SELECT
    customer_id,
    CAST({{ month_start('event_date') }} AS DATE) AS month_start,
    sum(CASE WHEN movement = 'document' AND source_type = 'invoice' THEN amount ELSE 0 END) AS invoiced,
    sum(CASE WHEN movement = 'document' AND source_type = 'credit_note' THEN amount ELSE 0 END) AS credit_notes,
    sum(CASE WHEN movement IN ('allocation', 'receipt', 'applied', 'settlement', 'applied_after_settlement') THEN 0 - amount ELSE 0 END) AS collected,
    sum(CASE WHEN movement = 'write_off' THEN 0 - amount ELSE 0 END) AS written_off,
    sum(CASE WHEN movement IN ('settlement', 'applied_after_settlement') THEN 0 - amount ELSE 0 END) AS settled_without_payment,
    sum(CASE WHEN item_kind = 'payment' THEN amount ELSE 0 END) AS unapplied_cash_change
  FROM {{ ref('int_ar_item_events') }}
  GROUP BY customer_id, CAST({{ month_start('event_date') }} AS DATE)
),
-- Realised FX: per document, the booked balance it keeps once closed in its own currency (0 while
-- open); its change in a month leaves AR as realised FX (negative of the residual). Only documents
-- some movement of which is booked at another amount than in the document's own currency have one:
-- on the others both balances are equal at every month, so the residual is 0 throughout, and each
-- customer-month they would add to realised is in events as well (fx_realised 0 there). The windows
-- run over those documents only (none on a ledger in one currency; over every document-month they
-- were about half of this model's CPU at 1M invoices).
fx_items AS (
  SELECT DISTINCT item_id
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND CASE WHEN amount = amount_original THEN false ELSE true END
),
doc_months AS (
  SELECT item_id, customer_id, CAST({{ month_start('event_date') }} AS DATE) AS month_start,
         sum(amount) AS delta, sum(amount_original) AS delta_original
  FROM {{ ref('int_ar_item_events') }}
  WHERE item_kind = 'document' AND item_id IN (SELECT item_id FROM fx_items)
  GROUP BY item_id, customer_id, CAST({{ month_start('event_date') }} AS DATE)
),
doc_residuals AS (
  SELECT d.*,
         {{ closed_fx_residual('item_id', 'month_start') }} AS closed_residual
  FROM doc_months d
),
realised AS (
  SELECT customer_id, month_start, sum(COALESCE(prev_residual, 0) - closed_residual) AS fx_realised
  FROM (
    SELECT r.*, lag(closed_residual) OVER (PARTITION BY item_id ORDER BY month_start) AS prev_residual
    FROM doc_residuals r
  ) x
  GROUP BY customer_id, month_start
),
events_fx AS (
  SELECT COALESCE(e.customer_id, r.customer_id) AS customer_id, COALESCE(e.month_start, r.month_start) AS month_start,
         COALESCE(e.invoiced, 0) AS invoiced, COALESCE(e.credit_notes, 0) AS credit_notes, COALESCE(e.collected, 0) AS collected,
         COALESCE(e.written_off, 0) AS written_off, CAST(0 AS DECIMAL(18,2)) AS cash_received,
         COALESCE(e.settled_without_payment, 0) AS settled_without_payment, COALESCE(e.unapplied_cash_change, 0) AS unapplied_cash_change,
         COALESCE(r.fx_realised, 0) AS fx_realised
  FROM events e
  FULL OUTER JOIN realised r ON r.customer_id = e.customer_id AND r.month_start = e.month_start
  UNION ALL
  SELECT customer_id, CAST({{ month_start('payment_date') }} AS DATE) AS month_start,
         CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), amount AS cash_received,
         CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2)), CAST(0 AS DECIMAL(18,2))
  FROM {{ ref('int_payment_customers') }}
),
grouped AS (
  SELECT e.month_start, g.group_by, g.group_value, e.invoiced, e.credit_notes, e.collected, e.written_off,
         e.cash_received, e.settled_without_payment, e.unapplied_cash_change, e.fx_realised
  FROM events_fx e
  JOIN {{ ref('int_customer_groups') }} g ON g.customer_id = e.customer_id
  UNION ALL
  SELECT e.month_start, 'ALL' AS group_by, 'ALL' AS group_value, e.invoiced, e.credit_notes, e.collected, e.written_off,
         e.cash_received, e.settled_without_payment, e.unapplied_cash_change, e.fx_realised
  FROM events_fx e
),
totals AS (
  SELECT month_start, group_by, group_value,
         sum(invoiced) AS invoiced, sum(credit_notes) AS credit_notes, sum(collected) AS collected,
         sum(written_off) AS written_off, sum(cash_received) AS cash_received,
         sum(settled_without_payment) AS settled_without_payment, sum(unapplied_cash_change) AS unapplied_cash_change,
         sum(fx_realised) AS fx_realised
  FROM grouped
  GROUP BY month_start, group_by, group_value
),
frame AS (
  SELECT
    m.month_start,
    m.month_end,
    gv.group_by,
    gv.group_value,
    CAST(COALESCE(t.invoiced, 0) AS DECIMAL(18,2)) AS invoiced,
    CAST(COALESCE(t.credit_notes, 0) AS DECIMAL(18,2)) AS credit_notes,
    CAST(COALESCE(t.collected, 0) AS DECIMAL(18,2)) AS collected,
    CAST(COALESCE(t.written_off, 0) AS DECIMAL(18,2)) AS written_off,
    CAST(COALESCE(t.cash_received, 0) AS DECIMAL(18,2)) AS cash_received,
    CAST(COALESCE(t.settled_without_payment, 0) AS DECIMAL(18,2)) AS settled_without_payment,
    CAST(COALESCE(t.unapplied_cash_change, 0) AS DECIMAL(18,2)) AS unapplied_cash_change,
    CAST(COALESCE(t.fx_realised, 0) AS DECIMAL(18,2)) AS fx_realised
  FROM months m
  CROSS JOIN {{ ref('int_group_values') }} gv
  LEFT JOIN totals t
    ON t.month_start = m.month_start AND t.group_by = gv.group_by AND t.group_value = gv.group_value
),
rolled AS (
  SELECT
    frame.*,
    CAST(sum(invoiced + credit_notes - collected - written_off) OVER (
      PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS DECIMAL(18,2)) AS ar_end,
    CAST(sum(unapplied_cash_change) OVER (
      PARTITION BY group_by, group_value ORDER BY month_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS DECIMAL(18,2)) AS unapplied_cash_end
  FROM frame
),
-- AR as ar_open_items reports it: foreign-currency documents at the closing rate. The gap to the
-- booked AR (every movement at its own date's rate) is the FX result so far; its change in the
-- month is fx_revaluation (0 on a ledger in the reporting currency only). The open AR at each month
-- end is the running sum of int_ar_open_changes (what the open items' stretches add and take away),
-- the same figure as summing ar_open_items, without expanding every item over its month ends.
open_changes AS (
  SELECT as_of_date, group_by, group_value, sum(d_amount) AS d_amount
  FROM {{ ref('int_ar_open_changes') }}
  GROUP BY as_of_date, group_by, group_value
),
revalued AS (
  SELECT m.month_end AS as_of_date, gv.group_by, gv.group_value,
         sum(COALESCE(c.d_amount, 0)) OVER (
           PARTITION BY gv.group_by, gv.group_value ORDER BY m.month_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
         ) AS open_ar
  FROM months m
  CROSS JOIN {{ ref('int_group_values') }} gv
  LEFT JOIN open_changes c
    ON c.as_of_date = m.month_end AND c.group_by = gv.group_by AND c.group_value = gv.group_value
),
with_fx AS (
  SELECT r.*,
         CAST(COALESCE(v.open_ar, 0) - r.ar_end AS DECIMAL(18,2)) AS fx_gap
  FROM rolled r
  LEFT JOIN revalued v ON v.as_of_date = r.month_end AND v.group_by = r.group_by AND v.group_value = r.group_value
),
final AS (
  SELECT
    month_start, month_end, group_by, group_value, invoiced, credit_notes, collected, written_off,
    cash_received, settled_without_payment, unapplied_cash_end, fx_realised,
    CAST(ar_end + fx_gap AS DECIMAL(18,2)) AS ar_end,
    CAST(fx_gap - COALESCE(lag(fx_gap) OVER (PARTITION BY group_by, group_value ORDER BY month_start), 0) AS DECIMAL(18,2)) AS fx_revaluation
  FROM with_fx
)
SELECT
  month_start AS month,
  month_end,
  group_by,
  group_value,
  CASE WHEN group_by IN ('segment', 'ALL') THEN group_value END AS segment,
  CAST(ar_end - (invoiced + credit_notes - collected - written_off + fx_revaluation) AS DECIMAL(18,2)) AS ar_begin,
  invoiced,
  credit_notes,
  collected,
  written_off,
  ar_end,
  CAST(invoiced + credit_notes - collected - written_off + fx_revaluation AS DECIMAL(18,2)) AS net_change,
  cash_received,
  settled_without_payment,
  unapplied_cash_end,
  -- before the first partial month (int_month_ends.is_complete): the data covers the whole month
  COALESCE(month_end < (SELECT COALESCE(min(CASE WHEN is_complete THEN NULL ELSE as_of_date END), DATE '9999-12-31') FROM {{ ref('int_month_ends') }}), false) AS is_complete,
  fx_revaluation,
  fx_realised,
  CAST(fx_revaluation - fx_realised AS DECIMAL(18,2)) AS fx_unrealised
FROM final
ORDER BY month_start, group_by, group_value
