/**
 * CPU seconds per model of one embedded build, in this process (DuckDB's threads included: the
 * process's user + sys between two build events), for working on the models' cost:
 *   node bin/run-ts.js bench/model-cpu.ts <lake> [--select +ar_aging,+dso_monthly] [--tests] [--full-refresh] [--top N]
 * Prints each model (and each data test when --tests) with its CPU and wall seconds, then what the
 * build spent after its last model (checks, comments, publish) and the total. On a shared machine
 * compare CPU seconds: wall time inflates with load.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { buildWarehouse } from '../src/warehouse/build.js';

const { values, positionals } = parseArgs({
  options: {
    select: { type: 'string' },
    tests: { type: 'boolean', default: false },
    'full-refresh': { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    config: { type: 'string' },
  },
  allowPositionals: true,
});
const lakeRoot = resolve(positionals[0] ?? 'lake');
const { config } = loadConfig({ path: values.config, lake: lakeRoot });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rows: { name: string; cpu: number; wall: number }[] = [];
let lastCpu = cpu();
let lastWall = performance.now();
const c0 = lastCpu;
const w0 = lastWall;
const report = await buildWarehouse({
  lakeRoot,
  config,
  select: values.select ? values.select.split(',') : [],
  skipTests: !values.tests,
  fullRefresh: values['full-refresh'],
  onEvent: (e) => {
    const c = cpu();
    const w = performance.now();
    rows.push({ name: e.type === 'model' ? e.model.name : `test ${e.test.name}`, cpu: c - lastCpu, wall: (w - lastWall) / 1000 });
    lastCpu = c;
    lastWall = w;
  },
});
const end = cpu();
rows.push({ name: '(after the last model: checks, comments, publish)', cpu: end - lastCpu, wall: (performance.now() - lastWall) / 1000 });
const top = [...rows].sort((a, b) => b.cpu - a.cpu).slice(0, Number(values.top));
for (const r of top) console.log(`${r.cpu.toFixed(2).padStart(7)} CPU-s ${r.wall.toFixed(2).padStart(7)} s  ${r.name}`);
console.log(`${(end - c0).toFixed(2).padStart(7)} CPU-s ${((performance.now() - w0) / 1000).toFixed(2).padStart(7)} s  total (${report.models.length} models, ${report.ok ? 'ok' : 'FAILED'})`);
