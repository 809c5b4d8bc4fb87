import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler, depsFromEnv, IngestFailedError, type IngestHandlerDeps } from '../../functions/ingest.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const CSV = [
  'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id',
  'INV-1,C1,invoice,2024-01-05,2024-02-04,EUR,1210.00,,',
  'INV-2,C2,invoice,2024-01-06,2024-01-20,EUR,99.95,2024-01-19,',
  'CN-1,C1,credit_note,2024-01-10,2024-01-10,EUR,-121.00,,INV-1',
  'INV-3,C3,invoice,2024-01-07,2024-01-01,EUR,50.00,,',
  'INV-4,C3,proforma,2024-01-07,2024-02-01,EUR,10.00,,',
].join('\n');

const s3Event = (bucket: string, key: string) => ({
  Records: [
    {
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      // S3 notifications URL-encode keys, with + for a space.
      s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'), size: CSV.length } },
    },
  ],
});

let s3: TestS3;
let work: string;
const buildRequests: { batchId: string }[] = [];
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('landing');
  await s3.createBucket('lake');
  work = mkdtempSync(join(tmpdir(), 'creditlake-ingest-handler-'));
});
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

function handler(over: Partial<IngestHandlerDeps> = {}) {
  return createIngestHandler({
    s3: s3.client,
    lake: new S3LakeStore(s3.client, parseS3Uri('s3://lake/')),
    requestBuild: async (r) => {
      buildRequests.push(r);
    },
    scratchDir: work,
    resources: { threads: 1, memoryLimit: '256MB' },
    maxRejectRate: 1,
    log: jsonLogger({ function: 'test' }, (l) => logLines.push(JSON.parse(l))),
    ...over,
  });
}

async function parquetRows(key: string): Promise<number> {
  const obj = await s3.client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
  const local = join(work, key.replace(/\//g, '_'));
  writeFileSync(local, await obj.Body!.transformToByteArray());
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${local}')`);
    return Number(r.getRowObjects()[0]!.n);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('ingest Lambda handler against an S3-protocol server', () => {
  const key = 'invoices/2024-01/jan export.csv';
  let lakeKeys: string[];

  it('turns a dropped CSV into Parquet, quarantine and manifest in the lake, and requests a build', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: CSV }));
    const out = await handler()(s3Event('landing', key), { awsRequestId: 'req-1' });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ table: 'invoices', status: 'loaded', rowsLoaded: 3, rowsRejected: 2 });
    const batch = out[0]!.batchId!;

    const store = new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
    lakeKeys = await store.list('');
    const data = lakeKeys.filter((k) => k.startsWith('raw/invoices/ingest_date='));
    const quarantine = lakeKeys.filter((k) => k.startsWith('quarantine/invoices/'));
    const manifests = lakeKeys.filter((k) => k.startsWith('manifests/invoices/'));
    expect(data).toEqual([expect.stringMatching(new RegExp(`/${batch}\\.parquet$`))]);
    expect(quarantine).toEqual([`quarantine/invoices/${batch}.parquet`]);
    expect(manifests).toHaveLength(1);
    expect(await parquetRows(data[0]!)).toBe(3);
    expect(await parquetRows(quarantine[0]!)).toBe(2);
    const manifest = JSON.parse((await store.readText(manifests[0]!))!);
    expect(manifest).toMatchObject({ batch_id: batch, table: 'invoices', source_file: 'jan export.csv', rows_loaded: 3, rows_rejected: 2 });

    const sent = buildRequests;
    expect(sent).toEqual([expect.objectContaining({ batchId: batch, tables: ['invoices'] })]);
    const committed = logLines.find((l) => l.message === 'ingest committed');
    expect(committed).toMatchObject({ level: 'info', batch_id: batch, request_id: 'req-1', table: 'invoices', rows_loaded: 3, rows_rejected: 2 });
  });

  it('does nothing on re-delivery of the same event (nor for the same file under another name)', async () => {
    const again = await handler()(s3Event('landing', key), { awsRequestId: 'req-2' });
    expect(again[0]).toMatchObject({ status: 'skipped', rowsLoaded: 0 });
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: 'invoices/copy.csv', Body: CSV }));
    const copy = await handler()(s3Event('landing', 'invoices/copy.csv'));
    expect(copy[0]).toMatchObject({ status: 'skipped' });
    expect(await new S3LakeStore(s3.client, parseS3Uri('s3://lake/')).list('')).toEqual(lakeKeys);
    expect(buildRequests).toHaveLength(1);
  });

  it('ignores objects outside a table prefix and fails (for retry and the DLQ) on an unusable file', async () => {
    expect(await handler()(s3Event('landing', 'README.txt'))).toMatchObject([{ status: 'ignored' }]);
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: 'payments/empty.csv', Body: '' }));
    await expect(handler()(s3Event('landing', 'payments/empty.csv'))).rejects.toBeInstanceOf(IngestFailedError);
    expect(await new S3LakeStore(s3.client, parseS3Uri('s3://lake/')).list('raw/payments')).toEqual([]);
  });

  it('checks dates against the deployed plausible_dates, as `creditlake ingest` does locally', async () => {
    const deps = depsFromEnv({
      LAKE_URI: 's3://lake/',
      CREDITLAKE_CONFIG: JSON.stringify({ plausible_dates: { from: '2024-01-06', to: '2030-12-31' } }),
    });
    expect(deps.dateWindow).toEqual({ from: '2024-01-06', to: '2030-12-31' });
    // Without a deployed window the CLI's default applies (1990-01-01 to five years ahead).
    expect(depsFromEnv({ LAKE_URI: 's3://lake/' }).dateWindow?.from).toBe('1990-01-01');

    const k = 'invoices/2024-01/window.csv';
    const body = CSV.replace('INV-1,C1', 'INV-9,C9');
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: k, Body: body }));
    const out = await handler({ dateWindow: deps.dateWindow })(s3Event('landing', k));
    // INV-9 is dated 2024-01-05, a day before the window: rejected beside the two rows rejected before.
    expect(out[0]).toMatchObject({ status: 'loaded', rowsLoaded: 2, rowsRejected: 3 });
    const logged = logLines.filter((l) => l.batch_id === out[0]!.batchId).map((l) => JSON.stringify(l.top_reasons ?? []));
    expect(logged.join(' ')).toMatch(/date outside 2024-01-06 to 2030-12-31/);
  });
});
