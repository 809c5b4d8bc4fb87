/**
 * The parts of a canonical ingest's direct path, each timed in this process after its imports (CPU
 * seconds of the whole process, DuckDB's threads included), for working on ingest speed below the
 * level of `npm run bench:ingest`: what the plain scan, its field walk and key set, the SHA-256 and
 * the one DuckDB statement each cost, and the statement with the scan beside it (as ingest runs them).
 *
 *   node bin/run-ts.js bench/ingest-pieces.ts <invoices.csv> [piece …] [--table invoices] [--threads N]
 *
 * Pieces (default all, one after another): `lines` (the plain scan without fields or hash), `scan`
 * (with the table's key and forms watched), `hash` (SHA-256 alone), `floor` (DuckDB's own COPY of the
 * file to Parquet), `statement` (the direct conversion's statement), `unchecked` (the same without
 * the row checks), `together` (the statement with the hashing scan beside it). Run each piece in a
 * process of its own to compare across code versions (JIT and caches carry over within one).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PLAIN_MAX_LINE_BYTES, plainScanFields } from '../src/feeds/canonical-csv/convert.js';
import { readPlainHeader, scanPlainCsv } from '../src/feeds/canonical-csv/plain-scan.js';
import { rowChecks } from '../src/feeds/canonical-csv/rules.js';
import { plainDirectSql } from '../src/feeds/canonical-csv/sql.js';
import { sha256File } from '../src/feeds/ingest-files.js';
import { canonicalTable } from '../src/schema/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { table: { type: 'string', default: 'invoices' }, threads: { type: 'string' }, 'memory-limit': { type: 'string', default: '2GB' } },
});
const [file, ...asked] = positionals;
if (!file) {
  console.error('usage: node bin/run-ts.js bench/ingest-pieces.ts <file.csv> [lines|scan|hash|floor|statement|unchecked|together …]');
  process.exit(2);
}
const table = canonicalTable(values.table!);
const header = await readPlainHeader(file, PLAIN_MAX_LINE_BYTES);
if (!header) throw new Error(`${file} does not start with a plain header line`);
const dir = mkdtempSync(join(tmpdir(), 'ingest-pieces-'));
const out = join(dir, 'out.parquet');
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const scan = (withFields: boolean, withHash: boolean) =>
  scanPlainCsv(file, { maxLineBytes: PLAIN_MAX_LINE_BYTES, fields: withFields ? plainScanFields(table) : undefined, hash: withHash ? createHash('sha256') : undefined });

async function statement(sql: string, beside?: () => Promise<unknown>): Promise<void> {
  const options: Record<string, string> = { memory_limit: values['memory-limit']! };
  if (values.threads) options.threads = values.threads;
  const instance = await DuckDBInstance.create(':memory:', options);
  const conn = await instance.connect();
  try {
    const side = beside?.();
    await conn.run(sql);
    await side;
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(out, { force: true });
  }
}

const direct = (checked: boolean) => plainDirectSql(file, header, table, checked ? rowChecks(table, [], undefined, 'scanned') : [], 2_097_152, out);
const pieces: Record<string, () => Promise<unknown>> = {
  lines: () => scan(false, false),
  scan: async () => {
    const r = await scan(true, false);
    if (!r.plain || !r.keysUnique || !r.formsPlain) console.log('  (not proven:', JSON.stringify(r.plain ? { keysUnique: r.keysUnique, formsPlain: r.formsPlain } : r), ')');
  },
  hash: () => sha256File(file),
  floor: () => statement(`COPY (FROM read_csv('${file.replace(/'/g, "''")}')) TO '${out}' (FORMAT parquet)`),
  statement: () => statement(direct(true)),
  unchecked: () => statement(direct(false)),
  together: () => statement(direct(true), () => scan(true, true)),
};
try {
  for (const name of asked.length ? asked : Object.keys(pieces)) {
    const piece = pieces[name];
    if (!piece) throw new Error(`unknown piece ${name}; pieces: ${Object.keys(pieces).join(', ')}`);
    const c = cpu();
    const w = performance.now();
    await piece();
    console.log(`${name.padEnd(10)} ${(cpu() - c).toFixed(2).padStart(6)} CPU-s ${((performance.now() - w) / 1000).toFixed(2).padStart(6)} s wall`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
