import type { DateWindow } from '../config/plausible-dates.js';
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { canonicalTable, type TableDef } from '../schema/index.js';
import { commitBatch, findManifest, manifestKey } from '../lake/commit-batch.js';
import { batchId, isoDay, lakePaths } from '../lake/layout.js';
import { LocalLakeStore } from '../lake/local-store.js';
import { scratchPrefix, sweepLeftovers } from '../lake/sweep.js';
import type { BatchManifest } from '../lake/manifest.js';
import { toKey, type LakeStore } from '../lake/store.js';
import type { DuckDBInstance } from '@duckdb/node-api';
import { convertCsv, convertInstance, PLAIN_MAX_LINE_BYTES, plainScanFields, type ReasonCount } from './canonical-csv/convert.js';
import { scanPlainCsv } from './canonical-csv/plain-scan.js';
import { DUCKDB_ERROR, withoutSql } from '../warehouse/duckdb/error-text.js';
import { DuckDBEngine } from '../warehouse/duckdb/duckdb-engine.js';
import { priorBatches, versionReport, type PriorBatch, type VersionReport } from './prior-versions.js';

export interface IngestProgress {
  file: string;
  /** 0..1 of the current file's conversion. */
  fraction: number;
}

/** What every ingest path (canonical CSV, mapped exports, e-invoices) takes besides its source. */
export interface IngestRunOptions {
  /** Local lake folder; ignored when `store` is given. */
  lakeRoot?: string;
  store?: LakeStore;
  files: readonly string[];
  /** Highest acceptable share of rejected rows per file (0..1); default 0. */
  maxRejectRate?: number;
  onProgress?: (p: IngestProgress) => void;
  /** Local scratch parent (a Lambda passes /tmp); default the OS temp folder. */
  scratchDir?: string;
  threads?: number;
  memoryLimit?: string;
  /** Clock, for tests. */
  now?: () => Date;
  /** Dates a row may carry (config plausible_dates); default 1990-01-01 to five years after today. */
  dateWindow?: DateWindow;
}

export interface IngestOptions extends IngestRunOptions {
  table: string | TableDef;
}

export interface FileIngestResult {
  file: string;
  /** loaded: committed now; skipped: same content committed before; error: nothing usable in the file. */
  status: 'loaded' | 'skipped' | 'error';
  message: string;
  sha256: string;
  sizeBytes: number;
  batchId?: string;
  ingestDate?: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /**
   * Lines of the file as counted apart from the parser (header, blank lines and line breaks inside
   * quoted values included); the parser's own accounting of them is checked before anything commits.
   */
  sourceLines?: number;
  /** rowsRejected / rowsRead (0 for an empty read). */
  rejectRate: number;
  /** True when this file breaks the reject-rate limit or could not be read. */
  failed: boolean;
  topReasons: ReasonCount[];
  warnings: string[];
  /** Earlier versions of this file's keys that its rows replace in the warehouse (loaded files only). */
  versions?: VersionReport;
  dataKey?: string;
  quarantineKey?: string | null;
  manifestKey?: string;
}

export interface IngestResult {
  table: string;
  lake: string;
  maxRejectRate: number;
  files: FileIngestResult[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** False when any file failed (reject rate over the limit, unreadable file). */
  ok: boolean;
}

export class IngestUsageError extends Error {}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  // One buffer reused for every read: a stream allocates a fresh megabyte per read, which cost as
  // much CPU as the hashing itself.
  const buf = Buffer.allocUnsafe(1 << 20);
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * Ingests canonical CSV files into the lake, one batch per file. Idempotent per file content: a file
 * whose hash already has a manifest is skipped with a message naming the earlier batch.
 */
export async function ingestFiles(opts: IngestOptions): Promise<IngestResult> {
  let table: TableDef;
  try {
    table = typeof opts.table === 'string' ? canonicalTable(opts.table) : opts.table;
  } catch (e) {
    throw new IngestUsageError((e as Error).message);
  }
  const store = opts.store ?? new LocalLakeStore(opts.lakeRoot ?? 'lake');
  const maxRejectRate = opts.maxRejectRate ?? 0;
  if (!(maxRejectRate >= 0 && maxRejectRate <= 1)) throw new IngestUsageError(`max reject rate must be between 0 and 1, got ${maxRejectRate}`);
  await requireFiles(opts.files);

  sweepLeftovers(store, opts.scratchDir);
  const results: FileIngestResult[] = [];
  // One DuckDB instance for the whole run (a connection per file): creating one per file cost more
  // than converting a small file.
  const shared = await mkdtemp(join(opts.scratchDir ?? tmpdir(), scratchPrefix('duckdb')));
  const instance = await convertInstance(shared, opts.threads, opts.memoryLimit);
  try {
    for (const file of opts.files) results.push(await ingestOne(file, table, store, maxRejectRate, { ...opts, instance }));
  } finally {
    instance.closeSync();
    await rm(shared, { recursive: true, force: true });
  }
  const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => results.reduce((a, r) => a + r[k], 0);
  return {
    table: table.name,
    lake: store.location,
    maxRejectRate,
    files: results,
    rowsRead: sum('rowsRead'),
    rowsLoaded: sum('rowsLoaded'),
    rowsRejected: sum('rowsRejected'),
    ok: results.every((r) => !r.failed),
  };
}

async function ingestOne(
  file: string,
  table: TableDef,
  store: LakeStore,
  maxRejectRate: number,
  opts: IngestOptions & { instance?: DuckDBInstance },
): Promise<FileIngestResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const sizeBytes = (await stat(file)).size;
  const ingestDate = isoDay(started);
  const scratch = await mkdtemp(join(opts.scratchDir ?? tmpdir(), scratchPrefix('ingest')));
  // Work started in the background that writes into scratch (prior batches downloaded from S3, the
  // conversion): removing scratch while one still writes fails with ENOTEMPTY, or leaves files behind,
  // whenever this function returns or throws before awaiting it (a file already ingested, a failed
  // hash or manifest lookup).
  const background: Promise<unknown>[] = [];
  try {
    // Hashing and converting run side by side: the hash decides whether the file was ingested
    // before, and waiting for it first would add a full extra read of the file to every new batch.
    // A file that turns out to be known interrupts its conversion after the hash (~1 s per GB).
    const abort = new AbortController();
    // The file's hash and its plain scan (canonical-csv/plain-scan.ts) come from ONE read of the
    // file, beside DuckDB's own read of it: a separate hash and scan read it twice more.
    const hash = createHash('sha256');
    const scan = scanPlainCsv(file, { maxLineBytes: PLAIN_MAX_LINE_BYTES, hash, fields: plainScanFields(table) });
    background.push(scan.catch(() => undefined));
    // The table's earlier batches: a document number they hold as the other type is refused, and the
    // versions this file replaces are reported.
    const prior: Promise<readonly PriorBatch[]> = priorBatches(store, table.name, scratch);
    background.push(prior.catch(() => undefined));
    const converting = convertCsv({
      file,
      table,
      scratchDir: scratch,
      outputName: 'batch',
      threads: opts.threads,
      memoryLimit: opts.memoryLimit,
      dateWindow: opts.dateWindow,
      signal: abort.signal,
      instance: opts.instance,
      prior,
      scan,
      onProgress: opts.onProgress && ((fraction) => opts.onProgress!({ file, fraction })),
    });
    // Until it is awaited below, a failing conversion must not count as an unhandled rejection.
    background.push(converting.catch(() => undefined));
    await scan;
    const sha256 = hash.digest('hex');
    const base = { file, sha256, sizeBytes, topReasons: [] as ReasonCount[], warnings: [] as string[] };

    const existing = await findManifest(store, table.name, sha256);
    if (existing) {
      abort.abort(new Error('already ingested'));
      await converting.catch(() => undefined);
      // The batch stands, and so does its verdict: a file whose first run broke the reject limit
      // fails again (same message, same exit code) until the limit or the file changes.
      const rejectRate = existing.rows_read === 0 ? 0 : existing.rows_rejected / existing.rows_read;
      const failed = rejectRate > maxRejectRate;
      return {
        ...base,
        status: 'skipped',
        message:
          `already ingested as batch ${existing.batch_id} on ${existing.ingest_date} (${existing.rows_loaded} loaded, ${existing.rows_rejected} rejected)` +
          (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : '; nothing to do'),
        batchId: existing.batch_id,
        ingestDate: existing.ingest_date,
        rowsRead: 0,
        rowsLoaded: 0,
        rowsRejected: 0,
        rejectRate: failed ? rejectRate : 0,
        failed,
        topReasons: failed ? existing.top_reasons : [],
        quarantineKey: failed ? existing.quarantine_key : undefined,
        manifestKey: manifestKey(table.name, sha256),
      };
    }

    const id = batchId(started, sha256);
    let conv;
    try {
      conv = await converting;
    } catch (e) {
      if (!DUCKDB_ERROR.test((e as Error).message)) throw e;
      // One file DuckDB cannot convert must not end a multi-file run (nor print the generated SQL).
      const message = `could not be converted: ${withoutSql((e as Error).message).slice(0, 400)}. Nothing was committed for this file.`;
      return { ...base, status: 'error', message, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rejectRate: 0, failed: true };
    }
    if (conv.status === 'error' || !conv.dataFile) {
      return { ...base, status: 'error', message: conv.error ?? 'conversion failed', rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rejectRate: 0, failed: true, warnings: conv.warnings };
    }
    const versions = await replacedVersions(opts.instance, table, conv.dataFile, await prior);
    const manifest: BatchManifest = {
      format_version: 1,
      batch_id: id,
      table: table.name,
      source_file: basename(file),
      sha256,
      size_bytes: sizeBytes,
      rows_read: conv.rowsRead,
      rows_loaded: conv.rowsLoaded,
      rows_rejected: conv.rowsRejected,
      top_reasons: conv.topReasons,
      ingest_date: ingestDate,
      started_at: started.toISOString(),
      finished_at: now().toISOString(),
      data_key: toKey(lakePaths.rawBatchFile(table.name, ingestDate, id)),
      quarantine_key: conv.quarantineFile ? toKey(lakePaths.quarantineFile(table.name, id)) : null,
      ...(conv.header ? { source_header: conv.header } : {}),
    };
    const commit = await commitBatch(store, manifest, { dataFile: conv.dataFile, quarantineFile: conv.quarantineFile }, { now: now() });
    if (!commit.written) {
      // A concurrent attempt at the same file committed first: its batch stands, ours is dropped.
      const m = commit.manifest;
      return {
        ...base,
        status: 'skipped',
        message: `already ingested as batch ${m.batch_id} on ${m.ingest_date} (${m.rows_loaded} loaded, ${m.rows_rejected} rejected) by a concurrent run; nothing to do`,
        batchId: m.batch_id,
        ingestDate: m.ingest_date,
        rowsRead: 0,
        rowsLoaded: 0,
        rowsRejected: 0,
        rejectRate: 0,
        failed: false,
        manifestKey: manifestKey(table.name, sha256),
      };
    }
    const rejectRate = conv.rowsRead === 0 ? 0 : conv.rowsRejected / conv.rowsRead;
    const failed = rejectRate > maxRejectRate;
    return {
      ...base,
      status: 'loaded',
      message:
        `${conv.rowsLoaded} loaded, ${conv.rowsRejected} rejected` +
        (conv.rowsRead === 0 ? ' (header only: no data rows)' : '') +
        (versions.replaced ? `, ${versions.replaced} earlier version${versions.replaced === 1 ? '' : 's'} replaced` : '') +
        (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : ''),
      batchId: id,
      ingestDate,
      rowsRead: conv.rowsRead,
      sourceLines: conv.sourceLines,
      rowsLoaded: conv.rowsLoaded,
      rowsRejected: conv.rowsRejected,
      rejectRate,
      failed,
      topReasons: conv.topReasons,
      warnings: conv.warnings,
      versions,
      dataKey: manifest.data_key,
      quarantineKey: manifest.quarantine_key,
      manifestKey: manifestKey(table.name, sha256),
    };
  } finally {
    await Promise.all(background);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The versions a converted batch replaces, on a connection of the run's DuckDB instance. */
export async function replacedVersions(instance: DuckDBInstance | undefined, table: TableDef, dataFile: string, prior: readonly PriorBatch[]): Promise<VersionReport> {
  if (prior.length === 0) return { replaced: 0, unchanged: 0, examples: [] };
  const engine = instance ? await DuckDBEngine.connect(instance) : await DuckDBEngine.open();
  try {
    return await versionReport(engine, table, dataFile, prior);
  } finally {
    await engine.close();
  }
}

/**
 * What a re-run of an already committed file says: the batch stands, and so does its verdict, so a
 * file whose first run broke the reject limit fails again (same message, same exit code) until the
 * limit or the file changes.
 */
export function priorVerdict(m: { rows_read: number; rows_rejected: number }, maxRejectRate: number): { rejectRate: number; failed: boolean; tail: string } {
  const rate = m.rows_read === 0 ? 0 : m.rows_rejected / m.rows_read;
  const failed = rate > maxRejectRate;
  return { rejectRate: failed ? rate : 0, failed, tail: failed ? ` — reject rate ${pct(rate)} exceeds the limit ${pct(maxRejectRate)}` : '; nothing to do' };
}

export function pct(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 3 : 1)}%`;
}

/** A usage error before any work: no files at all, or one that is not a readable file. */
export async function requireFiles(files: readonly string[]): Promise<void> {
  if (files.length === 0) throw new IngestUsageError('no files to ingest');
  for (const f of files) {
    const s = await stat(f).catch(() => undefined);
    if (!s?.isFile()) throw new IngestUsageError(`no such file: ${f}`);
  }
}
