import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { committedDataKeys } from '../../src/lake/commit-batch.js';

// Issue 15: `batches retire` / `restore` were refused on an S3 lake. They write the same records in
// the bucket (retired/<table>/<sha256>.json, operations/…), which the Athena build reads; a live build
// lock refuses them.
const work = mkdtempSync(join(tmpdir(), 'creditlake-lakeops-s3-'));
let s3: TestS3;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('lake');
  // The CLI opens s3:// lakes with the default AWS client: point it at the local S3.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED', AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED', AWS_S3_FORCE_PATH_STYLE: 'true',
  });
  writeFileSync(join(work, 'invoices.csv'), 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI1,C1,invoice,2024-01-05,2024-02-04,1000.00,EUR\n');
  writeFileSync(join(work, 'invoices-wrong.csv'), 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI2,C1,invoice,2024-03-01,2024-03-31,99999.00,EUR\n');
  for (const f of ['invoices.csv', 'invoices-wrong.csv']) {
    const r = await cli(work, 'ingest', f, '--table', 'invoices', '--lake', 's3://lake/');
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('batches retire / restore on an S3 lake', () => {
  const store = () => new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));

  it('retires a batch: recorded in the bucket, left out of the committed batches, and undone by restore', async () => {
    const list = JSON.parse((await cli(work, 'batches', '--lake', 's3://lake/', '--json')).stdout) as { batch_id: string; source_file: string; sha256: string }[];
    const wrong = list.find((b) => b.source_file === 'invoices-wrong.csv')!;
    const retire = await cli(work, 'batches', 'retire', wrong.batch_id, '--reason', 'amount off by 100', '--lake', 's3://lake/');
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stdout).toMatch(/retired invoices batch \S+ \(invoices-wrong\.csv, 1 rows\); the next Athena build .* leaves it out/);
    expect(await store().readText(`retired/invoices/${wrong.sha256}.json`)).toMatch(/amount off by 100/);
    expect((await store().list('operations/')).some((k) => k.endsWith(`-retire-${wrong.batch_id}.json`))).toBe(true);
    expect((await committedDataKeys(store(), 'invoices')).length).toBe(1);
    const shown = await cli(work, 'batches', '--lake', 's3://lake/');
    expect(shown.stdout).toMatch(/invoices-wrong\.csv .* retired \d{4}-\d\d-\d\d/);

    const restore = await cli(work, 'batches', 'restore', wrong.batch_id, '--lake', 's3://lake/');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/restored invoices batch .* the next Athena build reads it again/);
    expect(await store().readText(`retired/invoices/${wrong.sha256}.json`)).toBeUndefined();
    expect((await committedDataKeys(store(), 'invoices')).length).toBe(2);
  });

  it('is refused while a build holds the lake', async () => {
    const list = JSON.parse((await cli(work, 'batches', '--lake', 's3://lake/', '--json')).stdout) as { batch_id: string }[];
    const lock = { owner: 'build-models lambda', acquired_at: new Date().toISOString(), expires_at: new Date(Date.now() + 600_000).toISOString() };
    await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'marts/_build.lock', Body: JSON.stringify(lock) }));
    const r = await cli(work, 'batches', 'retire', list[0]!.batch_id, '--lake', 's3://lake/');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a build of this lake is running \(build-models lambda, since .*\); retire after it finishes/);
  });
});
