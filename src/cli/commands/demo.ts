import { dateWindow } from '../../config/plausible-dates.js';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { formatRows } from '../format.js';
import { generateLedger } from '../../generator/index.js';
import { ingestFiles } from '../../feeds/ingest-files.js';
import { buildWarehouse } from '../../warehouse/build.js';
import { lakePaths } from '../../lake/layout.js';
import { CANONICAL_TABLES } from '../../schema/index.js';
import { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import type { QueryResult } from '../../warehouse/engine.js';
import { serveUntilStopped } from '../serve-until-stopped.js';
import { printJson } from '../json-output.js';

const usage = `Usage: creditlake demo [--customers N] [--months M] [--seed S] [--out DIR] [--lake DIR] [--json]
                       [--serve | --no-serve] [--port N]

Runs the whole embedded pipeline on a generated ledger: generate → ingest → build (with data tests)
→ summary of DSO over the last 6 months and aging at the last month end → the dashboards' URL.
In a terminal it then serves the dashboards until Ctrl-C (--no-serve to stop after the summary);
otherwise it prints the \`creditlake serve\` command and URL and exits.

  --customers N   customers to generate (default 2000)
  --months M      months of history (default 24)
  --seed S        generator seed (default 42)
  --out DIR       where the generated CSVs go (default ./demo-data)
  --lake DIR      lake folder (default from creditlake.config.json, else ./lake)
  --port N        dashboards port on 127.0.0.1 (default 8765)`;

const DEFAULT_PORT = 8765;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number, got "${v}"`);
  return n;
}

/** A value as a shell word, quoted only when it needs to be. */
function shellWord(v: string): string {
  return /^[\w./:=@%+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The flags the suggested follow-up commands need to reach the lake (and port) this demo used:
 * without them `creditlake query` or `serve` would look at ./lake and port 8765 instead.
 */
export function followUpFlags(values: { lake?: string; config?: string }, port?: number): string {
  let flags = '';
  if (values.config !== undefined) flags += ` --config ${shellWord(values.config)}`;
  if (values.lake !== undefined) flags += ` --lake ${shellWord(values.lake)}`;
  if (port !== undefined && port !== DEFAULT_PORT && port !== 0) flags += ` --port ${port}`;
  return flags;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export const demoCommand: Command = {
  name: 'demo',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parse(argv, {
      customers: { type: 'string' },
      months: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      serve: { type: 'boolean' },
      'no-serve': { type: 'boolean' },
      port: { type: 'string' },
    });
    if (values.serve && values['no-serve']) throw new UsageError('give --serve or --no-serve, not both');
    const serve = values.serve ?? (!values['no-serve'] && !values.json && Boolean(io.stdout.isTTY));
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${values.port}"`);
    const customers = positiveInt('customers', values.customers, 2000);
    const months = positiveInt('months', values.months, 24);
    const seed = values.seed ?? '42';
    const outDir = resolve(io.cwd, values.out ?? 'demo-data');
    const { config, lakeRoot } = configFrom(values, io);
    const say = (text: string) => line(values.json ? io.stderr : io.stdout, text);
    const t0 = performance.now();

    say(`1/4 generate: ${customers} customers, ${months} months, seed ${seed} → ${relative(io.cwd, outDir) || '.'}`);
    const gen = await generateLedger({ customers, months, seed, outDir });
    say(`    ${Object.entries(gen.rows).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')} (${seconds(gen.elapsedMs)})`);

    say(`2/4 ingest into ${relative(io.cwd, lakeRoot) || '.'}`);
    const ingested: Record<string, { loaded: number; rejected: number; skipped: boolean }> = {};
    for (const table of CANONICAL_TABLES) {
      const file = join(outDir, `${table.name}.csv`);
      if (!existsSync(file)) continue;
      const t1 = performance.now();
      const res = await ingestFiles({ lakeRoot, table, files: [file], threads: config.duckdb.threads, memoryLimit: config.duckdb.memory_limit, dateWindow: dateWindow(config.plausible_dates) });
      const f = res.files[0]!;
      ingested[table.name] = { loaded: res.rowsLoaded, rejected: res.rowsRejected, skipped: f.status === 'skipped' };
      say(`    ${table.name}: ${f.status === 'skipped' ? 'already ingested (no change)' : `${res.rowsLoaded.toLocaleString('en')} loaded, ${res.rowsRejected} rejected`} (${seconds(performance.now() - t1)})`);
      if (!res.ok) {
        line(io.stderr, `creditlake demo: ingest of ${table.name} failed: ${f.message}`);
        return EXIT.FAILED;
      }
    }

    say('3/4 build models and run data tests');
    const build = await buildWarehouse({ lakeRoot, config });
    const failed = build.tests.filter((t) => !t.ok);
    say(`    ${build.models.length} models, ${build.tests.length - failed.length}/${build.tests.length} data tests passed (${seconds(build.totalMs)})`);
    if (!build.ok) {
      for (const t of failed) line(io.stderr, `    FAILED ${t.name}`);
      return EXIT.FAILED;
    }

    const summary = await summarise(join(lakeRoot, lakePaths.warehouseDb()));
    if (values.json) {
      printJson(io, { generate: gen, ingested, build: { models: build.models.length, tests: build.tests.length, ms: build.totalMs }, dso: summary.dso.rows, aging: summary.aging.rows });
    } else {
      say('4/4 summary (all customers, reporting currency)');
      say('\nDSO, last 6 months');
      io.stdout.write(formatRows('table', summary.dso.columns, summary.dso.rows));
      say(`\nAging at ${String(summary.aging.rows[0]?.as_of_date ?? 'n/a')}`);
      io.stdout.write(formatRows('table', summary.aging.columns, summary.aging.rows));
      say(`\nDone in ${seconds(performance.now() - t0)}. Explore with:`);
      say('  npx creditlake tables');
      say(`  npx creditlake query${followUpFlags(values)} "SELECT * FROM dso_monthly WHERE segment = 'ALL' ORDER BY month DESC LIMIT 12"`);
    }
    if (!serve) {
      say(`\nDashboards: npx creditlake serve${followUpFlags(values, port)}   →   http://127.0.0.1:${port === 0 ? DEFAULT_PORT : port}/`);
      return EXIT.OK;
    }
    return serveUntilStopped({
      command: 'demo',
      lakeRoot,
      port,
      config,
      io,
      out: values.json ? io.stderr : io.stdout,
      announce: (url) => `\nDashboards: ${url}   (Ctrl-C to stop)`,
    });
  },
};

async function summarise(dbPath: string): Promise<{ dso: QueryResult; aging: QueryResult }> {
  const engine = await DuckDBEngine.open({ path: dbPath, readOnly: true });
  try {
    const dso = await engine.query(`
      SELECT strftime(month, '%Y-%m') AS month, credit_sales, ar_end, CAST(round(dso, 1) AS DECIMAL(9,1)) AS dso, CAST(round(dso_countback, 1) AS DECIMAL(9,1)) AS dso_countback,
             CAST(round(bpdso, 1) AS DECIMAL(9,1)) AS bpdso, CAST(round(avg_days_delinquent, 1) AS DECIMAL(9,1)) AS add, CAST(round(cei, 1) AS DECIMAL(9,1)) AS cei,
             CAST(round(pct_current, 1) AS DECIMAL(9,1)) AS pct_current
      FROM (SELECT * FROM dso_monthly WHERE segment = 'ALL' ORDER BY month DESC LIMIT 6) t
      ORDER BY 1`);
    const aging = await engine.query(`
      SELECT as_of_date, bucket, open_count, open_amount,
             -- a debit bucket's share of the debit balances (unapplied cash and credit balances: none)
             CAST(round(pct_of_debit_ar, 1) AS DECIMAL(9,1)) AS pct_of_debit_ar
      FROM ar_aging
      WHERE segment = 'ALL' AND as_of_date = (SELECT max(as_of_date) FROM ar_aging)
      ORDER BY bucket_order`);
    return { dso, aging };
  } finally {
    await engine.close();
  }
}
