-- Collection activity per day, action type and channel (docs/metrics.md, "Collections activity and
-- cost"): how many reminders, dunning letters (aanmaningen), phone calls and other actions (e-mail,
-- payment link, WhatsApp, collection agency, legal) went out, to how many customers, about how many
-- documents, at what cost. action_group folds every type other than reminder, dunning_letter and
-- phone_call into 'other'. Zero-filled: every day from the first to the last action, for every
-- (action_type, channel) pair that occurs, so daily series have no gaps. A day after the ledger's data
-- end is not complete: actions logged ahead of the export are not the day's. Nor is a day after a
-- lagging ledger feed's end (int_month_ends.complete_until), as its month is not complete in
-- collection_costs_monthly: the daily and monthly views of the same actions agree.
WITH actions AS (
  SELECT action_id, customer_id, document_id, action_date, action_type, channel, cost
  FROM {{ ref('stg_collection_actions') }}
),
bounds AS (
  SELECT min(action_date) AS first_day, max(action_date) AS last_day FROM actions
),
days AS (
  SELECT action_date
  FROM (
    SELECT bounds.first_day, bounds.last_day,
           CAST({{ add_days('CAST(s.month_start AS DATE)', 'o.day_offset') }} AS DATE) AS action_date
    FROM bounds
    CROSS JOIN UNNEST({{ month_start_sequence('bounds.first_day', 'bounds.last_day') }}) AS s(month_start)
    CROSS JOIN {{ month_day_offsets() }} AS o(day_offset)
    WHERE bounds.first_day IS NOT NULL
      AND o.day_offset < {{ days_in_month('CAST(s.month_start AS DATE)') }}
  ) candidate_days
  WHERE action_date >= first_day AND action_date <= last_day
),
kinds AS (
  SELECT DISTINCT action_type, channel FROM actions
),
daily AS (
  SELECT action_date, action_type, channel,
         count(*) AS actions,
         count(DISTINCT customer_id) AS customers,
         count(DISTINCT document_id) AS documents,
         sum(cost) AS cost
  FROM actions
  GROUP BY action_date, action_type, channel
)
SELECT
  d.action_date,
  k.action_type,
  k.channel,
  {{ action_group('k.action_type') }} AS action_group,
  CAST(COALESCE(a.actions, 0) AS BIGINT) AS actions,
  CAST(COALESCE(a.customers, 0) AS BIGINT) AS customers,
  CAST(COALESCE(a.documents, 0) AS BIGINT) AS documents,
  CAST(COALESCE(a.cost, 0) AS DECIMAL(18,2)) AS cost,
  COALESCE(d.action_date <= (SELECT max(complete_until) FROM {{ ref('int_month_ends') }}), false) AS is_complete
FROM days d
CROSS JOIN kinds k
LEFT JOIN daily a ON a.action_date = d.action_date AND a.action_type = k.action_type AND a.channel = k.channel
ORDER BY d.action_date, k.action_type, k.channel
