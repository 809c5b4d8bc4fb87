import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { canonicalSelectList, canonicalTable, quoteIdent } from '../../src/schema/index.js';
import { lakePaths } from '../../src/lake/layout.js';
import type { BatchManifest } from '../../src/lake/manifest.js';
import { toKey } from '../../src/lake/store.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

/** A fixture row: column → value; omitted optional columns are NULL. Money and dates as strings. */
export type FixtureRow = Record<string, string | number | null | undefined>;
export type FixtureLedger = Partial<Record<string, FixtureRow[]>>;

function literal(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

export function tempLake(prefix = 'creditlake-wh-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes rows as one canonical raw batch, the way ingest commits them:
 * raw/<table>/ingest_date=<day>/<batch>.parquet with exactly the canonical Parquet schema.
 */
export async function writeRawBatch(
  lakeRoot: string,
  tableName: string,
  rows: readonly FixtureRow[],
  opts: { ingestDate?: string; batch?: string } = {},
): Promise<string> {
  const table = canonicalTable(tableName);
  const file = join(lakeRoot, lakePaths.rawBatchFile(table.name, opts.ingestDate ?? '2024-01-01', opts.batch ?? 'b1'));
  mkdirSync(dirname(file), { recursive: true });
  const names = table.columns.map((c) => c.name);
  for (const r of rows) {
    const unknown = Object.keys(r).filter((k) => !names.includes(k));
    if (unknown.length) throw new Error(`${tableName} fixture: unknown columns ${unknown.join(', ')}`);
  }
  const values = rows.map((r) => `(${names.map((n) => literal(r[n])).join(', ')})`).join(',\n');
  const sql =
    `COPY (SELECT ${canonicalSelectList(table, 'v')} FROM (VALUES ${values}) AS v(${names.map(quoteIdent).join(', ')})) ` +
    `TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`;
  await withDuckDB({ threads: 1 }, (db) => db.execute(sql));
  // The manifest last, as commitBatch writes it: the warehouse reads committed batches only.
  const ingestDate = opts.ingestDate ?? '2024-01-01';
  const batch = opts.batch ?? 'b1';
  const sha256 = createHash('sha256').update(`${table.name}/${ingestDate}/${batch}`).digest('hex');
  const manifest: BatchManifest = {
    format_version: 1,
    batch_id: batch,
    table: table.name,
    source_file: `${batch}.csv`,
    sha256,
    size_bytes: 0,
    rows_read: rows.length,
    rows_loaded: rows.length,
    rows_rejected: 0,
    top_reasons: [],
    ingest_date: ingestDate,
    started_at: `${ingestDate}T00:00:00.000Z`,
    finished_at: `${ingestDate}T00:00:00.000Z`,
    data_key: toKey(lakePaths.rawBatchFile(table.name, ingestDate, batch)),
    quarantine_key: null,
  };
  const manifestFile = join(lakeRoot, lakePaths.manifestFile(table.name, sha256));
  mkdirSync(dirname(manifestFile), { recursive: true });
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** Writes a whole ledger (one batch per table) into a fresh temporary lake and returns its root. */
export async function fixtureLake(ledger: FixtureLedger, lakeRoot = tempLake()): Promise<string> {
  for (const [table, rows] of Object.entries(ledger)) {
    if (rows?.length) await writeRawBatch(lakeRoot, table, rows);
  }
  return lakeRoot;
}
