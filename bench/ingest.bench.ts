/**
 * Ingest benchmark: our `ingestFiles` against DuckDB's own CSV → Parquet COPY of the same file (the
 * floor). Usage: node bin/run-ts.js bench/ingest.bench.ts [rows=1000000] [csv]
 * Without a CSV it writes a synthetic canonical invoices CSV with DuckDB (not the realistic generator:
 * only the volume matters here). Prints rows/s, the ratio to the floor and peak RSS.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ingestFiles } from '../src/feeds/ingest-files.js';
import { syntheticInvoicesSql } from './synthetic-invoices.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = resolve('.bench');
const csv = process.argv[3] ? resolve(process.argv[3]) : join(dir, `invoices-${rows}.csv`);
mkdirSync(dir, { recursive: true });

async function sql(text: string): Promise<void> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    await conn.run(text);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

if (!existsSync(csv)) {
  const [, s] = await time(() => sql(syntheticInvoicesSql(rows, csv)));
  console.log(`generated ${csv} (${rows} rows, ${(statSync(csv).size / 1e6).toFixed(1)} MB) in ${s.toFixed(2)} s`);
}
const lake = join(dir, 'lake');
const floorOut = join(dir, 'floor.parquet');
const results: { floor: number; ingest: number }[] = [];
for (let i = 0; i < 3; i++) {
  rmSync(lake, { recursive: true, force: true });
  const [, floor] = await time(() => sql(`COPY (FROM read_csv('${csv}')) TO '${floorOut}' (FORMAT parquet)`));
  const [res, ingest] = await time(() => ingestFiles({ lakeRoot: lake, table: 'invoices', files: [csv] }));
  const f = res.files[0]!;
  console.log(`run ${i + 1}: floor ${floor.toFixed(2)} s, ingest ${ingest.toFixed(2)} s (${f.rowsLoaded} loaded, ${f.rowsRejected} rejected)`);
  results.push({ floor, ingest });
}
const best = (k: 'floor' | 'ingest') => Math.min(...results.map((r) => r[k]));
console.log(
  `best: floor ${best('floor').toFixed(2)} s, ingest ${best('ingest').toFixed(2)} s, ` +
    `${Math.round(rows / best('ingest')).toLocaleString('en')} rows/s, ratio ${(best('ingest') / best('floor')).toFixed(2)}×, ` +
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
