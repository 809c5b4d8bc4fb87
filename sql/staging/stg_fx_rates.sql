-- fx_rates: typed, one row per date and currency; the latest ingested version wins (ingest day, then batch file name).
SELECT {{ canonical_columns('fx_rates', 'ranked') }}
FROM {{ latest_versions('fx_rates') }} ranked
