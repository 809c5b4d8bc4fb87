-- The closing rate of every foreign currency at every month end (of the data end in a partial month,
-- int_month_ends.aged_at), as ar_open_items revalues open items: what a credit limit kept in another
-- currency (customers.currency) converts at, so it is compared with open AR in one currency.
SELECT m.as_of_date, fx.currency, fx.rate
FROM {{ ref('int_month_ends') }} m
JOIN {{ ref('int_fx_rates') }} fx
  ON m.aged_at >= fx.valid_from AND m.aged_at < fx.valid_until
