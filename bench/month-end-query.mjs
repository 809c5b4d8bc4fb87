// The hand-written yardstick as its own process (npm run bench): runs bench/month-end-query.sql over
// a lake's raw Parquet and writes the result to a Parquet file. Plain JavaScript, so the process pays
// no TypeScript loader: what is timed is Node, DuckDB and the query.
// Usage: node bench/month-end-query.mjs <lake> <out.parquet> [memory_limit]
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [lake, out, memoryLimit] = process.argv.slice(2);
if (!lake || !out) {
  console.error('usage: node bench/month-end-query.mjs <lake> <out.parquet> [memory_limit]');
  process.exit(2);
}
const quote = (s) => s.replace(/'/g, "''");
const sql = readFileSync(new URL('./month-end-query.sql', import.meta.url), 'utf8').replaceAll('{{lake}}', quote(lake));
const instance = await DuckDBInstance.create(':memory:', memoryLimit ? { memory_limit: memoryLimit } : {});
const conn = await instance.connect();
try {
  await conn.run(`COPY (${sql}) TO '${quote(out)}' (FORMAT parquet)`);
} finally {
  conn.closeSync();
  instance.closeSync();
}
