-- payments: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('payments', 'ranked') }}
FROM {{ latest_versions('payments') }} ranked
