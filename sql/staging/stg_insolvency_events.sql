-- insolvency_events: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('insolvency_events', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('insolvency_events', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('insolvency_events') }} src
) ranked
WHERE ranked.version_rank = 1
