-- open_item_snapshots: typed; per scope and snapshot date only the latest ingested export counts
-- (ingest day, then batch file name), whole: a corrected re-export of a date replaces the earlier one,
-- including the items it no longer lists.
SELECT {{ canonical_columns('open_item_snapshots', 'ranked') }}
FROM (
  SELECT
    src.*,
    first_value(src.filename) OVER (
      PARTITION BY src.scope, src.snapshot_date
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS latest_file,
    row_number() OVER (
      PARTITION BY {{ table_key('open_item_snapshots', 'src') }}
      ORDER BY src.ingest_date DESC, src.filename DESC
    ) AS version_rank
  FROM {{ source('open_item_snapshots') }} src
) ranked
WHERE ranked.filename = ranked.latest_file AND ranked.version_rank = 1
