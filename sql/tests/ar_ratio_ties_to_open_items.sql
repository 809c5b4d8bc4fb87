-- ar_ratio_monthly's unpaid part of month P's invoices at D equals their open amount in ar_open_items
-- at D (as booked: a foreign-currency invoice before its closing-rate revaluation), and paid + credited + written_off + settled_without_payment + fx_difference + unpaid = sales.
WITH open_items AS (
  SELECT CAST({{ month_start('invoice_date') }} AS DATE) AS invoice_month, as_of_date, sum(open_amount_booked) AS open_amount
  FROM {{ ref('ar_open_items') }}
  WHERE document_type = 'invoice'
  GROUP BY CAST({{ month_start('invoice_date') }} AS DATE), as_of_date
)
SELECT r.invoice_month, r.as_of_date, r.sales, r.paid, r.credited, r.written_off, r.settled_without_payment, r.fx_difference, r.unpaid,
       COALESCE(o.open_amount, 0) AS open_items_amount
FROM {{ ref('ar_ratio_monthly') }} r
LEFT JOIN open_items o ON o.invoice_month = r.invoice_month AND o.as_of_date = r.as_of_date
WHERE r.unpaid <> COALESCE(o.open_amount, 0)
   OR r.paid + r.credited + r.written_off + r.settled_without_payment + r.fx_difference + r.unpaid <> r.sales
