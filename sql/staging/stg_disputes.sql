-- disputes: typed, one row per dispute; the latest ingested version wins (ingest day, then batch file
-- name), so an export re-sent with the resolution filled in closes the dispute.
SELECT {{ canonical_columns('disputes', 'ranked') }}
FROM {{ latest_versions('disputes') }} ranked
