-- write_offs: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('write_offs', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('write_offs', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('write_offs') }} src
) ranked
WHERE ranked.version_rank = 1
