import { dateWindow } from '../../config/plausible-dates.js';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { EXIT, UsageError, line, type CliIO } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { openLakeStore } from '../../lake/open-store.js';
import { ingestMapped, type MappedFileResult, type MappedIngestResult, type PrepareSource } from '../../feeds/ingest-mapped.js';
import { IngestUsageError, type IngestProgress } from '../../feeds/ingest-files.js';
import { MappingError } from '../../feeds/mapping/compile.js';
import { loadMapping } from '../../feeds/mapping/load.js';
import { prepareCsv } from '../../feeds/mapping/prepare.js';
import { DELIMITERS, ENCODINGS, type Mapping } from '../../feeds/mapping/schema.js';
import { prepareXlsx } from '../../feeds/xlsx/prepare.js';
import { einvoiceMapping, looksLikeXml, prepareEInvoice } from '../../feeds/ubl/prepare.js';
import { failureLine } from './ingest-failures.js';
import { isMappedIngest, mappedOptions, MAPPED_USAGE } from './ingest-mapped-usage.js';
import { isIsoDate } from '../../schema/index.js';
import { printJson } from '../json-output.js';

/**
 * The non-canonical side of `creditlake ingest`: `--mapping <preset|file>` for ERP exports (CSV or
 * xlsx), and files or folders of e-invoices recognised by content when neither --table nor --mapping
 * is given. Returns undefined when the arguments are a plain canonical ingest (`--table`), which the
 * ingest command then handles as before.
 */

function withOverrides(m: Mapping, v: { sheet?: string; delimiter?: string; encoding?: string; 'date-format'?: string; decimal?: string }): Mapping {
  const source = { ...m.source };
  if (v.sheet) source.sheet = v.sheet;
  if (v.delimiter) {
    const d = v.delimiter === 'tab' || v.delimiter === '\\t' ? '\t' : v.delimiter;
    if (d !== 'auto' && !(DELIMITERS as readonly string[]).includes(d)) throw new UsageError(`--delimiter must be one of ; , tab | auto`);
    source.delimiter = d as Mapping['source']['delimiter'];
  }
  if (v.encoding) {
    if (!(ENCODINGS as readonly string[]).includes(v.encoding)) throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}`);
    source.encoding = v.encoding as Mapping['source']['encoding'];
  }
  if (v['date-format']) source.date_format = v['date-format'];
  if (v.decimal) {
    if (v.decimal !== ',' && v.decimal !== '.' && v.decimal !== 'auto') throw new UsageError('--decimal must be , or . or auto');
    source.decimal = v.decimal;
  }
  return { ...m, source };
}

/**
 * Files of the given folders (recursively, sorted), and the given files as they are. A symlink in a
 * folder is followed only when it resolves inside that folder (a link to a file beside it, a
 * sub-folder); one pointing outside, or dangling, is reported in `notes`, never followed or dropped
 * silently. Each real folder is walked once, so a link loop ends.
 */
export async function expandPaths(paths: string[], cwd: string, notes: string[] = []): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
  const walk = async (dir: string, root: string): Promise<void> => {
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isSymbolicLink()) {
        const target = await realpath(p).catch(() => undefined);
        if (!target) {
          notes.push(`skipped ${relative(cwd, p) || p}: a symlink whose target does not exist`);
          continue;
        }
        if (!inside(root, target)) {
          notes.push(`skipped ${relative(cwd, p) || p}: a symlink to ${target}, outside the folder given (name that file itself to ingest it)`);
          continue;
        }
        const s = await stat(target);
        if (s.isDirectory()) await walk(p, root);
        else if (s.isFile()) out.push(p);
      } else if (e.isDirectory()) await walk(p, root);
      else if (e.isFile()) out.push(p);
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const s = await stat(abs).catch(() => undefined);
    if (!s) throw new UsageError(`no such file or folder: ${p}`);
    if (s.isDirectory()) await walk(abs, await realpath(abs));
    else out.push(abs);
  }
  return out;
}

function progressReporter(io: CliIO): (p: IngestProgress) => void {
  let last = -1;
  if (io.stderr.isTTY) {
    return ({ file, fraction }) => {
      const p = Math.floor(fraction * 100);
      if (p === last) return;
      last = p;
      const done = Math.round((p / 100) * 30);
      io.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(30 - done)}] ${String(p).padStart(3)}% ${file}${p >= 100 ? '\r\x1b[K' : ''}`);
    };
  }
  // Not a terminal (logs, CI): one line per 10%, and only for a file that takes a while, so a long
  // ingest shows it is alive and a folder of small files stays quiet.
  let current = '';
  let started = 0;
  return ({ file, fraction }) => {
    if (file !== current) {
      current = file;
      started = Date.now();
      last = -1;
    }
    const p = Math.floor(fraction * 10) * 10;
    if (p === last || p === 0 || Date.now() - started < 2000) return;
    last = p;
    line(io.stderr, `ingest ${file}: ${p}%`);
  };
}

function describe(r: MappedFileResult, showPreview: boolean): string[] {
  const out = [`${r.file}: ${r.message}`];
  for (const n of r.notes) out.push(`  note: ${n}`);
  for (const t of r.tables) {
    const tag = t.skipped ? ' (already ingested)' : t.batchId ? ` (batch ${t.batchId})` : '';
    const replaced = t.versions?.replaced ? `, ${t.versions.replaced} earlier version${t.versions.replaced === 1 ? '' : 's'} replaced` : '';
    out.push(`  ${t.table}: ${t.rowsLoaded} loaded, ${t.rowsRejected} rejected${replaced}${tag}`);
    if (t.versions?.replaced) out.push(`    replaced (the new rows win), e.g. ${t.versions.examples.join('; ')}`);
    for (const x of t.topReasons.slice(0, 5)) {
      const s = x.sample;
      out.push(`    ${x.rows} × ${x.reason}${x.column ? ` [${x.column}]` : ''}: e.g. ${s.file} line ${s.line}${s.detail ? `: ${s.detail.replace(/\n/g, '\\n')}` : ''}`);
    }
    if (t.quarantineKey) out.push(`    rejected rows: ${t.quarantineKey}`);
    if (showPreview && t.preview) {
      if (t.preview.length) {
        const cols = Object.keys(t.preview[0]!);
        out.push(`    ${cols.join(' | ')}`);
        for (const row of t.preview) out.push(`    ${cols.map((c) => (row[c] === null ? '' : String(row[c]))).join(' | ')}`);
      } else out.push('    (no rows)');
      for (const q of t.rejectPreview ?? []) {
        out.push(`    rejected line ${q.line}${q.column_name ? ` [${q.column_name}]` : ''}: ${q.reason}${q.detail ? ` — ${q.detail}` : ''}`);
      }
    }
  }
  return out;
}

function report(result: MappedIngestResult, io: CliIO, json: boolean): number {
  if (json) printJson(io, result);
  else {
    for (const r of result.files) for (const l of describe(r, result.dryRun)) line(io.stdout, l);
    if (result.files.length > 1) {
      const sum = (k: 'linesLoaded' | 'linesRejected') => result.files.reduce((a, f) => a + f[k], 0);
      const errors = result.files.filter((f) => f.status === 'error').length;
      line(io.stdout, `total: ${result.files.length} files, ${sum('linesLoaded')} loaded, ${sum('linesRejected')} rejected${errors ? `, ${errors} unreadable` : ''}`);
    }
    const failures = failureLine(result.files, result.maxRejectRate);
    if (failures) line(io.stderr, failures);
  }
  return result.ok ? EXIT.OK : EXIT.FAILED;
}

export { MAPPED_USAGE };

export async function runMappedIngest(argv: string[], io: CliIO): Promise<number | undefined> {
  // Decide first, leniently, whether these arguments are ours, so options the canonical and feed
  // paths add later never trip over this parser.
  if (!isMappedIngest(argv)) return undefined;
  const { values, positionals } = parse(argv, mappedOptions, true);
  if (values.table && values.mapping) throw new UsageError('give --table (canonical CSV) or --mapping (ERP export), not both');
  if (positionals.length === 0) throw new UsageError('no files given');
  const { parseRate } = await import('./ingest.js');
  const maxRejectRate = values['max-reject-rate'] === undefined ? 0 : parseRate(values['max-reject-rate']);
  const previewRows = values.rows === undefined ? 10 : Number(values.rows);
  if (!Number.isInteger(previewRows) || previewRows < 0) throw new UsageError('--rows must be a whole number');
  const { config, lakeRoot } = configFrom(values, io);
  const asOf = values['as-of'];
  if (asOf !== undefined && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a date as YYYY-MM-DD, got "${asOf}"`);
  const walkNotes: string[] = [];
  const files = await expandPaths(positionals, io.cwd, walkNotes);
  for (const n of walkNotes) line(io.stderr, n);
  if (files.length === 0) throw new UsageError('no files found');

  let mapping: Mapping;
  let prepare: PrepareSource;
  if (values.mapping) {
    try {
      mapping = withOverrides(loadMapping(values.mapping, io.cwd), values);
    } catch (e) {
      if (e instanceof MappingError) throw new UsageError(e.message);
      throw e;
    }
    const m = mapping;
    prepare = (file, scratch, onProgress) =>
      m.source.format === 'xlsx' || extname(file).toLowerCase() === '.xlsx' ? prepareXlsx(m, file, scratch, onProgress) : prepareCsv(m, file, scratch, onProgress);
  } else {
    // A file named on the command line must be an e-invoice; one found in a folder need not be:
    // e-invoice inboxes routinely hold the PDF copy or a README beside the XML, so those are skipped.
    const named = new Set(positionals.map((p) => resolve(io.cwd, p)));
    const notXml: string[] = [];
    const skipped: string[] = [];
    for (const f of [...files]) {
      if (await looksLikeXml(f)) continue;
      if (named.has(f)) notXml.push(relative(io.cwd, f) || f);
      else {
        skipped.push(relative(io.cwd, f) || f);
        files.splice(files.indexOf(f), 1);
      }
    }
    if (skipped.length && !notXml.length) {
      line(io.stderr, `skipped ${skipped.length} file(s) in the folder(s) that are not XML: ${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ` and ${skipped.length - 3} more` : ''}`);
    }
    if (!notXml.length && files.length === 0) throw new UsageError('no e-invoices (XML files) found');
    if (notXml.length) {
      throw new UsageError(
        `${notXml.slice(0, 3).join(', ')}${notXml.length > 3 ? ` and ${notXml.length - 3} more` : ''}: not an e-invoice (XML); give --table <name> for canonical CSV or --mapping <preset> for an ERP export`,
      );
    }
    mapping = einvoiceMapping();
    prepare = (file, scratch) => prepareEInvoice(file, scratch);
  }
  let result: MappedIngestResult;
  try {
    result = await ingestMapped({
      store: await openLakeStore(lakeRoot),
      mapping,
      files,
      prepare,
      maxRejectRate,
      dryRun: values['dry-run'],
      previewRows,
      asOf,
      mappingRef: values.mapping,
      threads: config.duckdb.threads,
      memoryLimit: config.duckdb.memory_limit,
      dateWindow: dateWindow(config.plausible_dates),
      onProgress: values.json ? undefined : progressReporter(io),
    });
  } catch (e) {
    if (e instanceof IngestUsageError) throw new UsageError(e.message);
    throw e;
  }
  for (const r of result.files) r.file = relative(io.cwd, r.file) || r.file;
  return report(result, io, Boolean(values.json));
}
