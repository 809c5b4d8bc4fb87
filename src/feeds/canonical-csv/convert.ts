import type { DateWindow } from '../../config/plausible-dates.js';
import type { DuckDBInstance, DuckDBConnection, DuckDBMaterializedResult } from '@duckdb/node-api';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalSelectList, quoteIdent as q, type TableDef } from '../../schema/index.js';
import { normalizeCsv, recordTexts, recordTextsSql, writeRecordTexts, type NormalizeResult } from '../csv-dialect/normalize.js';
import { DialectError } from '../csv-dialect/sniff.js';
import { ISO_DATE_TEXT, rowChecks } from './rules.js';
import { duplicatesSql, failuresSql, lit, plainDirectSql, SCANNED_FORMS, plainStageSql, preRejectsSql, quarantineSql, repeatedKeysSql, stageSql, typeConflictsSql } from './sql.js';
import { readPlainHeader, scanPlainCsv, type PlainScan } from './plain-scan.js';
import type { FieldForm, FieldWatchSpec } from './field-watch.js';
import { createInstance } from '../../warehouse/duckdb/duckdb-engine.js';
import { priorDocsSql, typedDocumentKey, type PriorBatch } from '../prior-versions.js';

export interface ConvertOptions {
  /** Local CSV file. */
  file: string;
  table: TableDef;
  /** Local folder for the output Parquet files and DuckDB spill; the caller owns and removes it. */
  scratchDir: string;
  /** Stem of the output files (the batch id). */
  outputName: string;
  /** Name recorded in the quarantine `source_file` column (default: the file's base name). */
  sourceName?: string;
  threads?: number;
  memoryLimit?: string;
  /** Fraction done, 0..1, called a few times a second while DuckDB works. */
  onProgress?: (fraction: number) => void;
  /** Aborting interrupts the running statement; convertCsv then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** An instance to open a connection on (a multi-file ingest shares one); default a new one. */
  instance?: DuckDBInstance;
  /** Dates a row may carry; default 1990-01-01 to five years after today. */
  dateWindow?: DateWindow;
  /** The table's committed batches, to refuse a document number an earlier batch holds as the other type. */
  prior?: Promise<readonly PriorBatch[]>;
  /**
   * The plain scan of `file` (plain-scan.ts, with `maxLineBytes` PLAIN_MAX_LINE_BYTES and `fields`
   * plainScanFields(table)) when the caller runs it: the ingest hashes the file in the same read.
   * Default: the converter scans the file itself.
   */
  scan?: Promise<PlainScan>;
}

export interface RejectSample {
  file: string;
  line: number;
  column: string;
  detail: string;
}

export interface ReasonCount {
  reason: string;
  column: string;
  rows: number;
  sample: RejectSample;
}

export interface ConvertResult {
  /** `error`: the file could not be read as a table at all (empty, no header): nothing to commit. */
  status: 'converted' | 'error';
  error?: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Physical lines of the file (header, blank lines and line breaks inside quoted values included). */
  sourceLines?: number;
  /** The file's header (column names in its order): the layout `rejects --export` writes rejected lines back in. */
  header?: string[];
  /** Local Parquet of the good rows in the canonical schema (written even with 0 rows). */
  dataFile?: string;
  /** Local quarantine Parquet, only when rows were rejected. */
  quarantineFile?: string;
  topReasons: ReasonCount[];
  warnings: string[];
  /**
   * How the file was read: `direct` (plain, every row good: one COPY from the file), `staged` (plain,
   * staged in DuckDB to find and quarantine what failed) or `normalized` (through the normalizing pass).
   */
  path?: 'direct' | 'staged' | 'normalized';
}

const TOP_REASONS = 10;

/** How canonical CSV is read: UTF-8 (a UTF-16 file with a byte-order mark is converted), comma, header first. */
const CANONICAL_READ = { delimiter: ',', encoding: 'utf-8', headerRow: 1, invalidBytes: 'reject-line' } as const;

/**
 * Validates a canonical CSV and converts it to Parquet, entirely inside DuckDB: a typed `read_csv`
 * with rejects, one scan evaluating every row check, a duplicate-key pass, then COPY of good rows and
 * of the quarantine. Pure local work (no lake access), so the CLI and a Lambda share it.
 */
export async function convertCsv(opts: ConvertOptions): Promise<ConvertResult> {
  const source = opts.sourceName ?? basename(opts.file);
  const empty = { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, topReasons: [] as ReasonCount[], warnings: [] as string[] };
  await mkdir(opts.scratchDir, { recursive: true });
  const own = opts.instance === undefined;
  const instance = opts.instance ?? (await convertInstance(join(opts.scratchDir, 'duckdb-tmp'), opts.threads, opts.memoryLimit));
  const conn = await instance.connect();
  // The verdict of a scan the caller shares, as soon as it is known (see the staging below).
  let scanned: PlainScan | undefined;
  opts.scan?.then(
    (r) => (scanned = r),
    () => undefined,
  );
  const interrupt = () => conn.interrupt();
  opts.signal?.addEventListener('abort', interrupt);
  try {
    opts.signal?.throwIfAborted();
    // DuckDB only tracks query progress with its progress bar on; we poll it instead of printing it.
    if (opts.onProgress) await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
    const run = async (sql: string, from = 0, to = 0) => {
      // An interrupt only stops a running statement: check between statements too.
      opts.signal?.throwIfAborted();
      await runWithProgress(conn, sql, opts.onProgress, from, to);
    };
    const headerError = (raw: readonly string[]) => {
      const names = raw.map((n, i) => n || `column${i + 1}`);
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      return dup ? { ...empty, status: 'error' as const, error: `column "${dup}" appears twice in the header` } : undefined;
    };

    // A plain file (plain-scan.ts) is staged by DuckDB straight from the user's file; any other goes
    // through the normalizing pass first, which costs several times DuckDB's own read.
    const plainHeader = await readPlainHeader(opts.file, PLAIN_MAX_LINE_BYTES);
    if (plainHeader) {
      const bad = headerError(plainHeader);
      if (bad) return bad;
    }
    if (plainHeader) {
      // The common case, a plain file whose rows all pass: one COPY straight from the file.
      const direct = await convertPlainDirect(conn, opts, source, plainHeader.map((n, i) => n || `column${i + 1}`));
      if (direct) return direct;
    }
    // A scan the caller shares (opts.scan) may have said "not plain" already (it interrupted the direct
    // path): staging from the file would then read it whole for nothing, the interrupt coming before
    // the read starts.
    const notPlain = scanned !== undefined && !scanned.plain;
    let norm: StagedSource | undefined = plainHeader && !notPlain ? await stagePlain(conn, run, opts, plainHeader.map((n, i) => n || `column${i + 1}`)) : undefined;
    const plainStaged = norm !== undefined;
    if (!norm) {
      const normalized = join(opts.scratchDir, `${opts.outputName}.normalized.csv`);
      const preRejects = join(opts.scratchDir, `${opts.outputName}.pre-rejects.csv`);
      try {
        // Canonical CSV is UTF-8 (a UTF-16 file is recognised by its byte-order mark and converted).
        norm = await normalizeCsv(opts.file, normalized, preRejects, {
          ...CANONICAL_READ,
          // DuckDB's date reader takes `epoch`, `infinity` and `today` too: only ISO text is a date here.
          fieldRules: opts.table.columns
            .filter((c) => c.sqlType === 'DATE')
            .map((c) => ({ column: c.name, valid: (v: string) => ISO_DATE_TEXT.test(v), reason: 'not a valid DATE' })),
          signal: opts.signal,
          onProgress: opts.onProgress && ((done, total) => opts.onProgress!(total ? (0.3 * done) / total : 0.3)),
        });
      } catch (e) {
        opts.signal?.throwIfAborted();
        if (e instanceof DialectError) {
          const msg = e.message === 'the file is empty' || /^no header row found/.test(e.message) ? 'file is empty (expected a header line)' : e.message;
          return { ...empty, status: 'error', error: msg };
        }
        throw e;
      }
      const bad = headerError(norm.rawHeader);
      if (bad) return bad;
      await run(stageSql(normalized, norm.rawHeader.map((n, i) => n || `column${i + 1}`), opts.table), 0.3, 0.75);
      await run(preRejectsSql(preRejects));
    }

    const names = norm.rawHeader.map((n, i) => n || `column${i + 1}`);
    const known = new Set(opts.table.columns.map((c) => c.name));
    const warnings = names.filter((n) => !known.has(n)).map((n) => `ignoring unknown column "${n}"`);
    if (norm.blankLines) warnings.push(`skipped ${norm.blankLines} blank line(s)`);
    if (norm.dataLines > norm.rows) warnings.push(`${norm.dataLines - norm.rows} line break(s) inside quoted values (${norm.rows} rows on ${norm.dataLines} lines)`);
    const missingRequired = opts.table.columns.filter((c) => c.required && !names.includes(c.name)).map((c) => c.name);

    await run(failuresSql(rowChecks(opts.table, missingRequired, opts.dateWindow)));
    const keyMissing = missingRequired.some((c) => opts.table.key.includes(c));
    if (!keyMissing) await run(repeatedKeysSql(opts.table));
    if (!keyMissing && typedDocumentKey(opts.table) && !missingRequired.includes('document_type')) {
      const prior = (await opts.prior) ?? [];
      if (prior.length) await run(priorDocsSql(prior, 'src'));
      await run(typeConflictsSql(prior.length > 0, 'repeated_keys'));
    }
    if (!keyMissing) await run(duplicatesSql(opts.table, 'repeated_keys'));
    await run(quarantineSql(source, opts.table, names));
    // Rows that failed a check are quarantined rebuilt from their values; the file's own text of them
    // (quotes, columns the table does not know) is what `rejects --export` must hand back: read it
    // again from the file, only when rows failed.
    const rebuilt = (await conn.runAndReadAll('SELECT DISTINCT line FROM quarantine WHERE line NOT IN (SELECT line FROM pre_rejects) ORDER BY 1')).getRowObjectsJson();
    if (rebuilt.length) {
      const texts = join(opts.scratchDir, `${opts.outputName}.rejected-records.csv`);
      await writeRecordTexts((lines, onRecord) => recordTexts(opts.file, CANONICAL_READ, lines, onRecord), rebuilt.map((r) => Number(r.line)), texts);
      await run(`UPDATE quarantine SET raw_line = v.raw_line FROM (${recordTextsSql(texts)}) v WHERE quarantine.line = v.line`);
    }

    const counts = await one(
      conn,
      `SELECT (SELECT count(*) FROM src) AS staged, (SELECT count(DISTINCT rid) FROM fails) AS failed,
        (SELECT count(DISTINCT line) FROM rejects) AS rejected_lines`,
    );
    const staged = Number(counts.staged);
    const failed = Number(counts.failed);
    const rejectedLines = Number(counts.rejected_lines);
    if (staged + rejectedLines !== norm.rows) {
      // DuckDB must account for every normalized row; anything else would be a silent loss.
      throw new Error(`internal: ${norm.rows} rows normalized but ${staged} staged and ${rejectedLines} rejected by the reader`);
    }
    const badLines = rejectedLines + norm.rejected;

    const dataFile = join(opts.scratchDir, `${opts.outputName}.parquet`);
    const good = failed === 0 ? 'src' : `(SELECT s.* FROM (SELECT rowid AS rid, * FROM src) s ANTI JOIN (SELECT DISTINCT rid FROM fails) f ON s.rid = f.rid ORDER BY s.rid)`;
    await run(`COPY (SELECT ${canonicalSelectList(opts.table)} FROM ${good}) TO ${lit(dataFile)} (FORMAT parquet)`, 0.75, 1);

    let quarantineFile: string | undefined;
    if (failed + badLines > 0) {
      quarantineFile = join(opts.scratchDir, `${opts.outputName}.quarantine.parquet`);
      await run(`COPY quarantine TO ${lit(quarantineFile)} (FORMAT parquet)`);
    }
    opts.onProgress?.(1);
    return {
      status: 'converted',
      rowsRead: staged + badLines,
      rowsLoaded: staged - failed,
      rowsRejected: badLines + failed,
      sourceLines: norm.physicalLines,
      header: names,
      dataFile,
      quarantineFile,
      topReasons: await topReasons(conn),
      warnings,
      path: plainStaged ? 'staged' : 'normalized',
    };
  } catch (e) {
    opts.signal?.throwIfAborted();
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', interrupt);
    conn.closeSync();
    if (own) instance.closeSync();
  }
}

/**
 * The plain scan (plain-scan.ts) run beside a DuckDB read of the same file, on the other core. A file
 * found not plain early interrupts DuckDB's read instead of waiting for the whole file; `finished` gives
 * the scan's verdict once DuckDB's read ended, `abandon` stops the scan after DuckDB's read failed.
 * The scan is the caller's when it passed one (opts.scan), else started here.
 */
function scanBesideDuckDb(conn: DuckDBConnection, opts: ConvertOptions) {
  const stop = new AbortController();
  let reading = true;
  const scan = opts.scan ?? scanPlainCsv(opts.file, { maxLineBytes: PLAIN_MAX_LINE_BYTES, fields: plainScanFields(opts.table), signal: opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal });
  scan.then(
    (r) => (!r.plain && reading ? conn.interrupt() : undefined),
    () => (reading ? conn.interrupt() : undefined),
  );
  return {
    finished: () => {
      reading = false;
      return scan;
    },
    abandon: async () => {
      reading = false;
      opts.signal?.throwIfAborted();
      // A scan the caller runs (opts.scan) is the caller's to await: it also hashes the file.
      if (opts.scan) return;
      stop.abort();
      await scan.catch(() => undefined);
    },
  };
}

/**
 * A plain file whose rows all pass, converted by ONE DuckDB statement from the user's file to the
 * batch's Parquet (sql.ts plainDirectSql) while the plain scan checks the file on the other core:
 * no staged copy of the file, no separate check scan, no line numbers. What it wrote is kept only
 * when nothing needs a quarantine: DuckDB read every line (a line it cannot read fails the
 * statement), every date and amount it read typed had the text form for which that reading is exact
 * (the scan's formsPlain), every data line the scan counted was written (so every row passed every
 * check), no key repeats (proven by the scan's key hashes, else a distinct count of key hashes over
 * the written key column; a collision only sends the file to staging), and no document number is
 * held by an earlier batch as the other type. Otherwise it returns undefined with nothing left
 * behind, and the caller stages the file, which quarantines whatever failed with its line.
 */
async function convertPlainDirect(conn: DuckDBConnection, opts: ConvertOptions, source: string, names: readonly string[]): Promise<ConvertResult | undefined> {
  const table = opts.table;
  if (table.columns.some((c) => c.required && !names.includes(c.name))) return undefined;
  const dataFile = join(opts.scratchDir, `${opts.outputName}.parquet`);
  const scan = scanBesideDuckDb(conn, opts);
  const fallBack = async () => {
    for (const t of ['rejects', 'rejects_scan', 'prior_docs']) await conn.run(`DROP TABLE IF EXISTS ${t}`);
    await rm(dataFile, { force: true });
    return undefined;
  };
  let written: number;
  try {
    opts.signal?.throwIfAborted();
    const sql = plainDirectSql(opts.file, names, table, rowChecks(table, [], opts.dateWindow, 'scanned'), PLAIN_DUCKDB_LINE, dataFile);
    const result = await withoutBackgroundPurge(conn, () => runWithProgress(conn, sql, opts.onProgress, 0, 0.95));
    written = Number((await result.getRowsJson())[0]?.[0] ?? -1);
  } catch {
    await scan.abandon();
    return fallBack();
  }
  const found = await scan.finished();
  // DuckDB read dates and amounts typed: its output stands only when every such value was in the
  // form for which that reading is exact (field-watch.ts).
  if (!found.plain || !found.formsPlain || written !== found.dataLines) return fallBack();
  // Keys the scan proved distinct (its hash set of every line's key) need no second read; otherwise
  // DuckDB counts the written key column's distinct hashes.
  const keys = found.keysUnique ? undefined : table.key.map(q).join(', ');
  const check = await one(
    conn,
    `SELECT count(*) AS n, ${keys ? `count(DISTINCT hash(${keys}))` : 'count(*)'} AS distinct_keys FROM read_parquet(${lit(dataFile)})`,
  );
  if (Number(check.n) !== written || Number(check.distinct_keys) !== written) return fallBack();
  if (typedDocumentKey(table)) {
    const prior = (await opts.prior) ?? [];
    if (prior.length) {
      await conn.run(priorDocsSql(prior, `read_parquet(${lit(dataFile)})`));
      const c = await one(conn, `SELECT count(*) AS n FROM read_parquet(${lit(dataFile)}) s JOIN prior_docs p USING (document_id) WHERE s.document_type <> p.document_type`);
      if (Number(c.n) !== 0) return fallBack();
      await conn.run('DROP TABLE prior_docs');
    }
  }
  opts.onProgress?.(1);
  const known = new Set(table.columns.map((c) => c.name));
  return {
    status: 'converted',
    rowsRead: written,
    rowsLoaded: written,
    rowsRejected: 0,
    sourceLines: found.physicalLines,
    header: found.header.map((n, i) => n || `column${i + 1}`),
    dataFile,
    topReasons: [],
    warnings: found.header.map((n, i) => n || `column${i + 1}`).filter((n) => !known.has(n)).map((n) => `ignoring unknown column "${n}"`),
    path: 'direct',
  };
}

/**
 * Runs `work` with DuckDB's background purge of its allocator off, then restores the setting. Under a
 * memory limit every instance purges in the background (resources.ts ALLOCATOR_UNDER_A_LIMIT), which
 * keeps a build's retained memory down; the direct conversion, though, only streams the file to
 * Parquet (a few read buffers and row groups at a time: about 0.45 GB RSS for 4M invoices under a 2 GB
 * limit), and there the purge only handed back pages that the next buffers faulted in again: 3.21
 * against 3.08 CPU-s for the statement over 4M invoices (medians of four, interleaved). The flush
 * thresholds stay, so freed memory still goes back to the system past 16 MiB a thread.
 */
async function withoutBackgroundPurge<T>(conn: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  const on = (await one(conn, `SELECT current_setting('allocator_background_threads') AS purge`)).purge === true;
  if (!on) return work();
  await conn.run('SET allocator_background_threads = false');
  try {
    return await work();
  } finally {
    await conn.run('SET allocator_background_threads = true');
  }
}

/**
 * What the plain scan watches for the direct conversion: the table's key (proven distinct in the scan,
 * so the written key column is not read again) and the forms of the DATE and DECIMAL(18,2) columns,
 * which the direct conversion then reads typed (DuckDB's own date and decimal readers, about 1.3
 * CPU-s less on 4M invoices than reading them as text and checking and casting the text in SQL).
 */
export function plainScanFields(table: TableDef): FieldWatchSpec {
  const forms: Record<string, FieldForm> = {};
  for (const c of table.columns) {
    const form = SCANNED_FORMS[c.sqlType];
    if (form) forms[c.name] = form;
  }
  return { keyColumns: table.key, forms };
}

/** What staging established about the source: the normalizing pass's accounting, or the plain scan's. */
type StagedSource = Pick<NormalizeResult, 'rawHeader' | 'rows' | 'rejected' | 'blankLines' | 'dataLines' | 'physicalLines'>;

/** Longest line a plain file may have (the normalizing pass takes records of up to 1M characters). */
export const PLAIN_MAX_LINE_BYTES = 1 << 20;

/**
 * Stages a plain file (plain-scan.ts) with DuckDB reading the user's file directly while the scan
 * checks, side by side on the other core, that the file is plain. Returns undefined, with nothing left
 * staged, when it is not, or when DuckDB's strict reader saw it differently than the scan (a reject,
 * a line count that differs, a typed value not in its plain form): the caller then normalizes.
 */
async function stagePlain(
  conn: DuckDBConnection,
  run: (sql: string, from?: number, to?: number) => Promise<void>,
  opts: ConvertOptions,
  names: readonly string[],
): Promise<StagedSource | undefined> {
  const scan = scanBesideDuckDb(conn, opts);
  const discard = async () => {
    for (const t of ['src', 'rejects', 'rejects_scan']) await conn.run(`DROP TABLE IF EXISTS ${t}`);
  };
  try {
    await run(plainStageSql(opts.file, names, opts.table, PLAIN_DUCKDB_LINE), 0, 0.75);
  } catch {
    await scan.abandon();
    await discard();
    return undefined;
  }
  const found = await scan.finished();
  const check = found.plain
    ? await one(conn, `SELECT count(*) AS n, count(*) FILTER (WHERE NOT "__plain") AS odd, (SELECT count(*) FROM rejects) AS rejected FROM src`)
    : undefined;
  if (!found.plain || !check || Number(check.n) !== found.dataLines || Number(check.odd) !== 0 || Number(check.rejected) !== 0) {
    await discard();
    return undefined;
  }
  await run(`CREATE TEMP TABLE pre_rejects (line BIGINT, column_name VARCHAR, reason VARCHAR, detail VARCHAR, raw VARCHAR)`);
  return { rawHeader: found.header, rows: found.dataLines, rejected: 0, blankLines: 0, dataLines: found.dataLines, physicalLines: found.physicalLines };
}

/** DuckDB's own default max_line_size (its read buffers are 16 times this). */
const PLAIN_DUCKDB_LINE = 2_097_152;

/** The DuckDB instance convertCsv runs on (created per call unless the caller shares one). */
export function convertInstance(tempDirectory: string, threads?: number, memoryLimit?: string): Promise<DuckDBInstance> {
  return createInstance(':memory:', { tempDirectory, threads, memoryLimit });
}

async function one(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  const reader = await conn.runAndReadAll(sql);
  return (reader.getRowObjectsJson()[0] ?? {}) as Record<string, unknown>;
}

async function topReasons(conn: DuckDBConnection): Promise<ReasonCount[]> {
  const reader = await conn.runAndReadAll(`
    SELECT reason, column_name, count(DISTINCT line) AS n, min(line) AS line,
      arg_min(detail, line) AS detail, any_value(source_file) AS file
    FROM quarantine GROUP BY reason, column_name ORDER BY n DESC, reason, column_name LIMIT ${TOP_REASONS}`);
  return (reader.getRowObjectsJson() as Record<string, string | null>[]).map((r) => ({
    reason: String(r.reason),
    column: r.column_name ?? '',
    rows: Number(r.n),
    sample: { file: String(r.file), line: Number(r.line), column: r.column_name ?? '', detail: r.detail ?? '' },
  }));
}

/**
 * Runs one statement, reporting DuckDB's own query progress mapped onto [from, to] of the whole job.
 * Polling the connection's progress from the event loop works because the statement runs on DuckDB's
 * threads while we await it.
 */
async function runWithProgress(
  conn: DuckDBConnection,
  sql: string,
  onProgress: ((f: number) => void) | undefined,
  from: number,
  to: number,
): Promise<DuckDBMaterializedResult> {
  if (!onProgress || to <= from) return conn.run(sql);
  const timer = setInterval(() => {
    const pct = conn.progress.percentage;
    if (pct >= 0) onProgress(from + ((to - from) * Math.min(pct, 100)) / 100);
  }, 200);
  let result: DuckDBMaterializedResult;
  try {
    result = await conn.run(sql);
  } finally {
    clearInterval(timer);
  }
  onProgress(to);
  return result;
}
