import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { commitBatch, findManifest, manifestKey } from '../lake/commit-batch.js';
import { batchId, isoDay, lakePaths } from '../lake/layout.js';
import { LocalLakeStore } from '../lake/local-store.js';
import { scratchPrefix, sweepLeftovers } from '../lake/sweep.js';
import type { BatchManifest } from '../lake/manifest.js';
import { toKey, type LakeStore } from '../lake/store.js';
import type { Row } from '../warehouse/engine.js';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBEngine } from '../warehouse/duckdb/duckdb-engine.js';
import { DUCKDB_ERROR, withoutSql } from '../warehouse/duckdb/error-text.js';
import { convertInstance } from './canonical-csv/convert.js';
import type { ReasonCount } from './canonical-csv/convert.js';
import { DialectError } from './csv-dialect/sniff.js';
import { IngestUsageError, pct, replacedVersions, sha256File, type IngestProgress, type IngestRunOptions } from './ingest-files.js';
import { priorBatches, type PriorBatch, type VersionReport } from './prior-versions.js';
import { MappingError } from './mapping/compile.js';
import type { Mapping } from './mapping/schema.js';
import { mappingForFile } from './mapping/snapshot.js';
import { stageMapped, type NormalizedSource } from './mapping/stage.js';

/**
 * Ingest of files that are not in the canonical layout: each file is first turned into a normalized
 * source (CSV dialect, xlsx or e-invoice reader), mapped inside DuckDB, checked with the canonical
 * ingest's rules, and committed with the same batch protocol (one batch and manifest per file and
 * table). The manifest key is the hash of the file's content AND the mapping, so the same file read
 * with a corrected mapping is a new batch, and the same file with the same mapping is a no-op.
 */

export type PrepareSource = (file: string, scratchDir: string, onProgress?: (fraction: number) => void) => Promise<NormalizedSource>;

export interface MappedIngestOptions extends IngestRunOptions {
  mapping: Mapping;
  prepare: PrepareSource;
  /** Map and check, report the first rows and rejects, write nothing to the lake. */
  dryRun?: boolean;
  previewRows?: number;
  /** Snapshot date of open-item exports whose mapping maps no snapshot_date column (`ingest --as-of`). */
  asOf?: string;
  /** The `--mapping` as given (a preset name or a file path), recorded for `rejects --export`; default the mapping's name. */
  mappingRef?: string;
}

export interface MappedTableResult {
  table: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  topReasons: ReasonCount[];
  batchId?: string;
  dataKey?: string;
  quarantineKey?: string | null;
  manifestKey?: string;
  skipped?: boolean;
  /** Earlier versions of this table's keys that the file's rows replace in the warehouse. */
  versions?: VersionReport;
  preview?: Row[];
  rejectPreview?: Row[];
}

export interface MappedFileResult {
  file: string;
  status: 'loaded' | 'skipped' | 'error' | 'dry-run';
  message: string;
  sha256: string;
  sizeBytes: number;
  linesRead: number;
  linesLoaded: number;
  linesRejected: number;
  /** Lines no table wanted (the mapping's `where` filters), neither loaded nor rejected. */
  linesSkipped: number;
  /** CSV: lines of the file counted apart from the parser (see FileIngestResult.sourceLines). */
  sourceLines?: number;
  rejectRate: number;
  failed: boolean;
  notes: string[];
  tables: MappedTableResult[];
}

export interface MappedIngestResult {
  mapping: string;
  lake: string;
  dryRun: boolean;
  maxRejectRate: number;
  files: MappedFileResult[];
  ok: boolean;
}

export function batchKey(fileSha: string, mapping: Mapping): string {
  return createHash('sha256').update(`${fileSha}\n${JSON.stringify(mapping)}`).digest('hex');
}

export async function ingestMapped(opts: MappedIngestOptions): Promise<MappedIngestResult> {
  const store = opts.store ?? new LocalLakeStore(opts.lakeRoot ?? 'lake');
  const maxRejectRate = opts.maxRejectRate ?? 0;
  if (!(maxRejectRate >= 0 && maxRejectRate <= 1)) throw new IngestUsageError(`max reject rate must be between 0 and 1, got ${maxRejectRate}`);
  if (opts.files.length === 0) throw new IngestUsageError('no files to ingest');
  for (const f of opts.files) {
    const s = await stat(f).catch(() => undefined);
    if (!s?.isFile()) throw new IngestUsageError(`no such file: ${f}`);
  }
  sweepLeftovers(store, opts.scratchDir);
  const files: MappedFileResult[] = [];
  // One DuckDB instance for the run, a connection (own temp tables) per file.
  const shared = await mkdtemp(join(opts.scratchDir ?? tmpdir(), scratchPrefix('duckdb')));
  const instance = await convertInstance(shared, opts.threads, opts.memoryLimit);
  try {
    for (const file of opts.files) files.push(await ingestOne(file, store, maxRejectRate, opts, instance));
  } finally {
    instance.closeSync();
    await rm(shared, { recursive: true, force: true });
  }
  return {
    mapping: opts.mapping.name,
    lake: store.location,
    dryRun: Boolean(opts.dryRun),
    maxRejectRate,
    files,
    ok: files.every((f) => !f.failed),
  };
}

async function ingestOne(file: string, store: LakeStore, maxRejectRate: number, opts: MappedIngestOptions, instance: DuckDBInstance): Promise<MappedFileResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const sizeBytes = (await stat(file)).size;
  const sha256 = await sha256File(file);
  const base = { file, sha256, sizeBytes, notes: [] as string[] };
  let resolved: ReturnType<typeof mappingForFile>;
  try {
    resolved = mappingForFile(opts.mapping, file, opts.asOf);
  } catch (e) {
    if (!(e instanceof MappingError)) throw e;
    return { ...base, status: 'error', message: e.message, linesRead: 0, linesLoaded: 0, linesRejected: 0, linesSkipped: 0, rejectRate: 0, failed: true, tables: [] };
  }
  const mapping = resolved.mapping;
  if (resolved.snapshot && resolved.snapshot.from !== 'column') base.notes.push(`open-item snapshot of ${resolved.snapshot.date} (date from ${resolved.snapshot.from === 'as-of' ? '--as-of' : 'the file name'})`);
  const key = batchKey(sha256, mapping);
  const tableNames = Object.keys(mapping.tables);
  const progress = (fraction: number) => opts.onProgress?.({ file, fraction });

  const existing = opts.dryRun ? [] : await Promise.all(tableNames.map((t) => findManifest(store, t, key)));
  if (!opts.dryRun && existing.every(Boolean)) {
    const m = existing[0]!;
    // The batch stands, and so does its verdict: a file whose first run broke the reject limit fails
    // again (same message, same exit code) until the limit or the file changes.
    const rejectRate = priorRejectRate(existing as BatchManifest[]);
    const failed = rejectRate > maxRejectRate;
    const lines = m.source_lines;
    return {
      ...base,
      status: 'skipped',
      message:
        `already ingested with mapping ${mapping.name} as batch ${m.batch_id} on ${m.ingest_date}` +
        (lines ? ` (${lines.loaded} loaded, ${lines.rejected} rejected of ${lines.read} source rows)` : '') +
        (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : '; nothing to do'),
      linesRead: 0,
      linesLoaded: 0,
      linesRejected: 0,
      linesSkipped: 0,
      rejectRate: failed ? rejectRate : 0,
      failed,
      tables: tableNames.map((t, i) => ({
        table: t, rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, topReasons: failed ? existing[i]!.top_reasons : [], skipped: true, batchId: existing[i]!.batch_id,
        ...(failed && existing[i]!.quarantine_key ? { quarantineKey: existing[i]!.quarantine_key } : {}),
      })),
    };
  }

  const id = batchId(started, key);
  const ingestDate = isoDay(started);
  const scratch = await mkdtemp(join(opts.scratchDir ?? tmpdir(), scratchPrefix('mapped')));
  let engine: DuckDBEngine | undefined;
  try {
    const source = await opts.prepare(file, scratch, (f) => progress(f * 0.5));
    engine = await DuckDBEngine.connect(instance);
    // Each table's earlier batches, read once: a document number they hold as the other type is
    // refused, and the versions this file replaces are reported.
    const priors = new Map<string, Promise<readonly PriorBatch[]>>();
    const prior = (t: string) => {
      if (!priors.has(t)) priors.set(t, priorBatches(store, t, scratch, key));
      return priors.get(t)!;
    };
    const staged = await stageMapped(engine, mapping, source, {
      prior,
      scratchDir: scratch,
      outputName: (t) => `${t}-${id}`,
      dryRun: opts.dryRun,
      previewRows: opts.previewRows,
      onProgress: (f) => progress(0.5 + f * 0.5),
      dateWindow: opts.dateWindow,
    });
    await engine.close();
    engine = undefined;
    const rejectRate = staged.linesRead === 0 ? 0 : staged.linesRejected / staged.linesRead;
    const failed = rejectRate > maxRejectRate;
    const tables: MappedTableResult[] = [];
    for (const [i, t] of staged.tables.entries()) {
      const name = t.table.name;
      const r: MappedTableResult = {
        table: name,
        rowsRead: t.rowsRead,
        rowsLoaded: t.rowsLoaded,
        rowsRejected: t.rowsRejected,
        topReasons: t.topReasons,
        preview: t.preview,
        rejectPreview: t.rejectPreview,
      };
      if (!opts.dryRun && existing[i]) {
        r.skipped = true;
        r.batchId = existing[i]!.batch_id;
      } else if (!opts.dryRun && t.dataFile) {
        r.versions = await replacedVersions(instance, t.table, t.dataFile, await prior(name));
        const manifest: BatchManifest = {
          format_version: 1,
          batch_id: id,
          table: name,
          source_file: basename(file),
          sha256: key,
          size_bytes: sizeBytes,
          rows_read: t.rowsRead,
          rows_loaded: t.rowsLoaded,
          rows_rejected: t.rowsRejected,
          top_reasons: t.topReasons,
          ingest_date: ingestDate,
          started_at: started.toISOString(),
          finished_at: now().toISOString(),
          data_key: toKey(lakePaths.rawBatchFile(name, ingestDate, id)),
          quarantine_key: t.quarantineFile ? toKey(lakePaths.quarantineFile(name, id)) : null,
          source_lines: { read: staged.linesRead, loaded: staged.linesLoaded, rejected: staged.linesRejected },
          ...(source.layout
            ? {
                source_layout: {
                  ...source.layout,
                  mapping: opts.mappingRef ? basename(opts.mappingRef) : mapping.name,
                  ...(resolved.snapshot && resolved.snapshot.from !== 'column' ? { as_of: resolved.snapshot.date } : {}),
                },
              }
            : {}),
        };
        // Tables an earlier attempt at this file committed keep their batch (roll forward).
        const { manifest: m, written } = await commitBatch(store, manifest, { dataFile: t.dataFile, quarantineFile: t.quarantineFile }, { now: now() });
        Object.assign(r, { batchId: m.batch_id, dataKey: m.data_key, quarantineKey: m.quarantine_key, manifestKey: manifestKey(name, key) });
        if (!written) r.skipped = true;
      }
      tables.push(r);
    }
    const skipped = staged.linesRead - staged.linesLoaded - staged.linesRejected;
    const replaced = tables.reduce((a, t) => a + (t.versions?.replaced ?? 0), 0);
    return {
      ...base,
      status: opts.dryRun ? 'dry-run' : 'loaded',
      message:
        `${staged.linesLoaded} loaded, ${staged.linesRejected} rejected${skipped ? `, ${skipped} skipped by the mapping's filters` : ''} of ${staged.linesRead} source rows` +
        (replaced ? `, ${replaced} earlier version${replaced === 1 ? '' : 's'} of rows replaced` : '') +
        (opts.dryRun ? ' (dry run: nothing written)' : '') +
        (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : ''),
      linesRead: staged.linesRead,
      sourceLines: source.physicalLines,
      linesLoaded: staged.linesLoaded,
      linesRejected: staged.linesRejected,
      linesSkipped: skipped,
      rejectRate,
      failed,
      notes: [...base.notes, ...staged.notes],
      tables,
    };
  } catch (e) {
    if (e instanceof DialectError || e instanceof MappingError) {
      return { ...base, status: 'error', message: `${basename(file)}: ${e.message}`, linesRead: 0, linesLoaded: 0, linesRejected: 0, linesSkipped: 0, rejectRate: 0, failed: true, tables: [] };
    }
    if (/Out of Memory Error/.test((e as Error).message)) {
      const message = `${basename(file)}: DuckDB ran out of memory (memory_limit ${opts.memoryLimit ?? 'default'}); raise duckdb.memory_limit or lower duckdb.threads in creditlake.config.json. Nothing was committed.`;
      return { ...base, status: 'error', message, linesRead: 0, linesLoaded: 0, linesRejected: 0, linesSkipped: 0, rejectRate: 0, failed: true, tables: [] };
    }
    if (DUCKDB_ERROR.test((e as Error).message)) {
      // One file DuckDB cannot stage must not end a multi-file run (nor print the generated SQL).
      const message = `${basename(file)}: could not be staged: ${withoutSql((e as Error).message).slice(0, 400)}. Nothing was committed for this file.`;
      return { ...base, status: 'error', message, linesRead: 0, linesLoaded: 0, linesRejected: 0, linesSkipped: 0, rejectRate: 0, failed: true, tables: [] };
    }
    throw e;
  } finally {
    if (engine) await engine.close().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The reject rate an earlier run of a mapped file had: over its source lines, as the limit was applied
 * then; a lake written before the lines were recorded gives the worst table's rate instead.
 */
export function priorRejectRate(manifests: readonly BatchManifest[]): number {
  const lines = manifests.find((m) => m.source_lines)?.source_lines;
  if (lines) return lines.read === 0 ? 0 : lines.rejected / lines.read;
  return Math.max(0, ...manifests.map((m) => (m.rows_read === 0 ? 0 : m.rows_rejected / m.rows_read)));
}
