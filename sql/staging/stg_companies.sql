-- companies: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('companies', 'ranked') }}
FROM {{ latest_versions('companies') }} ranked
