/**
 * `npm run bench:athena-scan`: what an Athena build scans, measured. A generated ledger is ingested,
 * put on an S3-protocol server as the ingest Lambda leaves it, and built with the Athena build
 * (`build --target athena`'s statements, every one) through the Athena API stand-in over the local
 * Trino (test/support/athena-on-trino.ts), which reports Trino's physical input bytes — the compressed
 * Parquet columns and row groups a query actually read, what Athena bills — as DataScannedInBytes.
 * Prints, per size: invoices, statements, bytes scanned, bytes billed (each query at least 10 MB) and
 * the cost at USD 5/TB, and scanned bytes per invoice.
 *
 * Bytes read from Parquet are what Athena would read from the same files; what the stand-in cannot
 * show is S3 request and Glue costs (small) or Athena's own planning differences. Needs
 * `npm run trino:start`. Not part of `npm test` (a build over 10k+ invoices takes minutes on 2 cores).
 *
 * Small files: Trino reads a Parquet file under `parquet_small_file_threshold` (3 MB) whole, every
 * column, and counts all of it as physical input. Every file of a small generated lake is under it,
 * while the raw and mart files of a 1M-invoice lake are not, so a line through two small builds would
 * carry whole-file reads into the extrapolation. The bench therefore sets the threshold to 0 (a query
 * reads the footer and the column chunks it needs, as at scale and as Athena documents for columnar
 * data); `--whole-small-files` keeps Trino's default for comparison.
 *
 * The 10 MB minimum: each query that scans anything is billed at least 10 MB, so a build's bill is
 * not proportional to its scan. With two sizes the bench fits each statement's bytes (statements
 * matched by their text, build ids left out) to a line in invoices and bills each at 1M invoices.
 *
 * Options: --customers 200,2000 (one build per size), --months 24, --json FILE, --whole-small-files
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { GlueClient } from '@aws-sdk/client-glue';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes, MIN_BILLED_BYTES, USD_PER_TB } from '../src/aws/athena-cost.js';
import { gluePartitionRegistrar, registerLakePartitions } from '../src/aws/glue-partitions.js';
import { defaultConfig } from '../src/config/config.js';
import { ingestFiles } from '../src/feeds/ingest-files.js';
import { generateLedger } from '../src/generator/index.js';
import { LocalLakeStore } from '../src/lake/local-store.js';
import { S3LakeStore } from '../src/lake/s3-store.js';
import { parseS3Uri } from '../src/lake/s3-uri.js';
import { CANONICAL_TABLES } from '../src/schema/index.js';
import { AthenaEngine } from '../src/warehouse/athena/athena-engine.js';
import { buildWarehouseAthena } from '../src/warehouse/athena/athena-build.js';
import { AthenaOnTrino } from '../test/support/athena-on-trino.js';
import { startTestS3 } from '../test/support/s3-server.js';
import { TRINO_URL, trinoAvailable } from '../test/support/trino.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '200,2000' },
    months: { type: 'string', default: '24' },
    json: { type: 'string' },
    'whole-small-files': { type: 'boolean', default: false },
  },
});
const session = values['whole-small-files'] ? undefined : { 'creditlake.parquet_small_file_threshold': '0B' };

/** One statement's scan: its text with build ids and the database left out (the same statement at every size), and its bytes. */
interface StatementScan {
  key: string;
  bytes: number;
}
const normalise = (sql: string, database: string) =>
  sql
    .replace(/\d{8}T\d{6}Z-[a-z0-9]{6}/g, '<build>')
    .replace(/\d{8}t\d{6}z[a-z0-9]{6}/g, '<build>')
    .split(database)
    .join('<db>')
    .replace(/\s+/g, ' ')
    .trim();

interface Measured {
  customers: number;
  months: number;
  invoices: number;
  raw_parquet_bytes: number;
  ok: boolean;
  wall_s: number;
  queries: number;
  bytes_scanned: number;
  bytes_billed: number;
  estimated_usd: number;
  scanned_bytes_per_invoice: number;
  /** Statements that scanned anything, and how many of them scanned less than the 10 MB minimum. */
  scanning_queries: number;
  under_minimum: number;
  statements: StatementScan[];
}

async function measure(customers: number, months: number): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-athena-scan-'));
  const s3 = await startTestS3();
  const database = `scan_${randomBytes(3).toString('hex')}`;
  const standIn = new AthenaOnTrino({ s3: s3.client, session });
  try {
    const ledger = join(work, 'ledger');
    await generateLedger({ customers, months, seed: 'athena-scan', outDir: ledger });
    const lake = join(work, 'lake');
    for (const table of CANONICAL_TABLES) {
      const file = join(ledger, `${table.name}.csv`);
      if (existsSync(file)) await ingestFiles({ lakeRoot: lake, table, files: [file], threads: 1 });
    }
    const invoices = readFileSync(join(ledger, 'invoices.csv'), 'utf8').trimEnd().split('\n').length - 1;
    await s3.createBucket('lake');
    const local = new LocalLakeStore(lake);
    let rawBytes = 0;
    for (const prefix of ['raw/', 'manifests/']) {
      for (const key of await local.list(prefix)) {
        const body = readFileSync(local.pathOf(key));
        if (key.startsWith('raw/')) rawBytes += body.length;
        await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: body }));
      }
    }
    const store = new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
    await standIn.createStackTables(database, 'lake');
    const glue = standIn.glue as unknown as GlueClient;
    await registerLakePartitions(store, gluePartitionRegistrar({ client: glue, database }), CANONICAL_TABLES.map((t) => t.name));
    const engine = new AthenaEngine({ client: standIn.athena as never, workgroup: 'wg', database, pollInitialMs: 20, pollMaxMs: 500 });
    const started = performance.now();
    const report = await buildWarehouseAthena({ engine, store, config: defaultConfig(), glue });
    const wall = (performance.now() - started) / 1000;
    const statements = standIn.executions
      .filter((e) => e.state === 'SUCCEEDED')
      .map((e) => ({ key: normalise(e.query, database), bytes: Math.max(0, e.result?.physicalInputBytes ?? e.result?.processedBytes ?? 0) }));
    const scanning = statements.filter((x) => x.bytes > 0);
    return {
      customers,
      months,
      invoices,
      raw_parquet_bytes: rawBytes,
      ok: report.ok,
      wall_s: Math.round(wall),
      queries: report.scanned.queries,
      bytes_scanned: report.scanned.bytes_scanned,
      bytes_billed: report.scanned.bytes_billed,
      estimated_usd: report.scanned.estimated_usd,
      scanned_bytes_per_invoice: Math.round(report.scanned.bytes_scanned / invoices),
      scanning_queries: scanning.length,
      under_minimum: scanning.filter((x) => x.bytes < MIN_BILLED_BYTES).length,
      statements,
    };
  } finally {
    await standIn.dropDatabase(database).catch(() => undefined);
    standIn.close();
    await s3.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (!(await trinoAvailable())) {
  console.error(`no Trino at ${TRINO_URL}: run \`npm run trino:start\` first`);
  process.exit(1);
}
const months = Number(values.months);
const usd = (bytes: number) => (bytes / 1024 ** 4) * USD_PER_TB;
/** Statements by key, the n-th repeat of a text as its own key. */
const byKey = (m: Measured) => {
  const seen = new Map<string, number>();
  return new Map(m.statements.map((x) => {
    const n = (seen.get(x.key) ?? 0) + 1;
    seen.set(x.key, n);
    return [`${x.key}#${n}`, x.bytes] as const;
  }));
};
console.log(`Parquet files under 3 MB read ${session ? 'by column (parquet_small_file_threshold 0)' : 'whole (Trino default)'}`);
const results: Measured[] = [];
for (const c of values.customers!.split(',').map(Number)) {
  const m = await measure(c, months);
  results.push(m);
  console.log(
    `${m.customers} customers, ${m.months} months: ${m.invoices.toLocaleString('en')} invoices (raw Parquet ${formatBytes(m.raw_parquet_bytes)}), ` +
      `${m.ok ? 'ok' : 'FAILED'} in ${m.wall_s} s: scanned ${formatBytes(m.bytes_scanned)} in ${m.queries} queries ` +
      `(${m.scanning_queries} scanning, ${m.under_minimum} of them under 10 MB; billed ${formatBytes(m.bytes_billed)}), $${m.estimated_usd.toFixed(4)}; ${m.scanned_bytes_per_invoice} B scanned per invoice`,
  );
  // Written after each size: a later size that fails keeps the earlier ones.
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ small_files: session ? 'by column' : 'whole', results }, null, 2)}\n`);
  const top = [...m.statements].sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  for (const t of top) console.log(`    ${formatBytes(t.bytes).padStart(9)}  ${t.key.slice(0, 110)}`);
}
if (results.length >= 2) {
  // Scanned bytes against invoices, a line through the smallest and largest build: a fixed part
  // (reference data, footers, per-query overhead) and a part that grows with the ledger.
  const [a, b] = [results[0]!, results[results.length - 1]!];
  const perInvoice = (b.bytes_scanned - a.bytes_scanned) / (b.invoices - a.invoices);
  const fixed = a.bytes_scanned - perInvoice * a.invoices;
  const at1m = fixed + perInvoice * 1_000_000;
  // Billed at 1M: each statement on its own line, billed at least 10 MB when it scans anything.
  const [ka, kb] = [byKey(a), byKey(b)];
  let billed = 0;
  let scanned = 0;
  let over = 0;
  let unmatched = 0;
  for (const [key, bb] of kb) {
    const ba = ka.get(key);
    if (ba === undefined) unmatched++;
    const x = ba === undefined ? bb : Math.max(0, ba + ((bb - ba) / (b.invoices - a.invoices)) * (1_000_000 - a.invoices));
    scanned += x;
    if (x > 0) billed += Math.max(x, MIN_BILLED_BYTES);
    if (x >= MIN_BILLED_BYTES) over++;
  }
  console.log(
    `linear through the two: ${perInvoice.toFixed(0)} B per invoice ${fixed < 0 ? '-' : '+'} ${formatBytes(Math.abs(fixed))} fixed; ` +
      `1M invoices ≈ ${formatBytes(at1m)} scanned per build (an extrapolation), ${formatBytes(perInvoice * 1_000_000)} of it per 1M invoices`,
  );
  console.log(
    `per statement at 1M invoices: scanned ${formatBytes(scanned)}, ${over} of ${[...kb.values()].filter((x) => x > 0).length} scanning statements at or over 10 MB, ` +
      `billed ${formatBytes(billed)} ≈ $${usd(billed).toFixed(3)} per build at $${USD_PER_TB}/TB` +
      (unmatched ? ` (${unmatched} statements of the larger build not in the smaller, taken as measured)` : ''),
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ small_files: session ? 'by column' : 'whole', results }, null, 2)}\n`);
