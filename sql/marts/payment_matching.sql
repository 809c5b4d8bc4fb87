-- Match rates of bank-statement receipts (bank_receipts) by rule, per month of the payment date and
-- over all months ('ALL'), with an 'ALL' rule row per period: how much of the cash the matching
-- applies without a person, and by which rule. Shares are of the period's receipts and amount.
WITH receipts AS (
  SELECT
    substr({{ format_date('payment_date') }}, 1, 7) AS period,
    {{ month_start('payment_date') }} AS month,
    match_rule,
    amount_reporting,
    CASE WHEN amount_reporting IS NULL THEN CAST(NULL AS DECIMAL(18,2))
         WHEN currency = {{ var('reporting_currency') }} THEN unapplied_amount
         ELSE CAST(round({{ ratio('unapplied_amount * amount_reporting', 'amount') }}, 2) AS DECIMAL(18,2)) END AS unapplied_reporting
  FROM {{ ref('bank_receipts') }}
),
both_periods AS (
  SELECT period, month, match_rule, amount_reporting, unapplied_reporting FROM receipts
  UNION ALL
  SELECT 'ALL' AS period, CAST(NULL AS DATE) AS month, match_rule, amount_reporting, unapplied_reporting FROM receipts
),
by_rule AS (
  SELECT period, month, match_rule, count(*) AS receipts, sum(amount_reporting) AS amount, sum(unapplied_reporting) AS unapplied_amount
  FROM both_periods
  GROUP BY period, month, match_rule
  UNION ALL
  SELECT period, month, 'ALL' AS match_rule, count(*) AS receipts, sum(amount_reporting) AS amount, sum(unapplied_reporting) AS unapplied_amount
  FROM both_periods
  GROUP BY period, month
),
totals AS (
  SELECT period, count(*) AS receipts, sum(amount_reporting) AS amount FROM both_periods GROUP BY period
)
SELECT
  b.period,
  CAST(b.month AS DATE) AS month,
  b.match_rule,
  CAST(b.receipts AS BIGINT) AS receipts,
  CAST(b.amount AS DECIMAL(18,2)) AS amount,
  100 * {{ ratio('b.receipts', 't.receipts') }} AS receipts_pct,
  100 * {{ ratio('b.amount', 't.amount') }} AS amount_pct,
  CAST(b.unapplied_amount AS DECIMAL(18,2)) AS unapplied_amount
FROM by_rule b
JOIN totals t ON t.period = b.period
ORDER BY b.period, b.month, b.match_rule
