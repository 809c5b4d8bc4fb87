-- disputes: typed, one row per dispute; the latest ingested version wins (ingest day, then batch file
-- name), so an export re-sent with the resolution filled in closes the dispute.
SELECT {{ canonical_columns('disputes', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('disputes', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('disputes') }} src
) ranked
WHERE ranked.version_rank = 1
