-- For every grouping, the groups' aging adds up to the ALL row, per month end and bucket.
WITH aging AS (
  SELECT * FROM {{ ref('ar_aging') }}
),
totals AS (
  SELECT as_of_date, bucket, open_amount AS all_amount, open_count AS all_count
  FROM aging WHERE group_by = 'ALL'
),
by_group AS (
  SELECT as_of_date, group_by, bucket, sum(open_amount) AS group_amount, sum(open_count) AS group_count
  FROM aging WHERE group_by <> 'ALL'
  GROUP BY as_of_date, group_by, bucket
)
SELECT g.as_of_date, g.group_by, g.bucket, g.group_amount, t.all_amount, g.group_count, t.all_count
FROM by_group g
JOIN totals t ON t.as_of_date = g.as_of_date AND t.bucket = g.bucket
WHERE g.group_amount <> t.all_amount OR g.group_count <> t.all_count
