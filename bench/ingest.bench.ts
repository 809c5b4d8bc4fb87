/**
 * `npm run bench:ingest`: the ingest step of `npm run bench` alone, for working on ingest speed.
 * DuckDB's own COPY of a CSV to Parquet (bench/copy-floor.mjs, the floor) and `creditlake ingest` of
 * the same file into a fresh lake, each a whole process, interleaved --runs times; prints every run
 * and the medians (wall, CPU seconds of the process with DuckDB's threads, peak RSS, load average).
 *
 * Options:
 *   --csv FILE          a canonical invoices CSV (e.g. a `creditlake generate` ledger's invoices.csv)
 *   --rows N            without --csv: a synthetic invoices CSV of N rows under .bench/ (default 1000000)
 *   --runs R            interleaved runs (default 3)
 *   --memory-limit S    duckdb.memory_limit for both (e.g. 2GB)
 *   --threads T         duckdb.threads for both
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable, measure, medianOf, type Measured } from './measure.js';
import { syntheticInvoicesSql } from './synthetic-invoices.js';

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    'memory-limit': { type: 'string' },
    threads: { type: 'string' },
  },
});
const root = resolve(import.meta.dirname, '..');
const dir = resolve(root, '.bench', 'ingest');
mkdirSync(dir, { recursive: true });
const csv = values.csv ? resolve(values.csv) : join(dir, `invoices-${values.rows}.csv`);
if (!existsSync(csv)) {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(syntheticInvoicesSql(Number(values.rows), csv));
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}
const duckdb: Record<string, string | number> = {};
if (values['memory-limit']) duckdb.memory_limit = values['memory-limit'];
if (values.threads) duckdb.threads = Number(values.threads);
const config = join(dir, 'creditlake.config.json');
writeFileSync(config, JSON.stringify({ duckdb }, null, 2));

const floors: Measured[] = [];
const ingests: Measured[] = [];
const out = join(dir, 'floor.parquet');
const lake = join(dir, 'lake');
for (let i = 0; i < Math.max(1, Number(values.runs)); i++) {
  const f = await measure('duckdb COPY csv→parquet (floor)', [[join(root, 'bench', 'copy-floor.mjs'), csv, out, ...(values['memory-limit'] ? [values['memory-limit']] : []), ...(values.threads ? [values.threads] : [])]]);
  rmSync(out, { force: true });
  rmSync(lake, { recursive: true, force: true });
  const g = await measure('creditlake ingest', [[join(root, 'bin', 'creditlake.js'), 'ingest', csv, '--table', 'invoices', '--lake', lake, '--config', config]]);
  rmSync(lake, { recursive: true, force: true });
  console.log(formatTable([f, g]).split('\n').slice(2).join('\n'));
  floors.push(f);
  ingests.push(g);
}
const floor = medianOf(floors);
const ingest = medianOf(ingests);
console.log(`\nmedians of ${floors.length} (${csv}):`);
console.log(formatTable([floor, ingest]));
console.log(`ingest / floor: ${(ingest.cpuS / floor.cpuS).toFixed(2)}× CPU, ${(ingest.wallS / floor.wallS).toFixed(2)}× wall (target ≤ 1.3×)`);
