-- write_offs: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('write_offs', 'ranked') }}
FROM {{ latest_versions('write_offs') }} ranked
