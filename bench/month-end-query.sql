-- The yardstick of `npm run bench`: month-end aging and period-end DSO computed by one hand-written
-- DuckDB query straight from the lake's raw Parquet, as a competent engineer would write it without
-- Creditlake. The bench checks it gives exactly the figures of ar_aging and dso_monthly (group 'ALL'
-- and the segment groups) and times Creditlake's `build --select +ar_aging,+dso_monthly` against it.
--
-- Scope (what the bench ledger holds, and the bench says so): documents in the reporting currency,
-- one version per key (no re-exports), no open-item snapshots, no recoveries; credit notes that
-- correct an invoice, settled dates, write-offs, unapplied cash, credit balances and a partial last
-- month are handled as metrics.md defines them.
--
-- Method: an item's balance changes at its events; its aging bucket changes at most once per bucket
-- edge. Each (balance, bucket) stretch adds its amount at the month end it starts and removes it at
-- the month end it stops (a difference array); a running sum over the month ends gives every month's
-- aging. Cost grows with items × changes, not items × months open.
--
-- {{lake}} is replaced with the lake folder.
WITH inv AS (
  SELECT document_id, customer_id, invoice_date, due_date, amount, settled_date, corrects_document_id
  FROM read_parquet('{{lake}}/raw/invoices/*/*.parquet')
),
pay AS (SELECT payment_id, customer_id, payment_date, amount FROM read_parquet('{{lake}}/raw/payments/*/*.parquet')),
alloc AS (SELECT payment_id, document_id, amount FROM read_parquet('{{lake}}/raw/payment_allocations/*/*.parquet')),
wo AS (SELECT document_id, write_off_date, amount FROM read_parquet('{{lake}}/raw/write_offs/*/*.parquet')),
cust AS (SELECT customer_id, segment FROM read_parquet('{{lake}}/raw/customers/*/*.parquet')),
bounds AS (
  SELECT min(d) AS first_date, max(d) AS data_end
  FROM (SELECT invoice_date AS d FROM inv UNION ALL SELECT payment_date FROM pay UNION ALL SELECT write_off_date FROM wo)
),
months AS (
  SELECT CAST(last_day(m) AS DATE) AS as_of, CAST(m AS DATE) AS month_start, data_end,
         -- a month is complete when the data reaches its last working day
         last_day(m) - CASE isodow(last_day(m)) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END AS last_working_day
  FROM bounds, generate_series(CAST(date_trunc('month', first_date) AS DATE), data_end, INTERVAL 1 MONTH) g(m)
),
month_ends AS (
  SELECT as_of, month_start,
         CASE WHEN data_end >= last_working_day THEN as_of ELSE data_end END AS aged_at,
         CASE WHEN data_end >= last_working_day THEN day(as_of) ELSE least(day(as_of), date_diff('day', month_start, data_end) + 1) END AS days
  FROM months
),
last_month AS (SELECT max(as_of) AS as_of, max(aged_at) AS aged_at FROM month_ends),
heads AS (
  SELECT d.document_id, d.customer_id, d.invoice_date, d.due_date, d.settled_date,
         COALESCE(t.document_id, d.document_id) AS item_id
  FROM inv d
  LEFT JOIN inv t ON t.document_id = d.corrects_document_id AND t.corrects_document_id IS NULL AND t.document_id <> d.document_id
),
items AS (SELECT * FROM heads WHERE item_id = document_id),
allocated AS (
  SELECT i.item_id, greatest(p.payment_date, i.invoice_date) AS event_date, a.amount, a.payment_id, i.settled_date
  FROM alloc a
  JOIN pay p USING (payment_id)
  JOIN heads h ON h.document_id = a.document_id
  JOIN items i ON i.item_id = h.item_id
),
doc_events AS (
  SELECT i.item_id, greatest(h.invoice_date, i.invoice_date) AS event_date, d.amount
  FROM inv d JOIN heads h USING (document_id) JOIN items i ON i.item_id = h.item_id
  UNION ALL SELECT item_id, event_date, -amount FROM allocated
  UNION ALL
  SELECT i.item_id, greatest(w.write_off_date, i.invoice_date), -w.amount
  FROM wo w JOIN heads h USING (document_id) JOIN items i ON i.item_id = h.item_id
),
-- balance per item and month end of change: documents (events after a settled date do not count)
doc_months AS (
  SELECT e.item_id, last_day(e.event_date) AS valid_from, sum(e.amount) AS delta
  FROM doc_events e JOIN items i USING (item_id)
  WHERE i.settled_date IS NULL OR e.event_date <= i.settled_date
  GROUP BY ALL
),
pay_months AS (
  SELECT payment_id AS item_id, last_day(event_date) AS valid_from, sum(amount) AS delta
  FROM (SELECT payment_id, payment_date AS event_date, -amount AS amount FROM pay
        UNION ALL SELECT payment_id, event_date, amount FROM allocated)
  GROUP BY ALL
),
segments AS (
  SELECT 'document' AS kind, m.item_id, i.customer_id, i.due_date, m.valid_from,
         least(COALESCE(lead(m.valid_from) OVER w, DATE '9999-12-31'),
               COALESCE(last_day(i.settled_date), DATE '9999-12-31')) AS valid_until,
         sum(m.delta) OVER (w ROWS UNBOUNDED PRECEDING) AS balance
  FROM doc_months m JOIN items i USING (item_id)
  WINDOW w AS (PARTITION BY m.item_id ORDER BY m.valid_from)
  UNION ALL
  SELECT 'payment', m.item_id, p.customer_id, NULL, m.valid_from,
         COALESCE(lead(m.valid_from) OVER wp, DATE '9999-12-31'),
         sum(m.delta) OVER (wp ROWS UNBOUNDED PRECEDING)
  FROM pay_months m JOIN pay p ON p.payment_id = m.item_id
  WINDOW wp AS (PARTITION BY m.item_id ORDER BY m.valid_from)
),
-- the month end from which a debit document sits in each bucket: the first month end whose aging
-- date is at least due date + the bucket's first day (never, when past the last aging date)
buckets(bucket, bucket_order, first_day) AS (
  VALUES ('not due', 0, NULL), ('1-14', 1, 1), ('15-30', 2, 15), ('31-60', 3, 31), ('61-90', 4, 61), ('>90', 5, 91)
),
stretches AS (
  SELECT s.customer_id, s.balance, b.bucket,
         greatest(s.valid_from, CASE WHEN b.first_day IS NULL THEN DATE '0001-01-01'
                                     WHEN s.due_date + b.first_day <= l.aged_at THEN last_day(s.due_date + b.first_day)
                                     ELSE DATE '9999-12-31' END) AS start_at,
         least(s.valid_until, CASE WHEN n.first_day IS NOT NULL AND s.due_date + n.first_day <= l.aged_at
                                   THEN last_day(s.due_date + n.first_day) ELSE DATE '9999-12-31' END) AS stop_at
  FROM segments s
  CROSS JOIN last_month l
  JOIN buckets b ON s.kind = 'document' AND s.balance > 0
  LEFT JOIN buckets n ON n.bucket_order = b.bucket_order + 1
  UNION ALL
  SELECT customer_id, balance, CASE WHEN kind = 'payment' THEN 'unapplied cash' ELSE 'credit balance' END, valid_from, valid_until
  FROM segments
  WHERE (kind = 'payment' AND balance <> 0) OR (kind = 'document' AND balance < 0)
),
changes AS (
  SELECT customer_id, bucket, start_at AS as_of, balance AS d_amount, 1 AS d_count FROM stretches WHERE start_at < stop_at
  UNION ALL
  SELECT customer_id, bucket, stop_at, -balance, -1 FROM stretches WHERE start_at < stop_at AND stop_at <= (SELECT as_of FROM last_month)
),
grouped_changes AS (
  SELECT as_of, 'ALL' AS group_by, 'ALL' AS group_value, bucket, sum(d_amount) AS d_amount, sum(d_count) AS d_count
  FROM changes GROUP BY ALL
  UNION ALL
  SELECT c.as_of, 'segment', COALESCE(cu.segment, 'unknown'), c.bucket, sum(c.d_amount), sum(c.d_count)
  FROM changes c LEFT JOIN cust cu USING (customer_id) GROUP BY ALL
),
groups AS (SELECT DISTINCT group_by, group_value FROM grouped_changes),
frame AS (
  SELECT m.as_of, m.month_start, m.days, g.group_by, g.group_value, b.bucket, b.bucket_order
  FROM month_ends m, groups g,
       (SELECT bucket, bucket_order FROM buckets UNION ALL VALUES ('unapplied cash', 6), ('credit balance', 7)) b
),
aging AS (
  SELECT f.*,
         CAST(sum(COALESCE(c.d_amount, 0)) OVER w AS DECIMAL(18,2)) AS open_amount,
         CAST(sum(COALESCE(c.d_count, 0)) OVER w AS BIGINT) AS open_count
  FROM frame f
  LEFT JOIN grouped_changes c USING (as_of, group_by, group_value, bucket)
  WINDOW w AS (PARTITION BY f.group_by, f.group_value, f.bucket ORDER BY f.as_of ROWS UNBOUNDED PRECEDING)
),
sales AS (
  SELECT CAST(date_trunc('month', d.invoice_date) AS DATE) AS month_start, 'ALL' AS group_by, 'ALL' AS group_value, sum(d.amount) AS credit_sales
  FROM inv d GROUP BY ALL
  UNION ALL
  SELECT CAST(date_trunc('month', d.invoice_date) AS DATE), 'segment', COALESCE(cu.segment, 'unknown'), sum(d.amount)
  FROM inv d LEFT JOIN cust cu USING (customer_id) GROUP BY ALL
),
ar AS (
  SELECT as_of, month_start, days, group_by, group_value,
         sum(open_amount) AS ar_end,
         sum(open_amount) FILTER (WHERE bucket IN ('not due', 'unapplied cash', 'credit balance')) AS current_ar_end
  FROM aging GROUP BY ALL
)
SELECT a.as_of AS as_of_date, a.group_by, a.group_value, a.bucket, a.open_amount, a.open_count,
       r.ar_end, r.current_ar_end, CAST(COALESCE(s.credit_sales, 0) AS DECIMAL(18,2)) AS credit_sales,
       CASE WHEN s.credit_sales > 0 THEN CAST(r.ar_end AS DOUBLE) / CAST(s.credit_sales AS DOUBLE) * r.days END AS dso_period_end
FROM aging a
JOIN ar r USING (as_of, group_by, group_value)
LEFT JOIN sales s ON s.month_start = a.month_start AND s.group_by = a.group_by AND s.group_value = a.group_value
ORDER BY as_of_date, group_by, group_value, a.bucket_order
