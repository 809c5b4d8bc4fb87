/**
 * `npm run bench:trino`: the same generated ledgers built on DuckDB and on the local Trino, same
 * machine, same run: the demo ledger (2,000 customers, 24 months) and about 1M invoices (24,000
 * customers, 24 months). For every build: wall time, CPU time and the 1-minute load average before
 * and after, because on a shared machine wall time inflates with everyone else's work:
 *   - DuckDB: CPU of this process (DuckDB's threads included);
 *   - Trino: CPU Trino reports for the build's own statements (summed query statistics: what the
 *     build cost the cluster, whoever else uses it), and beside it the CPU of the server process over
 *     the same interval (which includes other clients of a shared server) when its pid is readable.
 * Needs `npm run trino:start`; without a Trino it says so and times DuckDB only. Not part of `npm test`.
 *
 * Options: --sizes demo,1m (default both), --dir DIR (default .bench-trino), --json FILE
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFiles } from '../src/feeds/ingest-files.js';
import { generateLedger } from '../src/generator/index.js';
import { CANONICAL_TABLES } from '../src/schema/index.js';
import { BENCH_TRINO_URL, timedBuild, trinoRunning } from './engine-build.js';

const SIZES: Record<string, { customers: number; months: number; label: string }> = {
  demo: { customers: 2000, months: 24, label: 'demo ledger' },
  '1m': { customers: 24000, months: 24, label: '~1M invoices' },
};

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'demo,1m' },
    dir: { type: 'string', default: '.bench-trino' },
    json: { type: 'string' },
  },
});
const sizes = values.sizes!.split(',').map((s) => s.trim());
for (const s of sizes) if (!SIZES[s]) throw new Error(`--sizes: unknown size ${s} (known: ${Object.keys(SIZES).join(', ')})`);
const dir = resolve(values.dir!);

/** CPU seconds (user + system) of the local Trino server process, when its launcher pid file is readable. */
function trinoServerCpuS(): number | undefined {
  const home = process.env.CREDITLAKE_TRINO_HOME ?? join(homedir(), '.cache/creditlake/trino');
  const port = new URL(BENCH_TRINO_URL).port || '8080';
  try {
    const pid = readFileSync(join(home, `node-${port}`, 'data/var/run/launcher.pid'), 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (12 and 13 after the command name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Measured {
  size: string;
  invoices: number;
  engine: 'duckdb' | 'trino';
  ok: boolean;
  wall_s: number;
  /** DuckDB: this process; Trino: the build's statements by Trino's statistics. */
  cpu_s: number;
  /** Trino: the server process over the build (other clients included). */
  server_cpu_s?: number;
  load_before: number;
  load_after: number;
  models: number;
  tests: number;
}

const results: Measured[] = [];
const fmt = (m: Measured) =>
  `  ${m.engine.padEnd(6)} ${m.ok ? 'ok    ' : 'FAILED'} wall ${m.wall_s.toFixed(1).padStart(7)} s   cpu ${m.cpu_s.toFixed(1).padStart(7)} s` +
  (m.server_cpu_s !== undefined ? ` (server process ${m.server_cpu_s.toFixed(1)} s)` : '') +
  `   load ${m.load_before.toFixed(1)} → ${m.load_after.toFixed(1)}   ${m.models} models, ${m.tests} tests`;

const trino = await trinoRunning();
if (!trino) console.log(`trino: not running at ${BENCH_TRINO_URL} (npm run trino:start); timing DuckDB only`);

for (const size of sizes) {
  const spec = SIZES[size]!;
  const at = join(dir, size);
  rmSync(at, { recursive: true, force: true });
  mkdirSync(at, { recursive: true });
  const gen = await generateLedger({ customers: spec.customers, months: spec.months, seed: 'bench', outDir: join(at, 'ledger') });
  const lake = join(at, 'lake');
  for (const t of CANONICAL_TABLES) {
    const f = join(at, 'ledger', `${t.name}.csv`);
    if (existsSync(f)) await ingestFiles({ lakeRoot: lake, table: t, files: [f] });
  }
  const invoices = gen.rows.invoices!;
  console.log(`${spec.label}: ${spec.customers.toLocaleString('en')} customers, ${spec.months} months, ${invoices.toLocaleString('en')} invoices`);

  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const duck = await timedBuild('duckdb', lake);
  const cpu1 = process.cpuUsage(cpu0);
  const d: Measured = {
    size, invoices, engine: 'duckdb', ok: duck.report.ok, wall_s: duck.ms / 1000, cpu_s: (cpu1.user + cpu1.system) / 1e6,
    load_before: load0, load_after: loadavg()[0]!, models: duck.report.models.length, tests: duck.report.tests.length,
  };
  results.push(d);
  console.log(fmt(d));

  if (trino) {
    const load1 = loadavg()[0]!;
    const server0 = trinoServerCpuS();
    const t = await timedBuild('trino', lake, `bench_${size}`);
    const server1 = trinoServerCpuS();
    const m: Measured = {
      size, invoices, engine: 'trino', ok: t.report.ok, wall_s: t.ms / 1000, cpu_s: (t.report.usage?.cpu_ms ?? 0) / 1000,
      server_cpu_s: server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined,
      load_before: load1, load_after: loadavg()[0]!, models: t.report.models.length, tests: t.report.tests.length,
    };
    results.push(m);
    console.log(fmt(m));
    console.log(`  trino / duckdb: wall ${(m.wall_s / d.wall_s).toFixed(1)}×, cpu ${(m.cpu_s / d.cpu_s).toFixed(1)}×`);
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
if (results.some((r) => !r.ok)) process.exitCode = 1;
