/**
 * Content hash of every published mart of a lake, to prove a rewrite of the models changed no figure:
 *   node bin/run-ts.js bench/mart-hashes.ts <lake> > before.json   (… change the models, rebuild …)
 *   node bin/run-ts.js bench/mart-hashes.ts <lake> --compare before.json
 * A mart's hash covers every row in file order (rows numbered, then hashed), so a reordering counts
 * as a change too. DOUBLE columns are hashed rounded to 9 decimals: a floating-point sum (hhi in
 * concentration, cash_forecast_backtest) may differ in its last bit between two builds of the same
 * code, as DuckDB adds in thread order. Exit 1 when --compare finds a mart that differs or is missing.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';

const { values, positionals } = parseArgs({ options: { compare: { type: 'string' } }, allowPositionals: true });
const lake = resolve(positionals[0] ?? 'lake');
const marker = JSON.parse(readFileSync(join(lake, 'marts', '_build.json'), 'utf8')) as { marts: Record<string, string> };
const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await instance.connect();
const hashes: Record<string, string> = {};
try {
  for (const [mart, rel] of Object.entries(marker.marts).sort()) {
    const file = join(lake, rel).replace(/'/g, "''");
    const columns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson();
    const list = columns
      .map((c) => {
        const name = `"${String(c.column_name).replace(/"/g, '""')}"`;
        return /^(DOUBLE|FLOAT|REAL)$/.test(String(c.column_type)) ? `round(${name}, 9)` : name;
      })
      .join(', ');
    const r = await conn.runAndReadAll(
      `SELECT count(*) AS n, CAST(bit_xor(hash(rn, ${list})) AS VARCHAR) AS h FROM (SELECT row_number() OVER () AS rn, * FROM read_parquet('${file}'))`,
    );
    const row = r.getRowObjectsJson()[0]!;
    hashes[mart] = `${row.n}:${row.h}`;
  }
} finally {
  conn.closeSync();
  instance.closeSync();
}
if (values.compare) {
  const before = JSON.parse(readFileSync(values.compare, 'utf8')) as Record<string, string>;
  const differ = Object.keys({ ...before, ...hashes }).filter((m) => before[m] !== hashes[m]);
  for (const m of differ) console.log(`${m}: before ${before[m] ?? 'absent'}, now ${hashes[m] ?? 'absent'}`);
  console.log(differ.length ? `${differ.length} of ${Object.keys(before).length} marts differ` : `all ${Object.keys(before).length} marts identical`);
  if (differ.length) process.exitCode = 1;
} else {
  console.log(JSON.stringify(hashes, null, 2));
}
