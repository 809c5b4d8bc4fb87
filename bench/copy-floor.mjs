// DuckDB's own floor for ingest, as its own process (npm run bench): one COPY of a CSV to Parquet,
// nothing else. `creditlake ingest` of the same file is compared with this, process to process.
// Usage: node bench/copy-floor.mjs <in.csv> <out.parquet> [memory_limit] [threads]
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, out, memoryLimit, threads] = process.argv.slice(2);
if (!csv || !out) {
  console.error('usage: node bench/copy-floor.mjs <in.csv> <out.parquet> [memory_limit]');
  process.exit(2);
}
const quote = (s) => s.replace(/'/g, "''");
const options = {};
if (memoryLimit) options.memory_limit = memoryLimit;
if (threads) options.threads = threads;
const instance = await DuckDBInstance.create(':memory:', options);
const conn = await instance.connect();
try {
  await conn.run(`COPY (FROM read_csv('${quote(csv)}')) TO '${quote(out)}' (FORMAT parquet)`);
} finally {
  conn.closeSync();
  instance.closeSync();
}
