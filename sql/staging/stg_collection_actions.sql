-- collection_actions: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('collection_actions', 'ranked') }}
FROM {{ latest_versions('collection_actions') }} ranked
