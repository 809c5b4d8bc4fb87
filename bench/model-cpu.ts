/**
 * CPU seconds per model of one embedded build, in this process (DuckDB's threads included: the
 * process's user + sys between two build events), for working on the models' cost:
 *   node bin/run-ts.js bench/model-cpu.ts <lake> [--select +ar_aging,+dso_monthly] [--tests] [--full-refresh] [--top N]
 * Prints each model (and each data test when --tests) with its CPU and wall seconds and the process's
 * peak RSS while it ran and RSS after it (`--order`: also every step in build order), then what the
 * build spent after its last model (checks, comments, publish) and the total. On a shared machine
 * compare CPU seconds: wall time inflates with load. The spill column is the most disk DuckDB's
 * temporary files (this process's creditlake-spill-p<pid>-* folders) took while the step ran: at 100M
 * invoices the disk, not memory, is what a build runs out of first. Each step is also printed to
 * stderr as it ends, so a build that fails still shows how far it got.
 */
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { buildWarehouse } from '../src/warehouse/build.js';

const { values, positionals } = parseArgs({
  options: {
    select: { type: 'string' },
    tests: { type: 'boolean', default: false },
    'full-refresh': { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    // Every step in build order too (RSS over the build).
    order: { type: 'boolean', default: false },
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
const rows: { name: string; cpu: number; wall: number; rss: number; peak: number; spill: number }[] = [];
// Blocks on disk, not file length: DuckDB's temporary files keep their length after blocks are freed.
const spillMib = () => {
  let bytes = 0;
  for (const dir of readdirSync(tmpdir()).filter((d) => d.startsWith(`creditlake-spill-p${process.pid}-`))) {
    try {
      for (const f of readdirSync(join(tmpdir(), dir))) bytes += statSync(join(tmpdir(), dir, f)).blocks * 512;
    } catch {
      // a folder or file removed while we looked
    }
  }
  return bytes / 2 ** 20;
};
let spillPeak = 0;
const spillSampler = setInterval(() => {
  spillPeak = Math.max(spillPeak, spillMib());
}, 1000);
// Peak RSS while each step runs (sampled: DuckDB works on its own threads while the event loop waits).
const mib = (b: number) => b / 2 ** 20;
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 50);
const line = (r: (typeof rows)[number]) =>
  `${r.cpu.toFixed(2).padStart(7)} CPU-s ${r.wall.toFixed(2).padStart(7)} s ${r.peak.toFixed(0).padStart(6)} MiB peak ${r.rss.toFixed(0).padStart(6)} MiB after ${r.spill.toFixed(0).padStart(6)} MiB spill  ${r.name}`;
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
    const rss = process.memoryUsage.rss();
    const spill = Math.max(spillPeak, spillMib());
    rows.push({ name: e.type === 'model' ? e.model.name : `test ${e.test.name}`, cpu: c - lastCpu, wall: (w - lastWall) / 1000, rss: mib(rss), peak: mib(Math.max(peak, rss)), spill });
    process.stderr.write(`done ${line(rows[rows.length - 1]!)}\n`);
    peak = rss;
    spillPeak = 0;
    lastCpu = c;
    lastWall = w;
  },
});
const end = cpu();
clearInterval(sampler);
clearInterval(spillSampler);
const endRss = process.memoryUsage.rss();
rows.push({ name: '(after the last model: checks, comments, publish)', cpu: end - lastCpu, wall: (performance.now() - lastWall) / 1000, rss: mib(endRss), peak: mib(Math.max(peak, endRss)), spill: spillPeak });
const top = [...rows].sort((a, b) => b.cpu - a.cpu).slice(0, Number(values.top));
for (const r of top) console.log(line(r));
console.log(`${(end - c0).toFixed(2).padStart(7)} CPU-s ${((performance.now() - w0) / 1000).toFixed(2).padStart(7)} s ${Math.max(...rows.map((r) => r.peak)).toFixed(0).padStart(6)} MiB peak  total (${report.models.length} models, ${report.ok ? 'ok' : 'FAILED'})`);
if (values.order) for (const r of rows) console.log(`order ${line(r)}`);
