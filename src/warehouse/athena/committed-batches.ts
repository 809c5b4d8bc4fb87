/**
 * Committed-only raw reads on Athena, by the same rule DuckDB follows: a raw file counts only when a
 * batch manifest (manifests/<table>/<sha256>.json) names it and no retire record
 * (retired/<table>/<sha256>.json) takes that batch out. A batch killed before its manifest — whole
 * Parquet files no manifest names — is invisible on both engines.
 *
 * Why filter `"$path"` by the manifests rather than stage data apart and publish it on commit: the
 * manifest already is the commit record both engines trust, written last by one atomic put. A publish
 * step (copying a staged file into raw/ after the manifest) would add a second commit point that can
 * itself die between the manifest and the copy, leaving a batch committed for DuckDB and missing for
 * Athena; and retiring a batch would need a second mechanism. Reading the manifests in the query keeps
 * one commit point, handles retired batches the same way, and needs no list of files in the SQL text
 * (an `IN (…)` list of 5,000 e-invoice batches would pass Athena's 256 KB statement limit).
 *
 * The manifests and retire records are read as text, one line per row (`manifests_<table>`,
 * `retired_<table>`: one string column `line`), so both the pretty-printed JSON the ingest writes and
 * single-line JSON parse: the `"data_key"` line names the batch's file; the object name is the content
 * hash. The scan is a few hundred bytes per batch.
 */

export const manifestTableName = (table: string) => `manifests_${table}`;
export const retiredTableName = (table: string) => `retired_${table}`;

/** The text tables the Athena build reads, per canonical table: Glue (infra) and Trino (tests) create these. */
export function commitTables(table: string): { name: string; prefix: string; description: string }[] {
  return [
    { name: manifestTableName(table), prefix: `manifests/${table}/`, description: `Commit records (batch manifests) of ${table}, one text line per row` },
    { name: retiredTableName(table), prefix: `retired/${table}/`, description: `Retire records of ${table} batches, one text line per row` },
  ];
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

const HASH_OF_PATH = `'([0-9a-f]{64})\\.json$'`;

/**
 * SQL of the committed data files of one canonical table, as full URIs the way `"$path"` names them.
 * `lakeUri` is the lake root (`s3://bucket/prefix/`), where the manifests' lake-relative keys start.
 */
export function committedPathsSql(table: string, lakeUri: string): string {
  const root = lakeUri.endsWith('/') ? lakeUri : `${lakeUri}/`;
  const m = manifestTableName(table);
  // A compaction's manifest lists the batches it holds one per line (`"<sha256>",` alone on a line, as
  // JSON.stringify(…, null, 2) writes an array of strings): their own files are read through it.
  const compacted = `SELECT regexp_extract(c.line, ${COMPACTED_LINE}, 1) FROM ${m} c WHERE regexp_like(c.line, ${COMPACTED_LINE})`;
  return (
    `SELECT concat(${sqlString(root)}, regexp_extract(m.line, '"data_key"\\s*:\\s*"([^"]+)"', 1)) ` +
    `FROM ${m} m WHERE m.line LIKE '%"data_key"%' AND regexp_extract(m."$path", ${HASH_OF_PATH}, 1) NOT IN (${retiredHashesSql(table)}) ` +
    `AND regexp_extract(m."$path", ${HASH_OF_PATH}, 1) NOT IN (${compacted})`
  );
}

const COMPACTED_LINE = `'^\\s*"([0-9a-f]{64})",?\\s*$'`;

/** Content hashes of the retired batches of a table (their retire records' names). */
export function retiredHashesSql(table: string): string {
  const r = retiredTableName(table);
  return `SELECT regexp_extract(r."$path", ${HASH_OF_PATH}, 1) FROM ${r} r WHERE regexp_like(r."$path", ${HASH_OF_PATH})`;
}
