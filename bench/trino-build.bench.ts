/**
 * `npm run bench` (second part): the same generated ledger built on DuckDB and on the local Trino,
 * same machine, same run. Default size is the demo ledger (2,000 customers, 24 months); the 1M-invoice
 * comparison is in ingest-build.bench.ts. Needs `npm run trino:start`; without a Trino it says so and
 * times DuckDB only.
 *
 * Options: --customers N (default 2000), --months M (default 24), --dir DIR (default .bench-trino)
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFiles } from '../src/feeds/ingest-files.js';
import { generateLedger } from '../src/generator/index.js';
import { CANONICAL_TABLES } from '../src/schema/index.js';
import { BENCH_TRINO_URL, describeBuild, timedBuild, trinoRunning } from './engine-build.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '2000' },
    months: { type: 'string', default: '24' },
    dir: { type: 'string', default: '.bench-trino' },
  },
});
const dir = resolve(values.dir!);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const gen = await generateLedger({ customers: Number(values.customers), months: Number(values.months), seed: '42', outDir: join(dir, 'ledger') });
const lake = join(dir, 'lake');
for (const t of CANONICAL_TABLES) {
  const f = join(dir, 'ledger', `${t.name}.csv`);
  if (existsSync(f)) await ingestFiles({ lakeRoot: lake, table: t, files: [f] });
}
console.log(`ledger: ${values.customers} customers, ${values.months} months, ${gen.rows.invoices!.toLocaleString('en')} invoices`);
const duck = await timedBuild('duckdb', lake);
console.log(describeBuild('duckdb', duck));
if (await trinoRunning()) {
  const trino = await timedBuild('trino', lake, `bench_${values.customers}`);
  console.log(describeBuild('trino', trino));
  console.log(`trino / duckdb: ${(trino.ms / duck.ms).toFixed(1)}×`);
  if (!trino.report.ok) process.exitCode = 1;
} else {
  console.log(`trino: not running at ${BENCH_TRINO_URL} (npm run trino:start); skipped`);
}
if (!duck.report.ok) process.exitCode = 1;
