import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import { canonicalSelectList, quoteIdent as q, type TableDef } from '../../schema/index.js';
import type { LakeStore } from '../../lake/store.js';
import { loadKnownStateIndexed } from './known-index.js';
import type { KnownState } from './normalise.js';
import type { Reject } from './records.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Identifiers, report ids and event ids already committed: what a new batch is checked against,
 * from the identity index plus any batch committed since it was written (./known-index.ts).
 * `exclude`: content hashes whose batches are left out (files of this run, recomputed as they were).
 */
export async function loadKnownState(db: DuckDBEngine, store: LakeStore, scratchDir?: string, exclude?: ReadonlySet<string>): Promise<KnownState> {
  return (await loadKnownStateIndexed(db, store, scratchDir, exclude)).state;
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
    await writeJsonLines(jsonl, rows, (r) => r);
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
  await writeJsonLines(jsonl, rejects, (r) => ({ source_file: source, line: r.line, column_name: r.column, reason: r.reason, detail: r.detail, raw_line: r.raw }));
  await db.execute(`COPY (SELECT source_file, CAST(line AS BIGINT) AS line, column_name, reason, detail, raw_line
    FROM read_json(${lit(jsonl)}, format = 'newline_delimited',
      columns = {source_file: 'VARCHAR', line: 'BIGINT', column_name: 'VARCHAR', reason: 'VARCHAR', detail: 'VARCHAR', raw_line: 'VARCHAR'})
    ORDER BY line, column_name) TO ${lit(out)} (FORMAT parquet)`);
}

/**
 * Writes one JSON object per line, a few megabytes at a time: joined into one string, the 1.6M credit
 * reports of a 4M-invoice ledger passed V8's longest string (about 512 MB) and the ingest failed.
 */
async function writeJsonLines<T>(path: string, items: readonly T[], toJson: (item: T) => object): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let buf: string[] = [];
    let size = 0;
    for (const item of items) {
      const line = JSON.stringify(toJson(item));
      buf.push(line);
      size += line.length + 1;
      if (size > 8 << 20) {
        await fh.write(buf.join('\n') + '\n');
        buf = [];
        size = 0;
      }
    }
    await fh.write(buf.length ? buf.join('\n') + '\n' : '\n');
  } finally {
    await fh.close();
  }
}
