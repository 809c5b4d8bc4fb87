-- credit_reports: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('credit_reports', 'ranked') }}
FROM {{ latest_versions('credit_reports') }} ranked
