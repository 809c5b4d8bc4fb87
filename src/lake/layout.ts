import { join } from 'node:path';

/**
 * Where everything lives in the lake. Pure path arithmetic, shared by the local folder and the
 * S3 lake, so both have the same layout:
 *
 *   raw/<table>/ingest_date=YYYY-MM-DD/<batch-id>.parquet   good rows, Hive-partitioned by ingest day
 *   quarantine/<table>/<batch-id>.parquet                    rejected rows with file, line, column, reason
 *   manifests/<table>/<content-sha256>.json                  one per committed batch (the idempotency key)
 *   retired/<table>/<content-sha256>.json                    batches taken out of the warehouse (reversible)
 *   operations/<time>-<op>-<batch-id>.json                   a record of each retire / restore
 *   marts/<model>/data.parquet                               materialised marts
 *   warehouse.duckdb                                         views over all of the above (embedded target)
 *   _cache/models/<model>/<fingerprint>.parquet              staging and intermediate results kept between
 *                                                            embedded builds (never read by readers)
 */
export const lakePaths = {
  rawTableDir: (table: string) => join('raw', table),
  rawPartitionDir: (table: string, ingestDate: string) => join('raw', table, `ingest_date=${ingestDate}`),
  rawBatchFile: (table: string, ingestDate: string, batchId: string) =>
    join('raw', table, `ingest_date=${ingestDate}`, `${batchId}.parquet`),
  /** Glob DuckDB reads for a table; the `ingest_date=*` level skips temporary files and folders. */
  rawGlob: (table: string) => join('raw', table, 'ingest_date=*', '*.parquet'),
  quarantineDir: (table: string) => join('quarantine', table),
  quarantineFile: (table: string, batchId: string) => join('quarantine', table, `${batchId}.parquet`),
  quarantineGlob: (table: string) => join('quarantine', table, '*.parquet'),
  manifestDir: (table: string) => join('manifests', table),
  manifestFile: (table: string, contentSha256: string) => join('manifests', table, `${contentSha256}.json`),
  /** A retired batch: its manifest stays, this record takes it out of the warehouse until restored. */
  retiredDir: (table: string) => join('retired', table),
  retiredFile: (table: string, contentSha256: string) => join('retired', table, `${contentSha256}.json`),
  /** One record per lake operation (retire, restore), never rewritten: the lake's own history. */
  operationFile: (stamp: string, op: string, batchId: string) => join('operations', `${stamp}-${op}-${batchId}.json`),
  operationsDir: () => 'operations',
  martDir: (model: string) => join('marts', model),
  martFile: (model: string) => join('marts', model, 'data.parquet'),
  warehouseDb: () => 'warehouse.duckdb',
  /** The last local build's outcome (data test results), for `creditlake docs`. */
  buildReport: () => 'build-report.json',
  /** Where `creditlake docs` writes the static site, and `serve` serves it (/docs). */
  docsDir: () => 'docs',
  /**
   * A staging or intermediate model's rows as an embedded build computed them, under the fingerprint
   * of everything they depend on (src/warehouse/incremental.ts): a later build whose fingerprint of
   * the model is the same reads them instead of computing them again.
   */
  modelCacheDir: () => join('_cache', 'models'),
  modelCacheFile: (model: string, fingerprint: string) => join('_cache', 'models', model, `${fingerprint}.parquet`),
  /**
   * A staging or intermediate model's rows as published by an embedded build (a link to its model-cache
   * entry), one file per build that computed them: the warehouse's view of the model reads this file
   * instead of recomputing the model's SQL from the raw files at every query.
   */
  modelDir: (model: string) => join('models', model),
  /** Scratch space inside the lake for in-flight writes; never read by the warehouse. */
  tmpDir: () => '_tmp',
} as const;

/**
 * Batch ids sort by time and carry the content hash, so one file always gets the same suffix. The
 * stamp keeps milliseconds: staging keeps the latest batch's version of a key by this order, and two
 * files ingested within one second (a script looping over exports) must still apply in turn.
 */
export function batchId(now: Date, contentSha256: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  return `${stamp}-${contentSha256.slice(0, 12)}`;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
