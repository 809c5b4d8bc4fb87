import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Content hash of every published mart of a lake (bench/mart-hashes.ts prints them): every row in
 * file order (rows numbered, then hashed), so a reordering counts as a change too. DOUBLE columns are
 * hashed rounded to 9 decimals: a floating-point sum (hhi in concentration, cash_forecast_backtest)
 * may differ in its last bit between two builds of the same code, as DuckDB adds in thread order.
 */
export async function martHashes(lake: string): Promise<Record<string, string>> {
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
  return hashes;
}
