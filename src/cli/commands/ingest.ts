import { dateWindow } from '../../config/plausible-dates.js';
import { resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { ingestFiles, IngestUsageError, type FileIngestResult, type IngestProgress } from '../../feeds/ingest-files.js';
import { CANONICAL_TABLES } from '../../schema/index.js';
import { failureLine } from './ingest-failures.js';
import { isMappedIngest, MAPPED_USAGE } from './ingest-mapped-usage.js';
import { openLakeStore } from '../../lake/open-store.js';
import { printJson } from '../json-output.js';
import { warehouseStale } from '../../lake/staleness.js';

const FEEDS = ['credit-report', 'fx-rates', 'bank-statements'];

const usage = `Usage: creditlake ingest <file…> --table <name> [--max-reject-rate R] [--lake DIR] [--json]
       creditlake ingest --feed credit-report <file…> [--max-reject-rate R] [--lake DIR] [--json]
       creditlake ingest --feed fx-rates <file…> [--max-reject-rate R] [--lake DIR] [--json]
       creditlake ingest --feed bank-statements <file…> [--max-reject-rate R] [--lake DIR] [--json]

Validates canonical CSV files inside DuckDB and commits each as one batch to the lake:
good rows to raw/<table>/ingest_date=YYYY-MM-DD/<batch>.parquet, rejected rows (with file, line,
column and reason) to quarantine/<table>/<batch>.parquet, and a manifest keyed by the file's
content hash, so ingesting the same file again changes nothing.

Options:
  --table <name>          ${CANONICAL_TABLES.map((t) => t.name).join(', ')}
  --feed credit-report    credit reports instead of a canonical table: Creditsafe-style JSON (one
                          report, an array or NDJSON), Graydon-style CSV, or the canonical
                          companies / company_identifiers / credit_reports / insolvency_events CSVs
  --feed fx-rates         exchange rates into fx_rates: the ECB reference-rate CSV (eurofxref-hist.csv:
                          Date,USD,JPY,… per EUR; crossed into the reporting currency when that is not
                          EUR) or canonical rate_date,currency,rate (units per 1 reporting-currency unit)
  --feed bank-statements  bank statements into payments: ISO 20022 CAMT.053 (camt.053.001.02 and later,
                          as ING, Rabobank and ABN AMRO deliver it) or MT940 (ING, Rabobank, ABN AMRO
                          dialects). Credits load as receipts with remittance information, payer IBAN and
                          name, creditor reference and bank reference; \`build\` identifies the payer and
                          matches them to open invoices (marts bank_receipts, payment_matching). Debits and
                          reversals are left out (counted in the result): they are not customer receipts
  --max-reject-rate <R>   highest acceptable share of rejected rows per file, 0..1 or a percentage
                          such as 2%; default 0 (any reject fails)
  --lake <dir>            lake folder (default from creditlake.config.json, else ./lake)
  --json                  machine-readable result on stdout
  --build                 run \`creditlake build\` after a successful ingest (without it the warehouse
                          is stale until the next build, and ingest says so)

Exit codes: 0 ok (or already ingested), 1 a file's reject rate exceeds the limit or a file is
unreadable (empty, no header), 2 usage error (unknown table, missing file).
${MAPPED_USAGE}`;

export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const rate = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(rate >= 0 && rate <= 1)) throw new UsageError(`--max-reject-rate must be a fraction 0..1 or a percentage, got "${text}"`);
  return rate;
}

/** A one-line progress bar redrawn in place; only for a terminal, never in logs or pipes. */
function progressBar(io: CliIO): ((p: IngestProgress) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  let last = -1;
  return ({ file, fraction }) => {
    const p = Math.floor(fraction * 100);
    if (p === last) return;
    last = p;
    const width = 30;
    const done = Math.round((p / 100) * width);
    io.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${String(p).padStart(3)}% ${file}${p >= 100 ? '\r\x1b[K' : ''}`);
  };
}

function describe(r: FileIngestResult): string[] {
  const out = [`${r.file}: ${r.message}${r.batchId && r.status === 'loaded' ? ` (batch ${r.batchId})` : ''}`];
  for (const w of r.warnings) out.push(`  warning: ${w}`);
  if (r.versions?.replaced) out.push(`  replaced earlier versions (the new rows win), e.g. ${r.versions.examples.join('; ')}`);
  for (const t of r.topReasons) {
    const s = t.sample;
    const where = `${s.file} line ${s.line}${s.column ? `, column ${s.column}` : ''}`;
    out.push(`  ${t.rows} × ${t.reason}${t.column ? ` [${t.column}]` : ''}: e.g. ${where}${s.detail ? `: ${s.detail.replace(/\n/g, '\\n')}` : ''}`);
  }
  if (r.quarantineKey) out.push(`  rejected rows: ${r.quarantineKey}`);
  return out;
}

export const ingestCommand: Command = {
  name: 'ingest',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    // --build: ingest, then build (issue 11); without it, say the marts do not include the data yet.
    const build = argv.includes('--build');
    const rest = argv.filter((a) => a !== '--build');
    const code = await ingestOnly(rest, io);
    if (code !== EXIT.OK) return code;
    const lakeFlags = lakeArgs(rest);
    if (build) return (await import('./build.js')).buildCommand.run([...lakeFlags, ...(rest.includes('--json') ? ['--json'] : [])], io);
    if (!rest.includes('--json')) {
      const { lakeRoot } = configFrom(parse(lakeFlags, {}).values, io);
      const s = warehouseStale(lakeRoot);
      if (s?.stale) {
        line(io.stderr, s.built
          ? 'note: the warehouse is stale until `creditlake build` (or ingest with --build): marts and dashboards do not include this data yet'
          : 'note: no warehouse yet: run `creditlake build` (or ingest with --build) to build the marts');
      }
    }
    return code;
  },
};

/** The --lake/--config flags of an argv, for the build that follows an ingest. */
function lakeArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--lake' || a === '--config') out.push(a, argv[++i] ?? '');
    else if (a.startsWith('--lake=') || a.startsWith('--config=')) out.push(a);
  }
  return out;
}

async function ingestOnly(argv: string[], io: CliIO): Promise<number> {
  {
    // The mapped side (ERP exports, e-invoices) and the other feeds are loaded only when asked for:
    // a canonical ingest then starts without their code.
    if (isMappedIngest(argv)) {
      const mapped = await (await import('./ingest-mapped.js')).runMappedIngest(argv, io);
      if (mapped !== undefined) return mapped;
    }
    const { values, positionals } = parse(argv, { table: { type: 'string' }, feed: { type: 'string' }, 'max-reject-rate': { type: 'string' } }, true);
    if (values.feed !== undefined && !FEEDS.includes(values.feed)) throw new UsageError(`unknown feed "${values.feed}" (known: ${FEEDS.join(', ')})`);
    if (values.feed && values.table) throw new UsageError('give --table or --feed, not both');
    if (!values.table && !values.feed) throw new UsageError('--table is required');
    if (positionals.length === 0) throw new UsageError('no files given');
    const maxRejectRate = values['max-reject-rate'] === undefined ? 0 : parseRate(values['max-reject-rate']);
    const { config, lakeRoot } = configFrom(values, io);
    let result;
    try {
      const store = await openLakeStore(lakeRoot);
      result = values.feed === 'bank-statements' ? await (await import('../../feeds/bank-statements/ingest.js')).ingestBankStatements({
        store,
        files: positionals.map((f) => resolve(io.cwd, f)),
        maxRejectRate,
      }) : values.feed === 'fx-rates' ? await (await import('../../feeds/fx-rates/ingest.js')).ingestFxRates({
        store,
        files: positionals.map((f) => resolve(io.cwd, f)),
        reportingCurrency: config.reporting_currency,
        maxRejectRate,
      }) : values.feed ? await (await import('../../feeds/credit-report/ingest.js')).ingestCreditReports({
        store,
        files: positionals.map((f) => resolve(io.cwd, f)),
        maxRejectRate,
      }) : await ingestFiles({
        store,
        table: values.table!,
        files: positionals.map((f) => resolve(io.cwd, f)),
        maxRejectRate,
        threads: config.duckdb.threads,
        memoryLimit: config.duckdb.memory_limit,
        dateWindow: dateWindow(config.plausible_dates),
        onProgress: values.json ? undefined : progressBar(io),
      });
    } catch (e) {
      if (e instanceof IngestUsageError) throw new UsageError(e.message);
      throw e;
    }
    // Report paths as the user typed them.
    result.files.forEach((r, i) => (r.file = positionals[i]!));
    if (values.json) {
      printJson(io, result);
    } else {
      for (const r of result.files) for (const l of describe(r)) line(io.stdout, l);
      if (result.files.length > 1) {
        line(io.stdout, `total: ${result.rowsLoaded} loaded, ${result.rowsRejected} rejected of ${result.rowsRead} read`);
      }
      const failures = failureLine(result.files, maxRejectRate);
      if (failures) line(io.stderr, failures);
    }
    return result.ok ? EXIT.OK : EXIT.FAILED;
  }
}
