/**
 * `npm run bench`: generate ~1M invoices, then time in one run
 *   1. DuckDB's own `COPY (FROM read_csv(…)) TO '….parquet'` of invoices.csv — the floor,
 *   2. our `ingestFiles` of the same file (typed read, validation, quarantine, commit),
 *   3. `buildWarehouse` over the full lake,
 *   4. the same build on the local Trino when one runs (npm run trino:start).
 * Prints rows/s, the ingest/floor ratio and peak RSS. Not part of `npm test`.
 *
 * Options: --customers N (default 24000), --months M (default 24), --dir DIR (default .bench)
 */
import { rmSync, mkdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateLedger } from '../src/generator/index.js';
import { ingestFiles } from '../src/feeds/ingest-files.js';
import { buildWarehouse } from '../src/warehouse/build.js';
import { defaultConfig } from '../src/config/config.js';
import { CANONICAL_TABLES } from '../src/schema/index.js';
import { withDuckDB } from '../src/warehouse/duckdb/duckdb-engine.js';
import { BENCH_TRINO_URL, describeBuild, timedBuild, trinoRunning } from './engine-build.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '24000' },
    months: { type: 'string', default: '24' },
    dir: { type: 'string', default: '.bench' },
    runs: { type: 'string', default: '3' },
  },
});
const dir = resolve(values.dir!);
const ledger = join(dir, 'ledger');
const runs = Number(values.runs);

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const [gen, genMs] = await time(() =>
  generateLedger({ customers: Number(values.customers), months: Number(values.months), seed: 'bench', outDir: ledger }),
);
const invoicesCsv = join(ledger, 'invoices.csv');
const invoiceRows = gen.rows.invoices!;
console.log(`generate: ${invoiceRows.toLocaleString('en')} invoices in ${(genMs / 1000).toFixed(1)} s`);

// Floor and ingest alternate, each on a cold lake, and the medians are compared so that a noisy
// neighbour on a shared machine does not decide the ratio.
const floorMs: number[] = [];
const ingestMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const floorOut = join(dir, `floor-${i}.parquet`);
  const [, f] = await time(() =>
    withDuckDB({}, (db) => db.execute(`COPY (FROM read_csv('${invoicesCsv}')) TO '${floorOut}' (FORMAT parquet)`)),
  );
  floorMs.push(f);
  const lake = join(dir, `lake-ingest-${i}`);
  const [res, g] = await time(() => ingestFiles({ lakeRoot: lake, table: 'invoices', files: [invoicesCsv] }));
  if (res.rowsLoaded !== invoiceRows) throw new Error(`ingest loaded ${res.rowsLoaded} of ${invoiceRows} rows`);
  ingestMs.push(g);
  rmSync(lake, { recursive: true, force: true });
}
const floor = median(floorMs);
const ingest = median(ingestMs);
console.log(`duckdb COPY floor: ${(floor / 1000).toFixed(2)} s (runs ${floorMs.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
console.log(`creditlake ingest: ${(ingest / 1000).toFixed(2)} s (runs ${ingestMs.map((x) => (x / 1000).toFixed(2)).join(', ')}), ${Math.round(invoiceRows / (ingest / 1000)).toLocaleString('en')} rows/s`);
console.log(`ratio ingest / floor: ${(ingest / floor).toFixed(2)} (target ≤ 2)`);

const lake = join(dir, 'lake');
const [, allMs] = await time(async () => {
  for (const t of CANONICAL_TABLES) {
    const f = join(ledger, `${t.name}.csv`);
    if (existsSync(f)) await ingestFiles({ lakeRoot: lake, table: t, files: [f] });
  }
});
console.log(`ingest of all ${CANONICAL_TABLES.length} tables: ${(allMs / 1000).toFixed(1)} s`);
const [build, buildMs] = await time(() => buildWarehouse({ lakeRoot: lake, config: defaultConfig() }));
const slowest = [...build.models].sort((a, b) => b.ms - a.ms).slice(0, 5);
console.log(`creditlake build: ${(buildMs / 1000).toFixed(1)} s, ${build.models.length} models, tests ${build.ok ? 'passed' : 'FAILED'}`);
console.log(`slowest models: ${slowest.map((m) => `${m.name} ${(m.ms / 1000).toFixed(1)} s`).join(', ')}`);
console.log(`peak RSS: ${peakRssMb()} MB`);
if (!build.ok) process.exitCode = 1;

// The same lake on the local Trino (npm run trino:start), beside the DuckDB build above.
if (await trinoRunning()) {
  const trino = await timedBuild('trino', lake, 'bench_1m');
  console.log(describeBuild('trino', trino));
  console.log(`trino / duckdb: ${(trino.ms / buildMs).toFixed(1)}×`);
  if (!trino.report.ok) process.exitCode = 1;
} else {
  console.log(`trino: not running at ${BENCH_TRINO_URL} (npm run trino:start); skipped`);
}
