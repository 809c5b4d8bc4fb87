-- insolvency_events: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('insolvency_events', 'ranked') }}
FROM {{ latest_versions('insolvency_events') }} ranked
