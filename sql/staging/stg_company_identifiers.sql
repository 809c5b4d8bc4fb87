-- company_identifiers: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('company_identifiers', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('company_identifiers', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('company_identifiers') }} src
) ranked
WHERE ranked.version_rank = 1
