-- payment_allocations: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('payment_allocations', 'ranked') }}
FROM {{ latest_versions('payment_allocations') }} ranked
