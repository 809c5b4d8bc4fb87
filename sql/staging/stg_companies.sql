-- companies: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('companies', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('companies', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('companies') }} src
) ranked
WHERE ranked.version_rank = 1
