import { extname } from 'node:path';
import { ingestCreditReports } from '../feeds/credit-report/ingest.js';
import type { ReasonCount } from '../feeds/canonical-csv/convert.js';
import { ingestFiles, type FileIngestResult } from '../feeds/ingest-files.js';
import { ingestMapped, type MappedFileResult, type PrepareSource } from '../feeds/ingest-mapped.js';
import { loadPreset, presetNames } from '../feeds/mapping/load.js';
import { prepareCsv } from '../feeds/mapping/prepare.js';
import type { Mapping } from '../feeds/mapping/schema.js';
import { einvoiceMapping, looksLikeXml, prepareEInvoice } from '../feeds/ubl/prepare.js';
import { prepareXlsx } from '../feeds/xlsx/prepare.js';
import type { DateWindow } from '../config/plausible-dates.js';
import type { LakeStore } from '../lake/store.js';
import type { DropRoute } from './s3-event.js';

/**
 * One dropped file through the ingest its landing prefix names, with the same core code as
 * `creditlake ingest` (canonical CSV, `--mapping`, e-invoices, `--feed credit-report`), and the
 * outcome in one shape for logging, the build request and the handler's answer.
 */

export interface DropIngestOptions {
  store: LakeStore;
  /** The downloaded file. */
  file: string;
  scratchDir: string;
  maxRejectRate: number;
  threads?: number;
  memoryLimit?: string;
  /** Dates a row may carry (the deployed config's `plausible_dates`); default as `creditlake ingest`. */
  dateWindow?: DateWindow;
}

export interface DropResult {
  /** The canonical table, `mapped:<preset>`, `einvoice` or `credit-report`. */
  feed: string;
  status: 'loaded' | 'skipped' | 'error';
  /** Reject rate over the limit, or nothing usable in the file. */
  failed: boolean;
  message: string;
  sha256?: string;
  batchId?: string;
  /** Tables this file wrote batches to (or had written them before, when skipped). */
  tables: string[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  topReasons: ReasonCount[];
  dataKeys: string[];
  quarantineKeys: string[];
  warnings: string[];
}

export class UnknownPresetError extends Error {}

const keysOf = (xs: readonly (string | null | undefined)[]) => xs.filter((x): x is string => Boolean(x));

function fromFileResult(feed: string, tables: string[], f: FileIngestResult): DropResult {
  return {
    feed,
    status: f.status,
    failed: f.failed,
    message: f.message,
    sha256: f.sha256,
    batchId: f.batchId,
    tables: f.status === 'error' ? [] : tables,
    rowsRead: f.rowsRead,
    rowsLoaded: f.rowsLoaded,
    rowsRejected: f.rowsRejected,
    topReasons: f.topReasons,
    dataKeys: keysOf([f.dataKey]),
    quarantineKeys: keysOf([f.quarantineKey]),
    warnings: f.warnings,
  };
}

function fromMappedResult(feed: string, f: MappedFileResult): DropResult {
  const status = f.status === 'dry-run' ? 'loaded' : f.status;
  return {
    feed,
    status,
    failed: f.failed,
    message: f.message,
    sha256: f.sha256,
    // One file is one batch id across the tables it feeds (see ingest-mapped.ts).
    batchId: f.tables.find((t) => t.batchId)?.batchId,
    tables: f.tables.map((t) => t.table),
    rowsRead: f.linesRead,
    rowsLoaded: f.linesLoaded,
    rowsRejected: f.linesRejected,
    topReasons: f.tables.flatMap((t) => t.topReasons).sort((a, b) => b.rows - a.rows),
    dataKeys: keysOf(f.tables.map((t) => t.dataKey)),
    quarantineKeys: keysOf(f.tables.map((t) => t.quarantineKey)),
    warnings: f.notes,
  };
}

const errorResult = (feed: string, message: string): DropResult => ({
  feed, status: 'error', failed: true, message, tables: [], rowsRead: 0, rowsLoaded: 0, rowsRejected: 0,
  topReasons: [], dataKeys: [], quarantineKeys: [], warnings: [],
});

/** A shipped preset by the name of its landing folder; never a path (the name comes from an object key). */
export function presetForDrop(name: string): Mapping {
  if (!presetNames().includes(name)) {
    throw new UnknownPresetError(`unknown mapping preset "${name}" in mapped/${name}/; presets: ${presetNames().join(', ')}`);
  }
  return loadPreset(name);
}

async function runMapped(opts: DropIngestOptions, feed: string, mapping: Mapping, prepare: PrepareSource, asOf?: string): Promise<DropResult> {
  const r = await ingestMapped({
    store: opts.store,
    mapping,
    asOf,
    files: [opts.file],
    prepare,
    maxRejectRate: opts.maxRejectRate,
    scratchDir: opts.scratchDir,
    threads: opts.threads,
    memoryLimit: opts.memoryLimit,
    dateWindow: opts.dateWindow,
  });
  return fromMappedResult(feed, r.files[0]!);
}

export async function ingestDrop(route: DropRoute, opts: DropIngestOptions): Promise<DropResult> {
  switch (route.feed) {
    case 'table': {
      const r = await ingestFiles({
        store: opts.store,
        table: route.table,
        files: [opts.file],
        maxRejectRate: opts.maxRejectRate,
        scratchDir: opts.scratchDir,
        threads: opts.threads,
        memoryLimit: opts.memoryLimit,
        dateWindow: opts.dateWindow,
      });
      return fromFileResult(route.table, [route.table], r.files[0]!);
    }
    case 'mapped': {
      const feed = `mapped:${route.preset}`;
      let mapping: Mapping;
      try {
        mapping = presetForDrop(route.preset);
        if (route.sheet) mapping = { ...mapping, source: { ...mapping.source, sheet: route.sheet } };
      } catch (e) {
        if (e instanceof UnknownPresetError) return errorResult(feed, e.message);
        throw e;
      }
      const xlsx = mapping.source.format === 'xlsx' || extname(opts.file).toLowerCase() === '.xlsx';
      const r = await runMapped(opts, feed, mapping, (file, scratch) => (xlsx ? prepareXlsx(mapping, file, scratch) : prepareCsv(mapping, file, scratch)), route.snapshotDate);
      // The CLI's --sheet, as a folder: say so when a workbook did not fit the preset.
      if (r.status === 'error' && xlsx && !route.sheet) r.message += `; to read another sheet, drop the workbook under mapped/${route.preset}/sheet=<name>/`;
      return r;
    }
    case 'einvoice':
      if (!(await looksLikeXml(opts.file))) return errorResult('einvoice', 'not an e-invoice (XML): drop UBL, Peppol BIS, SI-UBL or CII documents here');
      return runMapped(opts, 'einvoice', einvoiceMapping(), (file, scratch) => prepareEInvoice(file, scratch));
    case 'credit-report': {
      const r = await ingestCreditReports({ store: opts.store, files: [opts.file], maxRejectRate: opts.maxRejectRate, scratchDir: opts.scratchDir });
      const f = r.files[0]!;
      // One file feeds up to four tables; its feed manifest lists them.
      const feedManifest = f.status === 'loaded' && f.manifestKey ? await opts.store.readText(f.manifestKey) : undefined;
      const tables = feedManifest ? Object.keys((JSON.parse(feedManifest) as { tables: Record<string, string> }).tables) : [];
      return fromFileResult('credit-report', tables, f);
    }
  }
}
