-- Every bucket is one of the configured aging buckets (config aging.bucket_edges), unapplied cash or credit balance.
SELECT i.as_of_date, i.document_type, i.document_id, i.bucket, i.bucket_order
FROM {{ ref('ar_open_items') }} i
LEFT JOIN {{ aging_buckets() }} AS b(bucket, bucket_order)
  ON b.bucket = i.bucket AND b.bucket_order = i.bucket_order
WHERE b.bucket IS NULL
