import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { withDuckDB, type DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import { duckdbShareOfLimit } from '../../warehouse/duckdb/resources.js';
import { commitBatch, findManifest } from '../../lake/commit-batch.js';
import { scratchPrefix, sweepLeftovers } from '../../lake/sweep.js';
import { batchId, isoDay, lakePaths } from '../../lake/layout.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import type { BatchManifest } from '../../lake/manifest.js';
import { toKey, type LakeStore } from '../../lake/store.js';
import { companies, companyIdentifiers, creditReports, insolvencyEvents } from '../../schema/credit-tables.js';
import type { TableDef } from '../../schema/table.js';
import type { ReasonCount } from '../canonical-csv/convert.js';
import { IngestUsageError, pct, priorVerdict, sha256File, type FileIngestResult, type IngestResult } from '../ingest-files.js';
import { creditsafeRecords, parseCreditsafeJson } from './formats/creditsafe-json.js';
import { jsonRecordBatches } from './json-stream.js';
import { CreditCsvReader, parseCreditCsv } from './formats/csv-formats.js';
import { csvTextChunks, firstText } from './text-chunks.js';
import { refreshIndex } from './known-index.js';
import { JsonLinesFile, loadKnownState, writeParquet, writeQuarantineRows } from './lake-io.js';
import { Normaliser, type KnownState } from './normalise.js';
import type { ParseOutput } from './records.js';
import { ReasonTally } from '../reject-reasons.js';

/**
 * `creditlake ingest --feed credit-report`: provider reports (Creditsafe-style JSON, Graydon-style
 * CSV) and the canonical CSVs, validated record by record (they are small and nested), then committed
 * with the ERP feed's protocol. One file touches up to four tables; each gets its own batch
 * (manifest per table and content hash), and a feed manifest written after all of them is the
 * file's commit record: a file with a feed manifest is skipped, and an interrupted attempt is redone
 * (commitBatch clears its orphans).
 */
export const FEED = 'credit-report';
export const FEED_MANIFEST_TABLE = 'credit-report-feed';

export interface CreditIngestOptions {
  lakeRoot?: string;
  store?: LakeStore;
  files: readonly string[];
  maxRejectRate?: number;
  scratchDir?: string;
  now?: () => Date;
}

const PRIMARY: Record<ParseOutput['kind'], TableDef> = {
  reports: creditReports,
  companies,
  identifiers: companyIdentifiers,
  events: insolvencyEvents,
};

const feedManifestKey = (sha: string) => toKey(lakePaths.manifestFile(FEED_MANIFEST_TABLE, sha));

const isJson = (name: string, text: string) => {
  const ext = extname(name).toLowerCase();
  const lead = text.replace(/^\uFEFF/, '').trimStart()[0];
  return ext === '.json' || ext === '.ndjson' || ext === '.jsonl' || lead === '{' || lead === '[';
};

export function parseFile(name: string, text: string): ParseOutput | { error: string } {
  if (isJson(name, text)) {
    if (text.trim() === '') return { error: 'file is empty' };
    return parseCreditsafeJson(text);
  }
  return parseCreditCsv(text);
}

/**
 * What a file is, from its first bytes: a provider JSON (read a piece at a time, ./json-stream.ts), or
 * a CSV whose header names its kind (read piece by piece, ./text-chunks.ts), or an error.
 */
async function peek(file: string): Promise<{ json: boolean; kind: ParseOutput['kind'] } | { error: string }> {
  const head = await firstText(file);
  if (isJson(file, head)) return head.trim() === '' ? { error: 'file is empty' } : { json: true, kind: 'reports' };
  const end = head.indexOf('\n');
  const p = new CreditCsvReader().push(end < 0 ? head : head.slice(0, end + 1));
  return 'error' in p ? p : { json: false, kind: p.kind };
}

/** The file's records, a piece at a time. */
async function* pieces(it: { file: string; json: boolean }): AsyncGenerator<ParseOutput> {
  if (it.json) {
    for await (const chunks of jsonRecordBatches(it.file)) yield creditsafeRecords(chunks);
    return;
  }
  const reader = new CreditCsvReader();
  for await (const text of csvTextChunks(it.file)) {
    const p = reader.push(text);
    // The header was read by peek(): a piece cannot fail.
    if ('error' in p) throw new Error(`${basename(it.file)}: ${p.error}`);
    yield p;
  }
}

interface Parsed {
  file: string;
  sha256: string;
  sizeBytes: number;
  /** What peek() found: the file is read in the commit loop, one file at a time. */
  parsed?: { json: boolean; kind: ParseOutput['kind'] };
  error?: string;
  skipped?: { batch_id: string; ingest_date: string; rows_read: number; rows_loaded: number; rows_rejected: number };
  /** The same content appears earlier in this run under this name. */
  duplicateOf?: string;
}

const ORDER: Record<ParseOutput['kind'], number> = { companies: 0, identifiers: 1, reports: 2, events: 3 };

export async function ingestCreditReports(opts: CreditIngestOptions): Promise<IngestResult> {
  const store = opts.store ?? new LocalLakeStore(opts.lakeRoot ?? 'lake');
  const maxRejectRate = opts.maxRejectRate ?? 0;
  if (opts.files.length === 0) throw new IngestUsageError('no files to ingest');
  for (const f of opts.files) {
    const s = await stat(f).catch(() => undefined);
    if (!s?.isFile()) throw new IngestUsageError(`no such file: ${f}`);
  }
  const now = opts.now ?? (() => new Date());
  sweepLeftovers(store, opts.scratchDir);

  const items: Parsed[] = [];
  const firstBySha = new Map<string, string>();
  for (const file of opts.files) {
    const sha256 = await sha256File(file);
    const sizeBytes = (await stat(file)).size;
    const prior = await store.readText(feedManifestKey(sha256));
    if (prior !== undefined) {
      items.push({ file, sha256, sizeBytes, skipped: JSON.parse(prior) });
      continue;
    }
    const same = firstBySha.get(sha256);
    if (same !== undefined) {
      items.push({ file, sha256, sizeBytes, duplicateOf: same });
      continue;
    }
    firstBySha.set(sha256, file);
    const p = await peek(file);
    items.push('error' in p ? { file, sha256, sizeBytes, error: p.error } : { file, sha256, sizeBytes, parsed: p });
  }
  // Companies before the reports and events that may refer to them by key.
  const work = items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => (a.it.parsed ? ORDER[a.it.parsed.kind] : -1) - (b.it.parsed ? ORDER[b.it.parsed.kind] : -1) || a.i - b.i);

  const results: FileIngestResult[] = new Array(items.length);
  await withDuckDB({ threads: 1 }, async (db) => {
    let state: KnownState | undefined;
    for (const { it, i } of work) {
      const base = { file: it.file, sha256: it.sha256, sizeBytes: it.sizeBytes, topReasons: [] as ReasonCount[], warnings: [] as string[] };
      const zero = { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rejectRate: 0 };
      if (it.skipped) {
        const m = it.skipped;
        const v = priorVerdict(m, maxRejectRate);
        results[i] = { ...base, ...zero, status: 'skipped', failed: v.failed, rejectRate: v.rejectRate, batchId: m.batch_id, ingestDate: m.ingest_date,
          message: `already ingested as batch ${m.batch_id} on ${m.ingest_date} (${m.rows_loaded} loaded, ${m.rows_rejected} rejected)${v.tail}` };
        continue;
      }
      if (it.duplicateOf !== undefined) {
        results[i] = { ...base, ...zero, status: 'skipped', failed: false, message: `same content as ${basename(it.duplicateOf)} in this run; nothing to do` };
        continue;
      }
      if (!it.parsed) {
        results[i] = { ...base, ...zero, status: 'error', failed: true, message: `${basename(it.file)}: ${it.error}` };
        continue;
      }
      // A file without its feed manifest may have committed some tables in an interrupted earlier
      // attempt: the known state leaves those batches out, so the file is recomputed as it was then,
      // and commitBatch keeps the tables already committed (roll forward, never undo).
      state ??= await loadKnownState(db, store, opts.scratchDir, new Set(firstBySha.keys()));
      results[i] = await commitFile(db, store, it, { file: it.file, ...it.parsed }, state, maxRejectRate, now, opts.scratchDir);
    }
    // The identity index follows the commits (a cache: a run killed before this line leaves the
    // previous index, and the next ingest reads the batches it lacks from their files).
    if (results.some((r) => r.status === 'loaded')) {
      await leaveRoomForHeap(db);
      await refreshIndex(db, store, opts.scratchDir);
    }
  });
  const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => results.reduce((a, r) => a + r[k], 0);
  return {
    table: FEED,
    lake: store.location,
    maxRejectRate,
    files: results,
    rowsRead: sum('rowsRead'),
    rowsLoaded: sum('rowsLoaded'),
    rowsRejected: sum('rowsRejected'),
    ok: results.every((r) => !r.failed),
  };
}

/**
 * Lowers DuckDB's memory limit by what the JavaScript heap holds now (resources.ts duckdbShareOfLimit),
 * so the known state in JavaScript plus DuckDB's buffers stay within the configured limit: DuckDB
 * spills instead. Called before each DuckDB write, when the heap is as large as it gets. A limit DuckDB
 * cannot lower to at once (buffers it cannot spill) stays as it was. The known state's typed arrays
 * (identity index, report fingerprints: about 1.7 GB at 100M invoices) are ArrayBuffers outside the
 * V8 heap, so they are counted beside it.
 */
export async function leaveRoomForHeap(db: DuckDBEngine, heapBytes = heldByJavaScript()): Promise<void> {
  const share = duckdbShareOfLimit(heapBytes);
  if (share === undefined) return;
  await db.execute(`SET memory_limit = '${share}'`).catch(() => undefined);
}

function heldByJavaScript(): number {
  const m = process.memoryUsage();
  return m.heapTotal + m.arrayBuffers;
}

async function commitFile(
  db: Parameters<Parameters<typeof withDuckDB>[1]>[0],
  store: LakeStore,
  it: Parsed,
  parsed: { file: string; json: boolean; kind: ParseOutput['kind'] },
  state: KnownState,
  maxRejectRate: number,
  now: () => Date,
  scratchDir?: string,
): Promise<FileIngestResult> {
  const started = now();
  const source = basename(it.file);
  let added = state.index.size;
  const scratch = await mkdtemp(join(scratchDir ?? tmpdir(), scratchPrefix('credit')));
  // Every row goes to a scratch file as each piece is validated: reports, events, the identifiers the
  // piece added, and company rows that may be their company's latest (DuckDB keeps one per company).
  const reportsFile = new JsonLinesFile(join(scratch, 'reports.rows.jsonl'));
  const eventsFile = new JsonLinesFile(join(scratch, 'events.rows.jsonl'));
  const identifiersFile = new JsonLinesFile(join(scratch, 'identifiers.rows.jsonl'));
  const companiesFile = new JsonLinesFile(join(scratch, 'companies.candidates.jsonl'));
  // The rejects too, in the quarantine's columns; only their counts and one sample per reason stay.
  const quarantineRows = new JsonLinesFile(join(scratch, 'quarantine.rows.jsonl'));
  const tally = new ReasonTally();
  const n = new Normaliser(parsed.kind, state);
  const warnings: string[] = [];
  const manifests: Record<string, string> = {};
  const primary = PRIMARY[parsed.kind];
  let id: string;
  let ingestDate: string;
  let rejected: number;
  let loaded: number;
  let reasons: ReasonCount[];
  let identifiersCount: number;
  let companiesCount: number;
  try {
    for await (const p of pieces(parsed)) {
      const part = await n.add(p);
      await reportsFile.append(part.reports);
      await eventsFile.append(part.events);
      await companiesFile.append(part.companies.map((c) => ({ ...c.row, _seq: c.seq, _date: c.date })));
      await identifiersFile.append([...state.index.rowsFrom(added)]);
      await quarantineRows.append(part.rejects.map((r) => ({ source_file: source, line: r.line, column_name: r.column, reason: r.reason, detail: r.detail, raw_line: r.raw })));
      tally.add(part.rejects);
      added = state.index.size;
      warnings.push(...p.warnings);
    }
    identifiersCount = identifiersFile.count;
    companiesCount = n.companiesCount;
    const earlier = (await Promise.all(Object.values(PRIMARY).map((t) => findManifest(store, t.name, it.sha256)))).find(Boolean);
    id = earlier?.batch_id ?? batchId(started, it.sha256);
    ingestDate = earlier?.ingest_date ?? isoDay(started);
    rejected = n.rejected;
    loaded = n.read - rejected;
    reasons = tally.top(source);
    const tables: [TableDef, JsonLinesFile][] = [
      [companies, companiesFile],
      [companyIdentifiers, identifiersFile],
      [insolvencyEvents, eventsFile],
      [creditReports, reportsFile],
    ];
    // The companies file holds candidates, of which one per company is written.
    const count = (rows: JsonLinesFile) => (rows === companiesFile ? companiesCount : rows.count);
    // Secondary tables first, the file's primary table (which carries the quarantine) last.
    tables.sort(([a], [b]) => Number(a === primary) - Number(b === primary));
    for (const [table, rows] of tables) {
      if (count(rows) === 0 && table !== primary) continue;
      const dataFile = join(scratch, `${table.name}.parquet`);
      const rowsLoaded = count(rows);
      await leaveRoomForHeap(db);
      await writeParquet(db, table, rows, scratch, dataFile, rows === companiesFile ? 'company_key' : undefined);
      let quarantineFile: string | undefined;
      if (table === primary && rejected > 0) {
        quarantineFile = join(scratch, 'quarantine.parquet');
        await writeQuarantineRows(db, quarantineRows, quarantineFile);
      }
      const manifest: BatchManifest = {
        format_version: 1,
        batch_id: id,
        table: table.name,
        source_file: source,
        sha256: it.sha256,
        size_bytes: it.sizeBytes,
        rows_read: table === primary ? n.read : rowsLoaded,
        rows_loaded: rowsLoaded,
        rows_rejected: table === primary ? rejected : 0,
        top_reasons: table === primary ? reasons : [],
        ingest_date: ingestDate,
        started_at: started.toISOString(),
        finished_at: now().toISOString(),
        data_key: toKey(lakePaths.rawBatchFile(table.name, ingestDate, id)),
        quarantine_key: quarantineFile ? toKey(lakePaths.quarantineFile(table.name, id)) : null,
      };
      await commitBatch(store, manifest, { dataFile, quarantineFile }, { now: now() });
      manifests[table.name] = toKey(lakePaths.manifestFile(table.name, it.sha256));
    }
    const feedManifest = {
      format_version: 1, feed: FEED, kind: parsed.kind, batch_id: id, source_file: source, sha256: it.sha256,
      ingest_date: ingestDate, rows_read: n.read, rows_loaded: loaded, rows_rejected: rejected, tables: manifests,
      finished_at: now().toISOString(),
    };
    await store.writeText(feedManifestKey(it.sha256), `${JSON.stringify(feedManifest, null, 2)}\n`);
  } finally {
    for (const f of [reportsFile, eventsFile, identifiersFile, companiesFile, quarantineRows]) await f.close().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
  const rejectRate = n.read === 0 ? 0 : rejected / n.read;
  const failed = rejectRate > maxRejectRate;
  return {
    file: it.file,
    sha256: it.sha256,
    sizeBytes: it.sizeBytes,
    status: 'loaded',
    message:
      `${loaded} loaded, ${rejected} rejected (${reportsFile.count} reports, ${companiesCount} companies, ${eventsFile.count} insolvency events, ${identifiersCount} new identifiers)` +
      (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : ''),
    batchId: id,
    ingestDate,
    rowsRead: n.read,
    rowsLoaded: loaded,
    rowsRejected: rejected,
    rejectRate,
    failed,
    topReasons: reasons,
    warnings,
    dataKey: toKey(lakePaths.rawBatchFile(primary.name, ingestDate, id)),
    quarantineKey: rejected > 0 ? toKey(lakePaths.quarantineFile(primary.name, id)) : null,
    manifestKey: feedManifestKey(it.sha256),
  };
}
