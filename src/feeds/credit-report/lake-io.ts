import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import { canonicalSelectList, quoteIdent as q, type TableDef } from '../../schema/index.js';
import { companyIdentifiers, creditReports, insolvencyEvents } from '../../schema/credit-tables.js';
import { committedDataKeys } from '../../lake/commit-batch.js';
import { scratchPrefix } from '../../lake/sweep.js';
import type { LakeStore } from '../../lake/store.js';
import { CompanyIdentityIndex, type IdentifierRow } from './identity.js';
import type { KnownState } from './normalise.js';
import type { Reject } from './records.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Local path of a lake key; the credit-report ingest reads history with DuckDB from local files. */
export function localPathOf(store: LakeStore, key: string): string {
  const s = store as LakeStore & { pathOf?: (k: string) => string };
  if (!s.pathOf) throw new Error(`the credit-report ingest needs a local lake (got ${store.location})`);
  return s.pathOf(key);
}

/**
 * Reads committed rows of a table. A local lake is read in place; a remote one (S3) is copied to a
 * scratch folder first, since DuckDB reads no S3 without the httpfs extension.
 */
async function readCommitted(db: DuckDBEngine, store: LakeStore, table: TableDef, columns: string[], scratchDir?: string, exclude?: ReadonlySet<string>) {
  const keys = await committedDataKeys(store, table.name, exclude);
  if (keys.length === 0) return [];
  const local = 'pathOf' in store;
  const copies = local || !store.getFile ? undefined : await mkdtemp(join(scratchDir ?? tmpdir(), scratchPrefix('history')));
  try {
    const paths: string[] = [];
    for (const [i, k] of keys.entries()) {
      if (!copies) paths.push(localPathOf(store, k));
      else {
        const p = join(copies, `${i}.parquet`);
        await store.getFile!(k, p);
        paths.push(p);
      }
    }
    const res = await db.query(`SELECT ${columns.map(q).join(', ')} FROM read_parquet([${paths.map(lit).join(', ')}])`);
    return res.rows;
  } finally {
    if (copies) await rm(copies, { recursive: true, force: true });
  }
}

/** Identifiers, report ids and event ids already committed: what a new batch is checked against. */
/** `exclude`: content hashes whose batches are left out (files of this run, recomputed as they were). */
export async function loadKnownState(db: DuckDBEngine, store: LakeStore, scratchDir?: string, exclude?: ReadonlySet<string>): Promise<KnownState> {
  const ids = await readCommitted(db, store, companyIdentifiers, ['id_type', 'id_value', 'company_key'], scratchDir, exclude);
  const reports = await readCommitted(db, store, creditReports, ['report_id', 'provider', 'company_key', 'report_date'], scratchDir, exclude);
  const events = await readCommitted(db, store, insolvencyEvents, ['event_id'], scratchDir, exclude);
  return {
    index: new CompanyIdentityIndex(ids as unknown as IdentifierRow[]),
    reportIds: new Set(reports.map((r) => String(r.report_id))),
    reportKeys: new Set(reports.map((r) => `${r.provider}|${r.company_key}|${r.report_date}`)),
    eventIds: new Set(events.map((r) => String(r.event_id))),
  };
}

/**
 * Writes rows to a local Parquet file in exactly the canonical schema (via canonicalSelectList), from
 * a JSON-lines scratch file so money stays decimal text until DuckDB casts it to DECIMAL(18,2).
 */
export async function writeParquet(db: DuckDBEngine, table: TableDef, rows: readonly object[], scratch: string, out: string): Promise<void> {
  const stage = `stage_${table.name}`;
  const cols = table.columns.map((c) => `${q(c.name)} ${c.sqlType === 'INTEGER' ? 'INTEGER' : 'VARCHAR'}`);
  await db.execute(`CREATE OR REPLACE TEMP TABLE ${stage} (${cols.join(', ')})`);
  if (rows.length > 0) {
    const jsonl = join(scratch, `${table.name}.jsonl`);
    await writeFile(jsonl, rows.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
    const types = table.columns.map((c) => `${lit(c.name)}: ${lit(c.sqlType === 'INTEGER' ? 'INTEGER' : 'VARCHAR')}`).join(', ');
    await db.execute(`INSERT INTO ${stage} SELECT ${table.columns.map((c) => q(c.name)).join(', ')}
      FROM read_json(${lit(jsonl)}, format = 'newline_delimited', columns = {${types}})`);
  }
  await db.execute(`COPY (SELECT ${canonicalSelectList(table)} FROM ${stage}) TO ${lit(out)} (FORMAT parquet)`);
  await db.execute(`DROP TABLE ${stage}`);
}

/** Quarantine Parquet in the same layout as the ERP feed's: file, line, column, reason, detail, raw line. */
export async function writeQuarantine(db: DuckDBEngine, source: string, rejects: readonly Reject[], scratch: string, out: string): Promise<void> {
  const jsonl = join(scratch, 'quarantine.jsonl');
  await writeFile(
    jsonl,
    rejects.map((r) => JSON.stringify({ source_file: source, line: r.line, column_name: r.column, reason: r.reason, detail: r.detail, raw_line: r.raw })).join('\n') + '\n',
    'utf8',
  );
  await db.execute(`COPY (SELECT source_file, CAST(line AS BIGINT) AS line, column_name, reason, detail, raw_line
    FROM read_json(${lit(jsonl)}, format = 'newline_delimited',
      columns = {source_file: 'VARCHAR', line: 'BIGINT', column_name: 'VARCHAR', reason: 'VARCHAR', detail: 'VARCHAR', raw_line: 'VARCHAR'})
    ORDER BY line, column_name) TO ${lit(out)} (FORMAT parquet)`);
}
