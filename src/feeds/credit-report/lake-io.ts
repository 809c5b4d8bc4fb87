import { open, type FileHandle } from 'node:fs/promises';
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
 * a JSON-lines scratch file so money stays decimal text until DuckDB casts it to DECIMAL(18,2). The
 * rows are given in memory, or as a JSON-lines file already written piece by piece (JsonLinesFile).
 *
 * `latestPer`: the file holds candidates (normalise.ts CompanyCandidate: the row plus `_seq` and
 * `_date`), of which one per value of that column is written: the latest `_date`, the later `_seq` on
 * a tie, in the order the values first appeared. DuckDB chooses (and spills), so a feed's company rows
 * never sit in the JavaScript heap together.
 */
export async function writeParquet(db: DuckDBEngine, table: TableDef, rows: readonly object[] | JsonLinesFile, scratch: string, out: string, latestPer?: string): Promise<void> {
  const stage = `stage_${table.name}`;
  const cols = table.columns.map((c) => `${q(c.name)} ${c.sqlType === 'INTEGER' ? 'INTEGER' : 'VARCHAR'}`);
  await db.execute(`CREATE OR REPLACE TEMP TABLE ${stage} (${cols.join(', ')})`);
  let jsonl: string | undefined;
  if (rows instanceof JsonLinesFile) {
    await rows.close();
    if (rows.count > 0) jsonl = rows.path;
  } else if (rows.length > 0) {
    jsonl = join(scratch, `${table.name}.jsonl`);
    const file = new JsonLinesFile(jsonl);
    await file.append(rows);
    await file.close();
  }
  if (jsonl !== undefined) {
    const types = table.columns.map((c) => `${lit(c.name)}: ${lit(c.sqlType === 'INTEGER' ? 'INTEGER' : 'VARCHAR')}`).join(', ');
    const names = table.columns.map((c) => q(c.name)).join(', ');
    if (latestPer === undefined) {
      await db.execute(`INSERT INTO ${stage} SELECT ${names}
        FROM read_json(${lit(jsonl)}, format = 'newline_delimited', columns = {${types}})`);
    } else {
      const k = q(latestPer);
      await db.execute(`INSERT INTO ${stage} SELECT ${names} FROM (
          SELECT *, min(_seq) OVER (PARTITION BY ${k}) AS _first,
            row_number() OVER (PARTITION BY ${k} ORDER BY _date DESC, _seq DESC) AS _rank
          FROM read_json(${lit(jsonl)}, format = 'newline_delimited', columns = {${types}, '_seq': 'BIGINT', '_date': 'VARCHAR'})
        ) WHERE _rank = 1 ORDER BY _first`);
    }
  }
  await db.execute(`COPY (SELECT ${canonicalSelectList(table)} FROM ${stage}) TO ${lit(out)} (FORMAT parquet)`);
  await db.execute(`DROP TABLE ${stage}`);
}

/** Quarantine Parquet in the same layout as the ERP feed's: file, line, column, reason, detail, raw line. */
export async function writeQuarantine(db: DuckDBEngine, source: string, rejects: readonly Reject[], scratch: string, out: string): Promise<void> {
  const file = new JsonLinesFile(join(scratch, 'quarantine.jsonl'));
  await file.append(rejects.map((r) => ({ source_file: source, line: r.line, column_name: r.column, reason: r.reason, detail: r.detail, raw_line: r.raw })));
  await writeQuarantineRows(db, file, out);
}

/**
 * `writeQuarantine` from a JSON-lines file of the quarantine's columns, written piece by piece (the
 * credit-report feed: a file of rejects is never held at once).
 */
export async function writeQuarantineRows(db: DuckDBEngine, rows: JsonLinesFile, out: string): Promise<void> {
  await rows.close();
  await db.execute(`COPY (SELECT source_file, CAST(line AS BIGINT) AS line, column_name, reason, detail, raw_line
    FROM read_json(${lit(rows.path)}, format = 'newline_delimited',
      columns = {source_file: 'VARCHAR', line: 'BIGINT', column_name: 'VARCHAR', reason: 'VARCHAR', detail: 'VARCHAR', raw_line: 'VARCHAR'})
    ORDER BY line, column_name) TO ${lit(out)} (FORMAT parquet)`);
}

/**
 * A JSON-lines scratch file written a few megabytes at a time as rows arrive: joined into one string,
 * the 1.6M credit reports of a 4M-invoice ledger passed V8's longest string (about 512 MB), and held
 * in memory until the end they were most of the feed's 4.8 GB RSS.
 */
export class JsonLinesFile {
  count = 0;
  private fh?: FileHandle;
  private closed = false;

  constructor(readonly path: string) {}

  async append(items: readonly object[]): Promise<void> {
    if (this.closed) throw new Error(`${this.path} is closed`);
    this.fh ??= await open(this.path, 'w');
    let buf: string[] = [];
    let size = 0;
    for (const item of items) {
      const line = JSON.stringify(item);
      buf.push(line);
      size += line.length + 1;
      if (size > 8 << 20) {
        await this.fh.write(buf.join('\n') + '\n');
        buf = [];
        size = 0;
      }
    }
    if (buf.length) await this.fh.write(buf.join('\n') + '\n');
    this.count += items.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // DuckDB reads an empty file as no rows only when it has a line.
    this.fh ??= await open(this.path, 'w');
    if (this.count === 0) await this.fh.write('\n');
    await this.fh.close();
  }
}
