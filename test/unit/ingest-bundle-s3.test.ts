import { PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_FILES } from '../../infra/constructs/pipeline-functions.js';
import { bundleHandler, type BundleResult } from '../../infra/lambda-code.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

/**
 * The deployed artefact, not the source: the esbuild bundle of the ingest handler, run in a fresh
 * Node from its own folder with Lambda-like environment variables, ingests a mapped xlsx, an
 * e-invoice and a credit report from an S3-protocol server. This is what finds a data file
 * (preset, SBI codes) missing from the bundle.
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const run = promisify(execFile);

let s3: TestS3;
let bundle: BundleResult;

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('landing');
  await s3.createBucket('lake');
  bundle = bundleHandler('functions/ingest.ts', { copyDirs: INGEST_FILES });
});
afterAll(async () => {
  await s3?.close();
  if (bundle) rmSync(bundle.dir, { recursive: true, force: true });
});

async function invokeBundle(keys: string[]): Promise<{ outcomes: Record<string, unknown>[]; logs: Record<string, unknown>[] }> {
  const event = {
    Records: keys.map((key) => ({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'landing' }, object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/') } },
    })),
  };
  const script = `const m = await import('./index.mjs'); const out = await m.handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-1' }); console.log('RESULT ' + JSON.stringify(out));`;
  // Async: the S3 server answers from this process's event loop.
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: bundle.dir,
    env: {
      PATH: process.env.PATH,
      LAKE_URI: 's3://lake/',
      SCRATCH_DIR: bundle.dir,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_LAMBDA_FUNCTION_NAME: 'creditlake-ingest-test',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    },
  });
  const lines = stdout.trim().split('\n');
  const result = lines.find((l) => l.startsWith('RESULT '));
  return {
    outcomes: JSON.parse(result!.slice('RESULT '.length)),
    logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
  };
}

describe('the bundled ingest handler (what Lambda runs)', () => {
  it('ingests a mapped xlsx, an e-invoice and a credit report from S3 into the S3 lake', async () => {
    const drops: [string, string][] = [
      ['mapped/exact-online-receivables/sheet=Openstaande posten/export-2024-02-16.xlsx', join(FIXTURES, 'erp', 'exact-online-receivables.xlsx')],
      ['einvoices/SI-UBL-2.0_ok_minimal.xml', join(FIXTURES, 'ubl', 'si-ubl', 'SI-UBL-2.0_ok_minimal.xml')],
      ['credit-reports/graydon-export.csv', join(FIXTURES, 'credit-reports', 'graydon-export.csv')],
    ];
    for (const [key, file] of drops) await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: readFileSync(file) }));
    const { outcomes, logs } = await invokeBundle(drops.map(([k]) => k));
    expect(outcomes).toMatchObject([
      { feed: 'mapped:exact-online-receivables', status: 'loaded', rowsLoaded: 3, rowsRejected: 0 },
      { feed: 'einvoice', status: 'loaded', rowsLoaded: 1 },
      { feed: 'credit-report', status: 'loaded' },
    ]);
    expect(outcomes[2]!.rowsRejected).toBeGreaterThan(0);
    const keys = await new S3LakeStore(s3.client, parseS3Uri('s3://lake/')).list('');
    for (const o of outcomes) expect(keys.filter((k) => k.includes(String(o.batchId))).length, String(o.feed)).toBeGreaterThan(1);
    expect(logs.filter((l) => l.message === 'ingest committed' && l.request_id === 'bundle-1').map((l) => l.feed)).toEqual(
      outcomes.map((o) => o.feed),
    );
  }, 120_000);
});
