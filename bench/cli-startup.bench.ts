/**
 * `npm run bench` (part 2): the CLI's cost per call against a bare DuckDB node script doing the
 * same (issue 15: each call must be within 1.5× of it). Builds dist/ if stale and a demo lake,
 * then times, as child processes, median of --runs:
 *   1. a bare script: import @duckdb/node-api, open warehouse.duckdb read-only, run the query, print;
 *   2. `creditlake --help`;
 *   3. `creditlake query "<the same query>"` on the demo lake.
 * Reports wall time and CPU time (user + sys, from /proc of the finished child via /usr/bin/time
 * when present), and the ratio to the bare script. Exits 1 when a ratio is over 1.5.
 *
 * Options: --runs N (default 7), --dir DIR (default .bench/cli)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, dir: { type: 'string', default: '.bench/cli' } } });
const root = resolve(import.meta.dirname, '..');
const dir = resolve(values.dir!);
const runs = Number(values.runs);
const bin = join(root, 'bin', 'creditlake.js');
const lake = join(dir, 'lake');
const SQL = "SELECT month, dso FROM dso_monthly WHERE segment = 'ALL' ORDER BY month DESC LIMIT 12";

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
mkdirSync(dir, { recursive: true });
if (!existsSync(join(lake, 'warehouse.duckdb'))) {
  console.log('building the demo lake …');
  execFileSync(process.execPath, [bin, 'demo', '--no-serve', '--lake', lake, '--out', join(dir, 'data')], { stdio: 'ignore' });
}

// The floor: what any node program pays to answer the same question from the same file.
const bare = join(dir, 'bare-duckdb.mjs');
writeFileSync(
  bare,
  `import { DuckDBInstance } from ${JSON.stringify(join(root, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js'))};
const instance = await DuckDBInstance.create(process.argv[2], { access_mode: 'READ_ONLY' });
const connection = await instance.connect();
await connection.run(\`SET VARIABLE lake = '\${process.argv[3]}'\`);
const reader = await connection.runAndReadAll(process.argv[4]);
for (const row of reader.getRowsJson()) console.log(row.join('\\t'));
connection.closeSync();
instance.closeSync();
`,
);

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function once(args: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%U %S', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const times = timeBin ? r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) : [NaN, NaN];
  return { wall, cpu: (times[0]! + times[1]!) * 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(label: string, args: string[]) {
  once(args); // warm the file cache
  const samples = Array.from({ length: runs }, () => once(args));
  return { label, wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

const floor = measure('bare DuckDB node script (same query)', [bare, join(lake, 'warehouse.duckdb'), lake, SQL]);
const rows = [
  floor,
  measure('creditlake --help', [bin, '--help']),
  measure('creditlake query (same query)', [bin, 'query', SQL, '--lake', lake]),
];
let ok = true;
console.log(`\nCLI cost per call, median of ${runs} (2 cores shared: compare ratios, not absolutes)`);
for (const r of rows) {
  const ratio = r.wall / floor.wall;
  const cpuRatio = r.cpu / floor.cpu;
  if (r !== floor && (Number.isFinite(cpuRatio) ? cpuRatio : ratio) > 1.5) ok = false;
  console.log(
    `  ${r.label.padEnd(40)} wall ${r.wall.toFixed(0).padStart(5)} ms (${ratio.toFixed(2)}×)` +
      (Number.isFinite(r.cpu) ? `   cpu ${r.cpu.toFixed(0).padStart(5)} ms (${cpuRatio.toFixed(2)}×)` : ''),
  );
}
console.log(ok ? 'ok: every call within 1.5× of the bare script' : 'SLOW: a call costs more than 1.5× the bare script');
process.exitCode = ok ? 0 : 1;
