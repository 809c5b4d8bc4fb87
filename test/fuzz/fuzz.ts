import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCreditReports } from '../../src/feeds/credit-report/ingest.js';
import { ingestFiles, type FileIngestResult } from '../../src/feeds/ingest-files.js';
import { ingestMapped, type MappedFileResult } from '../../src/feeds/ingest-mapped.js';
import { loadPreset } from '../../src/feeds/mapping/load.js';
import { prepareCsv } from '../../src/feeds/mapping/prepare.js';
import type { Mapping } from '../../src/feeds/mapping/schema.js';
import { einvoiceMapping, prepareEInvoice } from '../../src/feeds/ubl/prepare.js';
import { prepareXlsx } from '../../src/feeds/xlsx/prepare.js';
import { inlineRows, xlsx } from '../support/zip-writer.js';
import { Rng, mutateStructured, mutateText, mutateValues, type Mutation } from './mutate.js';

/**
 * The fuzz suite of issue 10: mutated canonical CSV, ERP exports, xlsx workbooks, UBL e-invoices and
 * credit-report JSON go through the real ingest functions, many files per call (one DuckDB instance
 * per call, as a multi-file ingest runs). Every file must end one of two ways:
 *
 * - read: loaded + rejected (+ skipped by the mapping's filters) = rows read, and for CSV the line
 *   count the ingest reports equals the harness's own count of the raw bytes;
 * - refused as a whole with one clear line (no stack trace, no internal error, no generated SQL).
 *
 * Anything else (a thrown error, a broken invariant, a message that is not clear) is a failure.
 */

export const FUZZ_PATHS = ['canonical', 'erp', 'xlsx', 'ubl', 'json'] as const;
export type FuzzPath = (typeof FUZZ_PATHS)[number];

export interface PathFigures {
  cases: number;
  /** Files read, with loaded + rejected = rows read (and CSV line counts matching the raw bytes). */
  invariantHeld: number;
  /** Files refused as a whole with one clear line. */
  clearErrors: number;
  failures: number;
  rowsRead: number;
  rowsRejected: number;
  ms: number;
}

export interface FuzzFailure {
  path: FuzzPath;
  case: number;
  mutations: string[];
  problem: string;
  /** Where the mutated file was kept (when `keepFailures` is set). */
  file?: string;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  paths: Record<FuzzPath, PathFigures>;
  failures: FuzzFailure[];
  ms: number;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Files per ingest call. */
  batch?: number;
  /** Copy failing files here. */
  keepFailures?: string;
  /** After each batch, with the figures so far (a long run can be followed, or cut short, with them). */
  onProgress?: (done: number, total: number, figures: Readonly<Record<FuzzPath, PathFigures>>) => void;
  paths?: readonly FuzzPath[];
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = join(ROOT, 'test/fixtures');
/** Share of the cases per path: weighted to the cheap paths so 2,000 cases fit in `npm test`. */
const SHARE: Record<FuzzPath, number> = { canonical: 0.45, erp: 0.25, xlsx: 0.15, ubl: 0.05, json: 0.1 };

// ---------------------------------------------------------------- seeds

function canonicalSeeds(): { table: string; text: string }[] {
  const rng = new Rng('fuzz-canonical-seeds');
  const inv = ['document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date'];
  for (let i = 1; i <= 30; i++) {
    const credit = i % 9 === 0;
    const amt = `${credit ? '-' : ''}${rng.int(1, 90_000)}.${String(rng.int(0, 99)).padStart(2, '0')}`;
    inv.push(`INV${i},C${rng.int(1, 12)},${credit ? 'credit_note' : 'invoice'},2024-0${rng.int(1, 9)}-1${rng.int(0, 9)},2024-1${rng.int(0, 2)}-2${rng.int(0, 8)},EUR,${amt},${rng.chance(0.5) ? '2024-12-30' : ''}`);
  }
  const cust = ['customer_id,name,kvk_number,vat_number,country,sbi_code,segment,size_class,credit_limit,currency,payment_terms_days'];
  for (let i = 1; i <= 20; i++) {
    cust.push(`C${i},"Klant ${i}, B.V.",${10_000_000 + i},NL00${i}B01,NL,4120,${rng.pick(['enterprise', 'mid_market', 'small_business'])},${rng.pick(['large', 'medium', 'small', 'micro'])},${rng.int(0, 50_000)}.00,EUR,${rng.pick([14, 30, 60])}`);
  }
  const pay = ['payment_id,customer_id,payment_date,amount,currency'];
  for (let i = 1; i <= 25; i++) pay.push(`P${i},C${rng.int(1, 12)},2024-0${rng.int(1, 9)}-0${rng.int(1, 9)},${rng.int(1, 9_000)}.${String(rng.int(0, 99)).padStart(2, '0')},EUR`);
  return [
    { table: 'invoices', text: `${inv.join('\n')}\n` },
    { table: 'customers', text: `${cust.join('\n')}\n` },
    { table: 'payments', text: `${pay.join('\n')}\n` },
  ];
}

interface ErpSeed {
  name: string;
  mapping: Mapping;
  text: string;
  encoding: BufferEncoding;
  delimiter: string;
}

function erpSeeds(): ErpSeed[] {
  const seed = (preset: string, file: string, encoding: BufferEncoding, delimiter: string): ErpSeed => ({
    name: preset,
    mapping: loadPreset(preset),
    text: readFileSync(join(FIX, 'erp', file)).toString(encoding),
    encoding,
    delimiter,
  });
  return [
    seed('exact-online-receivables', 'exact-online-receivables.csv', 'latin1', ';'),
    seed('afas-debtor-open-items', 'afas-debtor-open-items.csv', 'utf8', ';'),
    seed('sap-fbl5n', 'sap-fbl5n.txt', 'latin1', '\t'),
    seed('twinfield-transactions', 'twinfield-transactions.csv', 'utf8', ','),
    seed('erpnext-sales-invoice', 'erpnext-sales-invoice.csv', 'utf8', ','),
    seed('erpnext-payment-entry', 'erpnext-payment-entry.csv', 'utf8', ','),
  ];
}

const XLSX_HEADER = ['AccountCode', 'AccountName', 'InvoiceNumber', 'InvoiceDate', 'DueDate', 'CurrencyCode', 'Amount', 'AmountInTransit', 'Description', 'EntryNumber', 'JournalCode', 'YourRef'];

function xlsxSeedXml(): string {
  const rows = [XLSX_HEADER];
  for (let i = 1; i <= 20; i++) rows.push([`${1000 + (i % 5)}`, `Klant ${i % 5}`, `${2024000 + i}`, `${String((i % 27) + 1).padStart(2, '0')}-01-2024`, '28-02-2024', 'EUR', `${i * 10}.25`, '0.00', `regel ${i}`, `${i}`, '70', `PO-${i}`]);
  return inlineRows(rows);
}

function ublSeeds(): string[] {
  return ['peppol/peppol-bis3_base-example.xml', 'peppol/peppol-bis3_base-creditnote-correction.xml', 'si-ubl/SI-UBL-2.0_ok_full.xml', 'peppol/peppol-bis3_Allowance-example.xml'].map((f) => readFileSync(join(FIX, 'ubl', f), 'utf8'));
}

// ---------------------------------------------------------------- checks

const UNCLEAR = [/\n\s+at /, /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/, /Cannot read propert/, /is not a function/, /undefined is not/, /^internal:/m, /LINE \d+:/, /\bSELECT\b[\s\S]*\bFROM\b/];

export function clearMessage(message: string): string | undefined {
  if (!message.trim()) return 'empty message';
  if (message.length > 800) return `message of ${message.length} characters`;
  for (const re of UNCLEAR) if (re.test(message)) return `unclear message (${re}): ${message.slice(0, 300)}`;
  return undefined;
}

/** Physical lines of a CSV file counted from the raw bytes, apart from the ingest's own parser. */
export function countLines(bytes: Buffer): number {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  else text = bytes.toString('latin1');
  if (!text.length) return 0;
  const sample = text.slice(0, 64 * 1024);
  const brk = !sample.includes('\n') && sample.includes('\r') ? '\r' : '\n';
  let n = 0;
  for (let i = text.indexOf(brk); i >= 0; i = text.indexOf(brk, i + 1)) n++;
  return n + (text.endsWith(brk) ? 0 : 1);
}

interface Case {
  path: FuzzPath;
  index: number;
  file: string;
  mutation: Mutation;
  /** canonical: table; erp: seed name. */
  group: string;
}

function emptyFigures(): PathFigures {
  return { cases: 0, invariantHeld: 0, clearErrors: 0, failures: 0, rowsRead: 0, rowsRejected: 0, ms: 0 };
}

function judgeCsvCanonical(c: Case, r: FileIngestResult): string | undefined {
  if (r.status === 'error') return clearMessage(r.message);
  if (r.status === 'skipped') return undefined;
  if (r.rowsLoaded + r.rowsRejected !== r.rowsRead) return `loaded ${r.rowsLoaded} + rejected ${r.rowsRejected} ≠ read ${r.rowsRead}`;
  const lines = countLines(c.mutation.bytes);
  if (r.sourceLines !== lines) return `the ingest counted ${r.sourceLines} lines, the raw file has ${lines}`;
  return undefined;
}

function judgeMapped(c: Case, r: MappedFileResult, csv: boolean): string | undefined {
  if (r.status === 'error') return clearMessage(r.message);
  if (r.linesLoaded + r.linesRejected + r.linesSkipped !== r.linesRead) {
    return `loaded ${r.linesLoaded} + rejected ${r.linesRejected} + skipped ${r.linesSkipped} ≠ read ${r.linesRead}`;
  }
  for (const t of r.tables) {
    if (t.rowsLoaded + t.rowsRejected !== t.rowsRead) return `${t.table}: loaded ${t.rowsLoaded} + rejected ${t.rowsRejected} ≠ read ${t.rowsRead}`;
  }
  if (csv) {
    const lines = countLines(c.mutation.bytes);
    if (r.sourceLines !== lines) return `the ingest counted ${r.sourceLines} lines, the raw file has ${lines}`;
  }
  if (c.path === 'ubl' && r.linesRead !== 1) return `an e-invoice is one source row, read ${r.linesRead}`;
  return undefined;
}

// ---------------------------------------------------------------- runner

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const batch = opts.batch ?? 100;
  const work = mkdtempSync(join(tmpdir(), 'creditlake-fuzz-'));
  const paths = opts.paths ?? FUZZ_PATHS;
  const figures = Object.fromEntries(FUZZ_PATHS.map((p) => [p, emptyFigures()])) as Record<FuzzPath, PathFigures>;
  const failures: FuzzFailure[] = [];
  const totalShare = paths.reduce((a, p) => a + SHARE[p], 0);
  const counts = paths.map((p) => Math.round((opts.cases * SHARE[p]) / totalShare));
  counts[0]! += opts.cases - counts.reduce((a, b) => a + b, 0);
  let done = 0;

  const canonical = canonicalSeeds();
  const erp = erpSeeds();
  const sheet = xlsxSeedXml();
  const ubl = ublSeeds();
  const json = readFileSync(join(FIX, 'credit-reports/creditsafe-reports.json'), 'utf8');
  const exact = loadPreset('exact-online-receivables');
  const einvoice = einvoiceMapping();

  const fail = (c: Case, problem: string) => {
    figures[c.path].failures++;
    const f: FuzzFailure = { path: c.path, case: c.index, mutations: c.mutation.applied, problem };
    if (opts.keepFailures) {
      mkdirSync(opts.keepFailures, { recursive: true });
      f.file = join(opts.keepFailures, `${c.path}-${opts.seed}-${c.index}-${basename(c.file)}`);
      writeFileSync(f.file, c.mutation.bytes);
    }
    failures.push(f);
  };
  const judge = (c: Case, problem: string | undefined, read: { status: string; rows: number; rejected: number }) => {
    const fig = figures[c.path];
    if (problem) return fail(c, problem);
    if (read.status === 'error') fig.clearErrors++;
    else fig.invariantHeld++;
    fig.rowsRead += read.rows;
    fig.rowsRejected += read.rejected;
  };

  /** Runs a batch; when the call itself throws, each file again on its own to name the culprit. */
  async function inBatches(cases: Case[], run: (cs: Case[]) => Promise<void>): Promise<void> {
    for (let i = 0; i < cases.length; i += batch) {
      const cs = cases.slice(i, i + batch);
      try {
        await run(cs);
      } catch {
        for (const c of cs) {
          try {
            await run([c]);
          } catch (e) {
            fail(c, `threw: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e)}`);
          }
        }
      }
      done += cs.length;
      opts.onProgress?.(done, opts.cases, figures);
    }
  }

  try {
    for (const [pi, path] of paths.entries()) {
      const n = counts[pi]!;
      const t0 = performance.now();
      const dir = join(work, path);
      mkdirSync(dir, { recursive: true });
      const rng = new Rng('fuzz', opts.seed, path);
      const cases: Case[] = [];
      for (let i = 0; i < n; i++) {
        let mutation: Mutation;
        let group = path as string;
        let ext = 'csv';
        if (path === 'canonical') {
          const s = canonical[i % canonical.length]!;
          group = s.table;
          mutation = mutateText(s.text, rng, ',');
        } else if (path === 'erp') {
          const s = erp[i % erp.length]!;
          group = s.name;
          mutation = mutateText(s.text, rng, s.delimiter, s.encoding);
          ext = s.name === 'sap-fbl5n' ? 'txt' : 'csv';
        } else if (path === 'xlsx') {
          ext = 'xlsx';
          const mode = rng.next();
          if (mode < 0.5) {
            const m = mutateValues(sheet, rng);
            mutation = { bytes: xlsx(m.bytes.toString('utf8')), applied: m.applied };
          } else if (mode < 0.8) {
            const m = mutateStructured(sheet, rng);
            mutation = { bytes: xlsx(m.bytes.toString('utf8')), applied: m.applied };
          } else {
            const b = Buffer.from(xlsx(sheet));
            const flips = rng.int(1, 6);
            for (let k = 0; k < flips; k++) b[rng.int(0, b.length - 1)] = rng.int(0, 255);
            mutation = { bytes: b, applied: [`zipByteFlips×${flips}`] };
          }
        } else if (path === 'ubl') {
          ext = 'xml';
          mutation = mutateStructured(ubl[i % ubl.length]!, rng);
        } else {
          ext = 'json';
          mutation = mutateStructured(json, rng);
        }
        const file = join(dir, `${group}-${i}.${ext}`);
        writeFileSync(file, mutation.bytes);
        cases.push({ path, index: i, file, mutation, group });
      }
      figures[path].cases = n;

      if (path === 'canonical') {
        for (const table of new Set(cases.map((c) => c.group))) {
          await inBatches(cases.filter((c) => c.group === table), async (cs) => {
            const lake = mkdtempSync(join(work, 'lake-'));
            const r = await ingestFiles({ lakeRoot: lake, table, files: cs.map((c) => c.file), maxRejectRate: 1, threads: 1 });
            cs.forEach((c, k) => {
              const f = r.files[k]!;
              judge(c, judgeCsvCanonical(c, f), { status: f.status, rows: f.rowsRead, rejected: f.rowsRejected });
            });
            rmSync(lake, { recursive: true, force: true });
          });
        }
      } else if (path === 'erp' || path === 'xlsx' || path === 'ubl') {
        const groups = path === 'erp' ? erp.map((e) => e.name) : [path];
        for (const g of groups) {
          const seed = erp.find((e) => e.name === g);
          const mapping = path === 'erp' ? seed!.mapping : path === 'xlsx' ? exact : einvoice;
          await inBatches(cases.filter((c) => c.group === g), async (cs) => {
            const r = await ingestMapped({
              lakeRoot: join(work, 'lake-mapped'),
              mapping,
              files: cs.map((c) => c.file),
              prepare: (f, s) => (path === 'xlsx' ? prepareXlsx(mapping, f, s) : path === 'ubl' ? prepareEInvoice(f, s) : prepareCsv(mapping, f, s)),
              dryRun: true,
              maxRejectRate: 1,
              threads: 1,
              asOf: '2024-03-01',
              previewRows: 0,
            });
            cs.forEach((c, k) => {
              const f = r.files[k]!;
              judge(c, judgeMapped(c, f, path === 'erp'), { status: f.status, rows: f.linesRead, rejected: f.linesRejected });
            });
          });
        }
      } else {
        await inBatches(cases, async (cs) => {
          const lake = mkdtempSync(join(work, 'lake-'));
          const r = await ingestCreditReports({ lakeRoot: lake, files: cs.map((c) => c.file), maxRejectRate: 1, scratchDir: work });
          cs.forEach((c, k) => {
            const f = r.files[k]!;
            const problem =
              f.status === 'error' ? clearMessage(f.message) : f.rowsLoaded + f.rowsRejected !== f.rowsRead ? `loaded ${f.rowsLoaded} + rejected ${f.rowsRejected} ≠ read ${f.rowsRead}` : undefined;
            judge(c, problem, { status: f.status, rows: f.rowsRead, rejected: f.rowsRejected });
          });
          rmSync(lake, { recursive: true, force: true });
        });
      }
      figures[path].ms = Math.round(performance.now() - t0);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { seed: opts.seed, cases: opts.cases, paths: figures, failures, ms: Math.round(performance.now() - started) };
}

export function formatReport(r: FuzzReport): string {
  const head = ['path', 'cases', 'invariant held', 'clear whole-file errors', 'failures', 'rows read', 'rows rejected', 'seconds'];
  const rows = FUZZ_PATHS.filter((p) => r.paths[p].cases > 0).map((p) => {
    const f = r.paths[p];
    return [p, f.cases, f.invariantHeld, f.clearErrors, f.failures, f.rowsRead, f.rowsRejected, (f.ms / 1000).toFixed(1)].map(String);
  });
  const sum = (k: keyof PathFigures) => FUZZ_PATHS.reduce((a, p) => a + r.paths[p][k], 0);
  rows.push(['all', sum('cases'), sum('invariantHeld'), sum('clearErrors'), sum('failures'), sum('rowsRead'), sum('rowsRejected'), (r.ms / 1000).toFixed(1)].map(String));
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  const out = [`fuzz seed ${r.seed}: ${r.cases} cases`, fmt(head), ...rows.map(fmt)];
  for (const f of r.failures.slice(0, 20)) out.push(`FAIL ${f.path} case ${f.case} [${f.mutations.join(', ')}]: ${f.problem}${f.file ? ` (${f.file})` : ''}`);
  if (r.failures.length > 20) out.push(`… and ${r.failures.length - 20} more failures`);
  return out.join('\n');
}
