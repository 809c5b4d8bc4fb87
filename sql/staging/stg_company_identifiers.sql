-- company_identifiers: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('company_identifiers', 'ranked') }}
FROM {{ latest_versions('company_identifiers') }} ranked
