-- fx_rates: typed, one row per date and currency; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('fx_rates', 'ranked') }}
FROM (
  SELECT
    src.*,
    row_number() OVER (
      PARTITION BY {{ table_key('fx_rates', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('fx_rates') }} src
) ranked
WHERE ranked.version_rank = 1
