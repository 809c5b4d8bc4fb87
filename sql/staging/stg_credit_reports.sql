-- credit_reports: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('credit_reports', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('credit_reports', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('credit_reports') }} src
) ranked
WHERE ranked.version_rank = 1
