/**
 * `npm run bench -- --invoices N` (issue 16): generates a ledger of about N invoices, ingests and
 * builds it, and prints side by side, every step a whole process (the CLI as a user runs it):
 *   1. DuckDB's own COPY of invoices.csv to Parquet (the floor) and `creditlake ingest` of it,
 *      interleaved --runs times on fresh lakes, medians compared;
 *   2. `creditlake build --select +ar_aging,+dso_monthly --no-tests` and the hand-written single
 *      DuckDB query in bench/month-end-query.sql computing the same month-end aging and DSO from the
 *      raw Parquet, interleaved, and a check that both give identical figures;
 *   3. the full `creditlake build` (data tests included);
 *   4. a one-day delta (every row dated on the ledger's last day, held back from the first ingest):
 *      its ingest and the (incremental) build after it, and that build's share of the full build,
 *      then a build with nothing new (every mart carried over);
 * with wall time, CPU seconds (user + sys of the child, DuckDB's threads included) and peak RSS of
 * each step, and the 1-minute load average before and after it. On a shared machine wall times
 * inflate with load; CPU seconds are the figure to compare between runs.
 *
 * Options:
 *   --invoices N        invoices to generate (default 1000000; about 1.73 per customer-month)
 *   --months M          months of history (default 24)
 *   --runs R            interleaved runs of the compared pairs (default 3; medians)
 *   --memory-limit S    duckdb.memory_limit for every creditlake command and yardstick (e.g. 2GB);
 *                       a step whose peak RSS exceeds it by more than 0.5 GB is flagged, exit 1
 *   --dir DIR           working folder (default .bench/scale); the ledger is reused when it exists
 *   --json              also write DIR/results.json
 *   --scale-only        skip the CLI start-up and Trino benches that `npm run bench` runs after this one
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatTable, measure, medianOf, type Measured } from './measure.js';

const { values } = parseArgs({
  options: {
    invoices: { type: 'string', default: '1000000' },
    months: { type: 'string', default: '24' },
    runs: { type: 'string', default: '3' },
    'memory-limit': { type: 'string' },
    dir: { type: 'string', default: '.bench/scale' },
    json: { type: 'boolean', default: false },
    'scale-only': { type: 'boolean', default: false },
  },
});

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'creditlake.js');
const invoicesWanted = Number(values.invoices);
const months = Number(values.months);
const runs = Math.max(1, Number(values.runs));
const memoryLimit = values['memory-limit'];
if (!Number.isFinite(invoicesWanted) || invoicesWanted < 1000) throw new Error('--invoices must be a number ≥ 1000');
// Calibrated on the generator: 21,000 customers × 24 months gave 873,734 invoices.
const INVOICES_PER_CUSTOMER_MONTH = 1.7336;
const customers = Math.max(20, Math.round(invoicesWanted / (months * INVOICES_PER_CUSTOMER_MONTH)));
const dir = resolve(values.dir!, `${invoicesWanted}`);
const ledger = join(dir, 'ledger');
const base = join(dir, 'base');
const delta = join(dir, 'delta');
const lake = join(dir, 'lake');
mkdirSync(dir, { recursive: true });

const config = join(dir, 'creditlake.config.json');
writeFileSync(config, JSON.stringify(memoryLimit ? { duckdb: { memory_limit: memoryLimit } } : {}, null, 2));
const cli = (...args: string[]) => [bin, ...args, '--config', config];
const limitArg = memoryLimit ? [memoryLimit] : [];

/** Ledger tables ingested per table; the credit-report feed goes through --feed credit-report. */
const LEDGER_TABLES = ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions'];
const FEED_FILES = ['companies', 'company_identifiers', 'credit_reports', 'insolvency_events'];
/** Each dated table's date: rows on the ledger's last day form the one-day delta. */
const DELTA_DATE: Record<string, string> = {
  invoices: 'invoice_date',
  payments: 'payment_date',
  write_offs: 'write_off_date',
  collection_actions: 'action_date',
  credit_decisions: 'decision_date',
};

async function duck<T>(fn: (run: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });

// 1. The ledger, split into everything before its last day and that day (the delta).
const steps: Measured[] = [];
if (!existsSync(join(ledger, 'invoices.csv'))) {
  rmSync(ledger, { recursive: true, force: true });
  steps.push(await measure('generate', [cli('generate', '--customers', String(customers), '--months', String(months), '--seed', 'bench', '--out', ledger)]));
}
const lastDay = await duck(async (run) => {
  const [row] = await run(`SELECT CAST(max(invoice_date) AS VARCHAR) AS d FROM read_csv(${q(join(ledger, 'invoices.csv'))})`);
  const d = String(row!.d);
  for (const out of [base, delta]) mkdirSync(out, { recursive: true });
  for (const t of [...LEDGER_TABLES, ...FEED_FILES]) {
    const src = `read_csv(${q(join(ledger, `${t}.csv`))}, all_varchar = true)`;
    const col = DELTA_DATE[t];
    const inDelta =
      t === 'payment_allocations'
        ? `payment_id IN (SELECT payment_id FROM read_csv(${q(join(ledger, 'payments.csv'))}, all_varchar = true) WHERE payment_date = '${d}')`
        : col
          ? `${col} = '${d}'`
          : 'false';
    await run(`COPY (SELECT * FROM ${src} WHERE NOT (${inDelta})) TO ${q(join(base, `${t}.csv`))} (HEADER)`);
    if (t in DELTA_DATE || t === 'payment_allocations') {
      await run(`COPY (SELECT * FROM ${src} WHERE ${inDelta}) TO ${q(join(delta, `${t}.csv`))} (HEADER)`);
    }
  }
  return d;
});
const count = async (file: string) =>
  duck(async (run) => Number((await run(`SELECT count(*) AS n FROM read_csv(${q(file)}, all_varchar = true)`))[0]!.n));
const baseInvoices = await count(join(base, 'invoices.csv'));
const deltaInvoices = await count(join(delta, 'invoices.csv'));
console.log(
  `ledger: ${customers.toLocaleString('en')} customers, ${months} months, ${(baseInvoices + deltaInvoices).toLocaleString('en')} invoices; ` +
    `one-day delta ${lastDay}: ${deltaInvoices.toLocaleString('en')} invoices` +
    (memoryLimit ? `; duckdb.memory_limit ${memoryLimit}` : ''),
);

// 2. Floor and ingest of the base invoices, interleaved on fresh lakes.
const floors: Measured[] = [];
const ingests: Measured[] = [];
for (let i = 0; i < runs; i++) {
  const out = join(dir, 'floor.parquet');
  floors.push(await measure('duckdb COPY csv→parquet (floor)', [[join(root, 'bench', 'copy-floor.mjs'), join(base, 'invoices.csv'), out, ...limitArg]]));
  rmSync(out, { force: true });
  const scratch = join(dir, 'lake-ingest');
  rmSync(scratch, { recursive: true, force: true });
  ingests.push(await measure('creditlake ingest invoices.csv', [cli('ingest', join(base, 'invoices.csv'), '--table', 'invoices', '--lake', scratch)]));
  rmSync(scratch, { recursive: true, force: true });
}
const floor = medianOf(floors);
const ingest = medianOf(ingests);
steps.push(floor, ingest);

// 3. The whole base ledger into the lake, one step per command (item 3: each command's own peak RSS).
rmSync(lake, { recursive: true, force: true });
const ingestAll = (from: string, name: string, tables: readonly string[], feed: boolean) =>
  measure(name, [
    ...tables.map((t) => cli('ingest', join(from, `${t}.csv`), '--table', t, '--lake', lake)),
    ...(feed ? [cli('ingest', '--feed', 'credit-report', ...FEED_FILES.map((f) => join(from, `${f}.csv`)), '--lake', lake)] : []),
  ]);
for (const t of LEDGER_TABLES) steps.push(await ingestAll(base, `ingest ${t}.csv`, [t], false));
steps.push(await ingestAll(base, 'ingest --feed credit-report (4 files)', [], true));

// 4. Month-end aging + DSO: the selection against the hand-written query, interleaved.
const selections: Measured[] = [];
const hands: Measured[] = [];
const handOut = join(dir, 'month-end-query.parquet');
for (let i = 0; i < runs; i++) {
  selections.push(await measure('build --select +ar_aging,+dso_monthly', [cli('build', '--select', '+ar_aging,+dso_monthly', '--no-tests', '--lake', lake)]));
  hands.push(await measure('hand-written DuckDB query (bench/)', [[join(root, 'bench', 'month-end-query.mjs'), lake, handOut, ...limitArg]]));
}
const selection = medianOf(selections);
const hand = medianOf(hands);
steps.push(selection, hand);
const identical = await compareMonthEnd(lake, handOut);

// 5. Full build, then the one-day delta.
const full = await measure('full build (with data tests)', [cli('build', '--lake', lake)]);
steps.push(full);
const deltaTables = [...Object.keys(DELTA_DATE), 'payment_allocations'];
steps.push(await ingestAll(delta, 'ingest one-day delta', deltaTables, false));
const deltaBuild = await measure('build after the one-day delta', [cli('build', '--lake', lake)]);
steps.push(deltaBuild);
// The build with nothing new since: incremental builds carry every mart over.
const unchangedBuild = await measure('build again, nothing new', [cli('build', '--lake', lake)]);
steps.push(unchangedBuild);
const planLine = (m: Measured) => (m.stdout ?? '').split('\n').find((l) => /^(incremental|full refresh):/.test(l)) ?? '(no plan line)';
// What the build did: marts written and carried, staging and intermediate models read from the model cache.
const outcomeLine = (m: Measured) => (m.stdout ?? '').split('\n').find((l) => /^(ok|FAILED): \d+ marts? written/.test(l))?.replace(/; warehouse .*$/, '') ?? '(no outcome line)';

console.log('');
console.log(formatTable(steps));
console.log('');
const totalInvoices = baseInvoices + deltaInvoices;
const perMillion = (s: number) => (s / (totalInvoices / 1e6)).toFixed(1);
const ratios = {
  ingest_vs_floor_cpu: ingest.cpuS / floor.cpuS,
  ingest_vs_floor_wall: ingest.wallS / floor.wallS,
  selection_vs_hand_cpu: selection.cpuS / hand.cpuS,
  selection_vs_hand_wall: selection.wallS / hand.wallS,
  delta_vs_full_cpu: deltaBuild.cpuS / full.cpuS,
  delta_vs_full_wall: deltaBuild.wallS / full.wallS,
  unchanged_vs_full_cpu: unchangedBuild.cpuS / full.cpuS,
};
console.log(`ingest / floor:               ${ratios.ingest_vs_floor_cpu.toFixed(2)}× CPU, ${ratios.ingest_vs_floor_wall.toFixed(2)}× wall (target ≤ 1.3×)`);
console.log(`aging+DSO selection / hand:   ${ratios.selection_vs_hand_cpu.toFixed(2)}× CPU, ${ratios.selection_vs_hand_wall.toFixed(2)}× wall (target ≤ 1.0×); figures ${identical.ok ? 'identical' : 'DIFFER'} (${identical.detail})`);
console.log(`full build:                   ${perMillion(full.cpuS)} CPU-s and ${perMillion(full.wallS)} s wall per 1M invoices (target ≤ 12 CPU-s)`);
console.log(`one-day delta build / full:   ${(ratios.delta_vs_full_cpu * 100).toFixed(0)} % CPU, ${(ratios.delta_vs_full_wall * 100).toFixed(0)} % wall (target ≤ 5 %)`);
console.log(`  it said: ${planLine(deltaBuild).slice(0, 300)}`);
console.log(`  and did: ${outcomeLine(deltaBuild)}`);
console.log(`nothing-new build / full:     ${((unchangedBuild.cpuS / full.cpuS) * 100).toFixed(0)} % CPU, ${((unchangedBuild.wallS / full.wallS) * 100).toFixed(0)} % wall; it said: ${planLine(unchangedBuild).slice(0, 200)}`);
const overLimit = memoryLimit ? steps.filter((s) => s.rssMb > sizeMb(memoryLimit) + 512) : [];
if (memoryLimit) {
  console.log(
    overLimit.length
      ? `memory: over duckdb.memory_limit ${memoryLimit} + 0.5 GB: ${overLimit.map((s) => `${s.name} ${s.rssMb} MB`).join(', ')}`
      : `memory: every step within duckdb.memory_limit ${memoryLimit} + 0.5 GB`,
  );
}
if (values.json) {
  writeFileSync(
    join(dir, 'results.json'),
    JSON.stringify({ invoices: totalInvoices, delta_invoices: deltaInvoices, customers, months, memory_limit: memoryLimit ?? null, steps, ratios, identical }, null, 2),
  );
}
if (!identical.ok || overLimit.length) process.exitCode = 1;

if (!values['scale-only']) {
  for (const b of ['cli-startup.bench.ts', 'trino-build.bench.ts']) {
    console.log(`\n== ${b}`);
    execFileSync(process.execPath, [join(root, 'bin', 'run-ts.js'), join(root, 'bench', b)], { stdio: 'inherit' });
  }
}

/** A DuckDB size (GB = 10^9 bytes, GiB = 2^30) in MiB, the unit of the RSS figures. */
function sizeMb(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(K|M|G)(i?)B$/i.exec(s.trim());
  if (!m) throw new Error(`--memory-limit: not a size: ${s}`);
  const power = { K: 1, M: 2, G: 3 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return (Number(m[1]) * (m[3] ? 1024 : 1000) ** power) / 2 ** 20;
}

/** The hand-written query's figures against the published ar_aging and dso_monthly ('ALL' and segments). */
async function compareMonthEnd(lakeRoot: string, handFile: string): Promise<{ ok: boolean; detail: string }> {
  const marker = JSON.parse(readFileSync(join(lakeRoot, 'marts', '_build.json'), 'utf8')) as { marts: Record<string, string> };
  const aging = join(lakeRoot, marker.marts.ar_aging!);
  const dso = join(lakeRoot, marker.marts.dso_monthly!);
  return duck(async (run) => {
    const [a] = await run(`
      WITH h AS (SELECT * FROM read_parquet(${q(handFile)})),
           m AS (SELECT * FROM read_parquet(${q(aging)}) WHERE group_by IN ('ALL', 'segment'))
      SELECT count(*) AS rows,
             count(*) FILTER (WHERE COALESCE(h.open_amount, 0) <> COALESCE(m.open_amount, 0)
                                 OR COALESCE(h.open_count, 0) <> COALESCE(m.open_count, 0)) AS differ
      FROM h FULL JOIN m USING (as_of_date, group_by, group_value, bucket)`);
    const [d] = await run(`
      WITH h AS (SELECT DISTINCT as_of_date, group_by, group_value, ar_end, current_ar_end, credit_sales, dso_period_end FROM read_parquet(${q(handFile)})),
           m AS (SELECT * FROM read_parquet(${q(dso)}) WHERE group_by IN ('ALL', 'segment'))
      SELECT count(*) AS rows,
             count(*) FILTER (WHERE h.ar_end IS DISTINCT FROM m.ar_end OR h.current_ar_end IS DISTINCT FROM m.current_ar_end
                                 OR h.credit_sales IS DISTINCT FROM m.credit_sales OR h.dso_period_end IS DISTINCT FROM m.dso_period_end) AS differ
      FROM h FULL JOIN m ON h.as_of_date = m.month_end AND h.group_by = m.group_by AND h.group_value = m.group_value`);
    const differ = Number(a!.differ) + Number(d!.differ);
    return {
      ok: differ === 0 && Number(a!.rows) > 0,
      detail: `${a!.rows} aging rows, ${d!.rows} DSO rows compared, ${differ} differ`,
    };
  });
}
