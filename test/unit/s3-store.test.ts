import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { openLakeStore } from '../../src/lake/open-store.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

let s3: TestS3;
let work: string;

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('lake-bucket');
  work = mkdtempSync(join(tmpdir(), 'creditlake-s3store-'));
});
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('parseS3Uri', () => {
  it('splits bucket and a normalised prefix', () => {
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Uri('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Uri('s3://my-bucket/a//b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b/' });
    expect(() => parseS3Uri('/local/lake')).toThrow(/not an S3 location/);
  });

  it('opens the store the lake location names', async () => {
    expect(await openLakeStore('s3://b-1/x')).toBeInstanceOf(S3LakeStore);
    expect(await openLakeStore(work)).toBeInstanceOf(LocalLakeStore);
  });
});

describe('S3LakeStore against an S3-protocol server', () => {
  const store = () => new S3LakeStore(s3.client, parseS3Uri('s3://lake-bucket/tenant-a'));

  it('writes, reads and tests text objects under its prefix', async () => {
    const st = store();
    expect(await st.readText('manifests/invoices/abc.json')).toBeUndefined();
    expect(await st.exists('manifests/invoices/abc.json')).toBe(false);
    await st.writeText('manifests/invoices/abc.json', '{"a":1}\n');
    expect(await st.readText('manifests/invoices/abc.json')).toBe('{"a":1}\n');
    expect(await st.exists('manifests/invoices/abc.json')).toBe(true);
    // The object really lives under the prefix in the bucket.
    const raw = await s3.client.send(new GetObjectCommand({ Bucket: 'lake-bucket', Key: 'tenant-a/manifests/invoices/abc.json' }));
    expect(await raw.Body!.transformToString()).toBe('{"a":1}\n');
    expect(st.uriOf('raw/invoices/')).toBe('s3://lake-bucket/tenant-a/raw/invoices');
  });

  it('uploads files, lists recursively and sorted, and does not match sibling prefixes', async () => {
    const st = store();
    const f = join(work, 'b.parquet');
    writeFileSync(f, Buffer.from('PAR1 fake parquet bytes PAR1'));
    await st.putFile(f, 'raw/invoices/ingest_date=2024-02-01/b.parquet');
    await st.putFile(f, 'raw/invoices/ingest_date=2024-01-01/a.parquet');
    await st.putFile(f, 'raw/invoices_old/x.parquet');
    expect(await st.list('raw/invoices')).toEqual([
      'raw/invoices/ingest_date=2024-01-01/a.parquet',
      'raw/invoices/ingest_date=2024-02-01/b.parquet',
    ]);
    expect(await st.list('nothing/here')).toEqual([]);
  });

  it('deletes single keys (missing ones too) and whole prefixes', async () => {
    const st = store();
    await st.delete('does/not/exist.json');
    for (let i = 0; i < 5; i++) await st.writeText(`marts/ar_aging/part-${i}.parquet`, String(i));
    await st.writeText('marts/ar_aging_other/keep.parquet', 'k');
    expect(await st.deletePrefix('marts/ar_aging')).toBe(5);
    expect(await st.list('marts/ar_aging')).toEqual([]);
    expect(await st.list('marts/ar_aging_other')).toEqual(['marts/ar_aging_other/keep.parquet']);
    await st.delete('marts/ar_aging_other/keep.parquet');
    expect(await st.exists('marts/ar_aging_other/keep.parquet')).toBe(false);
  });

  it('pages through listings longer than one response (mocked S3: s3rver cannot page on Node 20)', async () => {
    const mock = mockClient(S3Client);
    mock
      .on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({ Contents: [{ Key: 'p/q/t/2.parquet' }, { Key: 'p/q/t/0.parquet' }], IsTruncated: true, NextContinuationToken: 'next' })
      .on(ListObjectsV2Command, { ContinuationToken: 'next' })
      .resolves({ Contents: [{ Key: 'p/q/t/1.parquet' }, { Key: 'p/q/t/sub/' }], IsTruncated: false });
    const st = new S3LakeStore(new S3Client({ region: 'eu-west-1' }), parseS3Uri('s3://b-1/p'), 2);
    expect(await st.list('q/t')).toEqual(['q/t/0.parquet', 'q/t/1.parquet', 'q/t/2.parquet']);
    const calls = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.Prefix, c.MaxKeys, c.ContinuationToken])).toEqual([
      ['p/q/t/', 2, undefined],
      ['p/q/t/', 2, 'next'],
    ]);
    mock.restore();
  });
});
