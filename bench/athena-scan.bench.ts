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
 * Options: --customers 200,2000 (one build per size), --months 24, --json FILE
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { GlueClient } from '@aws-sdk/client-glue';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from '../src/aws/athena-cost.js';
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
  },
});

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
}

async function measure(customers: number, months: number): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-athena-scan-'));
  const s3 = await startTestS3();
  const database = `scan_${randomBytes(3).toString('hex')}`;
  const standIn = new AthenaOnTrino({ s3: s3.client });
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
const results: Measured[] = [];
for (const c of values.customers!.split(',').map(Number)) {
  const m = await measure(c, months);
  results.push(m);
  console.log(
    `${m.customers} customers, ${m.months} months: ${m.invoices.toLocaleString('en')} invoices (raw Parquet ${formatBytes(m.raw_parquet_bytes)}), ` +
      `${m.ok ? 'ok' : 'FAILED'} in ${m.wall_s} s: scanned ${formatBytes(m.bytes_scanned)} in ${m.queries} queries ` +
      `(billed ${formatBytes(m.bytes_billed)}), $${m.estimated_usd.toFixed(4)}; ${m.scanned_bytes_per_invoice} B scanned per invoice`,
  );
}
if (results.length >= 2) {
  // Scanned bytes against invoices, a line through the smallest and largest build: a fixed part
  // (reference data, per-query overhead) and a part that grows with the ledger.
  const [a, b] = [results[0]!, results[results.length - 1]!];
  const perInvoice = (b.bytes_scanned - a.bytes_scanned) / (b.invoices - a.invoices);
  const fixed = a.bytes_scanned - perInvoice * a.invoices;
  const at1m = fixed + perInvoice * 1_000_000;
  console.log(
    `linear through the two: ${perInvoice.toFixed(0)} B per invoice + ${formatBytes(Math.max(0, fixed))} fixed; ` +
      `1M invoices ≈ ${formatBytes(at1m)} scanned per build (an extrapolation), ≈ $${((Math.max(at1m, b.bytes_billed) / 1024 ** 4) * 5).toFixed(3)} at $5/TB`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
