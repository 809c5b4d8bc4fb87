import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import { findManifest } from '../../lake/commit-batch.js';
import { lakePaths } from '../../lake/layout.js';
import { scratchPrefix } from '../../lake/sweep.js';
import { toKey, type LakeStore } from '../../lake/store.js';
import { companyIdentifiers, creditReports, insolvencyEvents } from '../../schema/credit-tables.js';
import { CompanyIdentityIndex, type IdentifierRow } from './identity.js';
import { DuckDBKnownReports } from './known-reports.js';
import { StringTable } from './string-table.js';
import type { KnownState } from './normalise.js';

/**
 * The credit-report identity index: what a new batch is checked against (company identifiers, report
 * ids and natural keys, insolvency event ids), kept as one Parquet object so an ingest reads one
 * object instead of every committed file (which grows with every daily drop).
 *
 * The index is a cache of the committed batches, never a commit record. It holds the rows of exactly
 * the batches it lists, and it is trusted only as far as the commit records agree with it:
 *   - the batches a reader needs are the committed (manifest), unretired ones, found by LISTing
 *     manifests/<table>/ and retired/<table>/ (the content hash is in each key: no object is read);
 *   - batches committed since the index was written (a run killed before it rewrote the index, a
 *     concurrent ingest that lost the race to write it, a restored batch) are read from their own
 *     files and added: cost grows with what is new, not with history;
 *   - an index naming a batch that no longer counts (retired) or that this run recomputes, or one
 *     that is missing or unreadable, is ignored and the state rebuilt from the files.
 * So a crash at any point leaves a consistent lake: the index is written by one atomic put after the
 * file's commit records, and a stale or missing index costs a re-read, never a wrong answer.
 *
 * It lives under the credit-report feed's manifest folder (manifests/credit-report-feed/_index/), a
 * prefix the ingest role may already write and that no Glue commit table or batch listing reads as
 * a manifest (those read `.json` objects of canonical tables).
 */
export const INDEX_KEY = toKey(join('manifests', 'credit-report-feed', '_index', 'known-state.parquet'));
const INDEX_FORMAT = '1';

/** The tables whose rows make up the known state. */
const TABLES = [
  { table: companyIdentifiers, columns: ['id_type', 'id_value', 'company_key'] },
  { table: creditReports, columns: ['report_id', 'provider', 'company_key', 'CAST(report_date AS VARCHAR)'] },
  { table: insolvencyEvents, columns: ['event_id'] },
] as const;
type TableName = (typeof TABLES)[number]['table']['name'];

/** Committed, unretired batches per table, by content hash. */
export type BatchSet = Map<TableName, Set<string>>;

/**
 * The known state JavaScript holds: identifiers and insolvency event ids, each streamed from DuckDB
 * straight into typed arrays (./string-table.ts; 11.2M identifiers at 100M invoices, which as an array
 * of row objects and then a Map ran V8 out of heap). The reports (40M there) go straight from the
 * files into a DuckDB table (./known-reports.ts) and never become JavaScript rows.
 */
interface KnownRows {
  ids: CompanyIdentityIndex;
  events: StringTable;
}

export interface KnownStateLoad {
  state: KnownState;
  /** Where the state came from: the index (plus any newer batches), or every committed file. */
  source: 'index' | 'files';
  /** Batch data files read besides the index. */
  filesRead: number;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const jsonShas = (keys: string[]) => keys.filter((k) => k.endsWith('.json')).map((k) => posix.basename(k, '.json'));

/** LISTs only: manifest and retire-record keys carry the content hash. */
export async function committedBatches(store: LakeStore): Promise<BatchSet> {
  const out: BatchSet = new Map();
  for (const { table } of TABLES) {
    const shas = jsonShas(await store.list(toKey(lakePaths.manifestDir(table.name))));
    const retired = new Set(jsonShas(await store.list(toKey(lakePaths.retiredDir(table.name)))));
    out.set(table.name, new Set(shas.filter((s) => !retired.has(s))));
  }
  return out;
}

interface IndexContent {
  batches: BatchSet;
}

const emptyRows = (): KnownRows => ({ ids: new CompanyIdentityIndex(), events: new StringTable() });
const emptyBatches = (): BatchSet => new Map(TABLES.map(({ table }) => [table.name, new Set<string>()]));

/** Scratch folder for copies of remote objects (DuckDB reads no S3 without httpfs). */
async function withLocalCopies<T>(store: LakeStore, scratchDir: string | undefined, fn: (local: (key: string) => Promise<string>) => Promise<T>): Promise<T> {
  const s = store as LakeStore & { pathOf?: (k: string) => string };
  if (s.pathOf) return fn(async (k) => s.pathOf!(k));
  if (!store.getFile) throw new Error(`the credit-report ingest cannot read files of ${store.location}`);
  const dir = await mkdtemp(join(scratchDir ?? tmpdir(), scratchPrefix('history')));
  let n = 0;
  try {
    return await fn(async (k) => {
      const p = join(dir, `${n++}.parquet`);
      await store.getFile!(k, p);
      return p;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The batches the index covers, or undefined when there is none or it cannot be read (it is then
 * rebuilt). Its rows are loaded when `into` is given: identifiers and event ids into `into.rows`, report
 * keys into `into.reports` (in DuckDB); without it only the batches are read (what refreshIndex needs).
 */
export async function readIndex(db: DuckDBEngine, store: LakeStore, scratchDir?: string, into?: { rows: KnownRows; reports: DuckDBKnownReports }): Promise<IndexContent | undefined> {
  const batchesOnly = into === undefined;
  if (!(await store.exists(INDEX_KEY))) return undefined;
  try {
    return await withLocalCopies(store, scratchDir, async (local) => {
      const path = await local(INDEX_KEY);
      const out: IndexContent = { batches: emptyBatches() };
      let version: string | undefined;
      const where = batchesOnly ? ` WHERE kind IN ('format', 'batch')` : ` WHERE kind <> 'report'`;
      // Streamed a chunk at a time: a 4M-invoice ledger's index is 2M rows.
      for await (const r of streamRows(db, `SELECT kind, a, b, c FROM read_parquet(${lit(path)})${where}`)) {
        const [kind, a, b, c] = r.map((v) => String(v ?? ''));
        if (kind === 'format') version = a;
        else if (kind === 'batch') out.batches.get(a as TableName)?.add(b!);
        else if (kind === 'id') into!.rows.ids.seed({ id_type: a as IdentifierRow['id_type'], id_value: b!, company_key: c! });
        else if (kind === 'event') into!.rows.events.add(a!);
      }
      if (version !== INDEX_FORMAT) return undefined;
      if (into) {
        await into.reports.load(`(SELECT a AS report_id, b AS provider, c AS company_key, d AS report_date FROM read_parquet(${lit(path)}) WHERE kind = 'report')`);
      }
      return out;
    });
  } catch {
    // A truncated or foreign object is no reason to refuse an ingest: the files are the truth.
    return undefined;
  }
}

/** Rows of one query as arrays, a DuckDB chunk (about 2,048 rows) at a time. */
async function* streamRows(db: DuckDBEngine, sql: string): AsyncGenerator<unknown[]> {
  for await (const result of db.streamStatements(sql)) {
    for await (const chunk of result.chunks) yield* chunk as unknown[][];
  }
}

/** Local paths of the data files of the given batches, per table (only those batches' manifests are read). */
async function batchFiles(store: LakeStore, batches: BatchSet, local: (key: string) => Promise<string>): Promise<Map<TableName, string[]>> {
  const out = new Map<TableName, string[]>();
  for (const { table } of TABLES) {
    const shas = [...(batches.get(table.name) ?? [])].sort();
    const paths: string[] = [];
    for (const sha of shas) {
      const m = await findManifest(store, table.name, sha);
      // Listed a moment ago; a manifest is never deleted, so this is a lake being edited by hand.
      if (!m) throw new Error(`batch manifest of ${table.name} ${sha} was listed but cannot be read`);
      // A compaction's rows are those of the batches it holds, whose manifests and files stay.
      if (m.compacted_sha256?.length) continue;
      paths.push(await local(m.data_key));
    }
    out.set(table.name, paths);
  }
  return out;
}

/**
 * Rows of the given batches, read from their data files (only those batches' manifests are read);
 * the reports' into `reports`, in DuckDB.
 */
async function readBatches(db: DuckDBEngine, store: LakeStore, batches: BatchSet, rows: KnownRows, reports: DuckDBKnownReports, scratchDir?: string): Promise<{ files: number }> {
  let files = 0;
  await withLocalCopies(store, scratchDir, async (local) => {
    const byTable = await batchFiles(store, batches, local);
    for (const { table, columns } of TABLES) {
      const paths = byTable.get(table.name) ?? [];
      files += paths.length;
      if (paths.length === 0) continue;
      const from = `read_parquet([${paths.map(lit).join(', ')}])`;
      if (table === creditReports) {
        await reports.load(`(SELECT CAST(report_id AS VARCHAR) AS report_id, CAST(provider AS VARCHAR) AS provider, CAST(company_key AS VARCHAR) AS company_key, CAST(report_date AS VARCHAR) AS report_date FROM ${from})`);
        continue;
      }
      const cols = columns.map((c, i) => `${c.startsWith('CAST') ? c : `"${c}"`} AS c${i}`).join(', ');
      for await (const r of streamRows(db, `SELECT ${cols} FROM ${from}`)) {
        const v = (i: number) => String(r[i]);
        if (table === companyIdentifiers) rows.ids.seed({ id_type: v(0) as IdentifierRow['id_type'], id_value: v(1), company_key: v(2) });
        else rows.events.add(v(0));
      }
    }
  });
  return { files };
}

const minus = (a: BatchSet, ...bs: (BatchSet | ReadonlySet<string>)[]): BatchSet =>
  new Map(
    [...a].map(([t, shas]) => [
      t,
      new Set([...shas].filter((s) => !bs.some((b) => (b instanceof Map ? b.get(t)?.has(s) : (b as ReadonlySet<string>).has(s))))),
    ]),
  );
const union = (a: BatchSet, b: BatchSet): BatchSet => new Map([...a].map(([t, shas]) => [t, new Set([...shas, ...(b.get(t) ?? [])])]));
const size = (a: BatchSet) => [...a.values()].reduce((n, s) => n + s.size, 0);
/** An index is usable when every batch it covers still counts (committed, unretired, not excluded). */
const usable = (index: IndexContent, committed: BatchSet, exclude: ReadonlySet<string>) =>
  [...index.batches].every(([t, shas]) => [...shas].every((s) => committed.get(t)?.has(s) && !exclude.has(s)));

function toState(rows: KnownRows, reports: DuckDBKnownReports): KnownState {
  return { index: rows.ids, reports, eventIds: rows.events };
}

/**
 * Identifiers, report ids and event ids already committed: what a new batch is checked against.
 * `exclude`: content hashes whose batches are left out (files of this run, recomputed as they were).
 */
export async function loadKnownStateIndexed(db: DuckDBEngine, store: LakeStore, scratchDir?: string, exclude: ReadonlySet<string> = new Set()): Promise<KnownStateLoad> {
  const committed = await committedBatches(store);
  const fromIndex = { rows: emptyRows(), reports: await DuckDBKnownReports.create(db) };
  const index = await readIndex(db, store, scratchDir, fromIndex);
  if (index && usable(index, committed, exclude)) {
    // The newer batches' identifiers are seeded after the index's, as the rows were once merged.
    const newer = await readBatches(db, store, minus(committed, index.batches, exclude), fromIndex.rows, fromIndex.reports, scratchDir);
    return { state: toState(fromIndex.rows, fromIndex.reports), source: 'index', filesRead: newer.files };
  }
  await fromIndex.reports.drop();
  fromIndex.rows = emptyRows();
  const reports = await DuckDBKnownReports.create(db);
  const rows = emptyRows();
  const all = await readBatches(db, store, minus(committed, exclude), rows, reports, scratchDir);
  return { state: toState(rows, reports), source: 'files', filesRead: all.files };
}

/**
 * Brings the index up to the committed batches (after a run committed some): adds the batches it
 * lacks from their files, or rebuilds it when it names a batch that no longer counts. One atomic put;
 * a concurrent writer's index may replace it, and the next ingest then adds what that one lacked.
 * Written by one DuckDB statement from the old index and the new batch files, never through
 * JavaScript rows: at 4M invoices that was 2M rows and a 200 MB string, most of the feed's peak RSS.
 */
export async function refreshIndex(db: DuckDBEngine, store: LakeStore, scratchDir?: string): Promise<{ written: boolean; filesRead: number }> {
  const committed = await committedBatches(store);
  const index = await readIndex(db, store, scratchDir);
  if (index && usable(index, committed, new Set())) {
    const missing = minus(committed, index.batches);
    if (size(missing) === 0) return { written: false, filesRead: 0 };
    return { written: true, filesRead: await writeIndex(db, store, union(index.batches, missing), missing, true, scratchDir) };
  }
  return { written: true, filesRead: await writeIndex(db, store, committed, committed, false, scratchDir) };
}

/**
 * Writes the index covering `batches`: the rows of the current index (when `keepRows`) plus those of
 * the `read` batches' files. Returns how many batch files were read.
 */
async function writeIndex(db: DuckDBEngine, store: LakeStore, batches: BatchSet, read: BatchSet, keepRows: boolean, scratchDir?: string): Promise<number> {
  const dir = await mkdtemp(join(scratchDir ?? tmpdir(), scratchPrefix('index')));
  try {
    return await withLocalCopies(store, scratchDir, async (local) => {
      const v = (s: string | null) => (s === null ? 'CAST(NULL AS VARCHAR)' : lit(s));
      const tuple = (kind: string, a: string | null, b: string | null) => `(${lit(kind)}, ${v(a)}, ${v(b)})`;
      const meta = [tuple('format', INDEX_FORMAT, null)];
      for (const [t, shas] of batches) for (const s of [...shas].sort()) meta.push(tuple('batch', t, s));
      const parts = [`SELECT kind, a, b, CAST(NULL AS VARCHAR) AS c, CAST(NULL AS VARCHAR) AS d FROM (VALUES ${meta.join(', ')}) AS m(kind, a, b)`];
      if (keepRows) parts.push(`SELECT kind, a, b, c, d FROM read_parquet(${lit(await local(INDEX_KEY))}) WHERE kind IN ('id', 'report', 'event')`);
      const byTable = await batchFiles(store, read, local);
      const files = (t: TableName) => byTable.get(t) ?? [];
      const from = (t: TableName) => `read_parquet([${files(t).map(lit).join(', ')}])`;
      const NULL = 'CAST(NULL AS VARCHAR)';
      if (files('company_identifiers').length) parts.push(`SELECT 'id', CAST(id_type AS VARCHAR), CAST(id_value AS VARCHAR), CAST(company_key AS VARCHAR), ${NULL} FROM ${from('company_identifiers')}`);
      if (files('credit_reports').length) parts.push(`SELECT 'report', CAST(report_id AS VARCHAR), CAST(provider AS VARCHAR), CAST(company_key AS VARCHAR), CAST(report_date AS VARCHAR) FROM ${from('credit_reports')}`);
      if (files('insolvency_events').length) parts.push(`SELECT 'event', CAST(event_id AS VARCHAR), ${NULL}, ${NULL}, ${NULL} FROM ${from('insolvency_events')}`);
      const out = join(dir, 'known-state.parquet');
      await db.execute(`COPY (${parts.join('\nUNION ALL\n')}) TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd)`);
      await store.putFile(out, INDEX_KEY);
      return [...byTable.values()].reduce((n, p) => n + p.length, 0);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
