-- Exchange rates as validity ranges (docs/metrics.md, "Currencies"): a rate dated R applies from R
-- until the next rate of its currency, but at most config fx.lookback_days days after R (weekends and
-- holidays), so a date with no rate within the look-back finds none and fails the build
-- (data test fx_rate_missing) instead of converting 1:1. Units of currency per 1 unit of the
-- reporting currency; the reporting currency itself needs no rate.
WITH rates AS (
  SELECT currency, rate_date, rate,
         lead(rate_date) OVER (PARTITION BY currency ORDER BY rate_date) AS next_date
  FROM {{ ref('stg_fx_rates') }}
  WHERE currency <> {{ var('reporting_currency') }}
)
SELECT
  currency,
  rate_date AS valid_from,
  CAST(CASE WHEN next_date IS NOT NULL AND next_date < {{ fx_rate_valid_until('rate_date') }} THEN next_date
            ELSE {{ fx_rate_valid_until('rate_date') }} END AS DATE) AS valid_until,
  rate
FROM rates
