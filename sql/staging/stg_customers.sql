-- customers: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('customers', 'ranked') }}
FROM {{ latest_versions('customers') }} ranked
