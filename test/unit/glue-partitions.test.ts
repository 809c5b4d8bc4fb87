/**
 * Partitions that match the data: the raw tables have no projection; each committed batch registers
 * its day in Glue (the ingest Lambda, through the real handler on an S3-protocol server), so Athena plans
 * only days that hold data. A re-delivered event registers nothing new and fails nothing; an ingest that
 * died after its commit but before registering is healed by the redelivery.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  BatchCreatePartitionCommand,
  GetTableCommand,
  GlueClient,
  type BatchCreatePartitionCommandInput,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest.js';
import { gluePartitionRegistrar, partitionOfKey } from '../../src/aws/glue-partitions.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const glue = mockClient(GlueClient);
/** What Glue holds: table → registered days. */
let registered: Map<string, Set<string>>;
let failNext = false;

beforeEach(() => {
  glue.reset();
  registered = new Map();
  glue.on(GetTableCommand).callsFake(async (input: { Name: string }) => ({
    Table: {
      Name: input.Name,
      StorageDescriptor: {
        Location: `s3://lake/raw/${input.Name.slice(4)}/`,
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        Columns: [{ Name: 'document_id', Type: 'string' }],
      },
    },
  }));
  glue.on(BatchCreatePartitionCommand).callsFake(async (input: BatchCreatePartitionCommandInput) => {
    if (failNext) {
      failNext = false;
      throw new Error('Glue throttled');
    }
    const days = registered.get(input.TableName!) ?? new Set<string>();
    registered.set(input.TableName!, days);
    const Errors = [];
    for (const p of input.PartitionInputList!) {
      const day = p.Values![0]!;
      if (days.has(day)) Errors.push({ PartitionValues: [day], ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' } });
      days.add(day);
    }
    return { Errors };
  });
});
afterAll(() => glue.restore());

describe('partition registrar', () => {
  it('reads the day from a committed data key and nothing else', () => {
    expect(partitionOfKey('raw/invoices/ingest_date=2026-12-02/20261202T100000Z-abc.parquet')).toEqual({ table: 'invoices', day: '2026-12-02' });
    for (const k of ['raw/invoices/_tmp/x.parquet', 'quarantine/invoices/x.parquet', 'raw/invoices/ingest_date=2026-12-02/x.json']) expect(partitionOfKey(k), k).toBeUndefined();
  });

  it('registers each day once with the table storage at the day folder, and tolerates days already there', async () => {
    const r = gluePartitionRegistrar({ client: new GlueClient({ region: 'eu-west-1' }), database: 'creditlake' });
    const keys = ['raw/invoices/ingest_date=2026-12-01/a.parquet', 'raw/invoices/ingest_date=2026-12-02/b.parquet', 'raw/invoices/ingest_date=2026-12-02/c.parquet'];
    expect(await r.register(keys)).toEqual(['raw_invoices/ingest_date=2026-12-01', 'raw_invoices/ingest_date=2026-12-02']);
    const call = glue.commandCalls(BatchCreatePartitionCommand)[0]!.args[0].input;
    expect(call.PartitionInputList!.map((p) => [p.Values, p.StorageDescriptor!.Location])).toEqual([
      [['2026-12-01'], 's3://lake/raw/invoices/ingest_date=2026-12-01/'],
      [['2026-12-02'], 's3://lake/raw/invoices/ingest_date=2026-12-02/'],
    ]);
    expect(call.PartitionInputList![0]!.StorageDescriptor!.Columns).toEqual([{ Name: 'document_id', Type: 'string' }]);
    expect(await r.register(keys)).toEqual([]);
    // The table's storage descriptor is read once per table and cold start.
    expect(glue.commandCalls(GetTableCommand)).toHaveLength(1);
  });
});

describe('the ingest handler registers what it commits', () => {
  let s3: TestS3;
  let work: string;
  const CSV = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id\nINV-1,C1,invoice,2024-01-05,2024-02-04,EUR,1210.00,,\n';
  const event = (key: string) => ({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key } } }] });
  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.createBucket('landing');
    await s3.createBucket('lake');
    work = mkdtempSync(join(tmpdir(), 'creditlake-partitions-'));
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(work, { recursive: true, force: true });
  });
  const handler = () =>
    createIngestHandler({
      s3: s3.client,
      lake: new S3LakeStore(s3.client, parseS3Uri('s3://lake/')),
      partitions: gluePartitionRegistrar({ client: new GlueClient({ region: 'eu-west-1' }), database: 'creditlake' }),
      scratchDir: work,
      resources: { threads: 1, memoryLimit: '256MB' },
      maxRejectRate: 1,
      log: jsonLogger({}, () => undefined),
    });

  it('a committed batch registers its day; a registration that failed is healed by the redelivered event', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: 'invoices/a.csv', Body: CSV }));
    failNext = true;
    // Committed, then Glue failed: the handler fails so Lambda retries the event.
    await expect(handler()(event('invoices/a.csv'))).rejects.toThrow(/Glue throttled/);
    expect(registered.size).toBe(0);
    const retry = await handler()(event('invoices/a.csv'));
    expect(retry[0]).toMatchObject({ status: 'skipped' });
    const today = new Date().toISOString().slice(0, 10);
    expect([...registered.get('raw_invoices')!]).toEqual([today]);
    // Once more: nothing new, no error.
    await handler()(event('invoices/a.csv'));
    expect([...registered.get('raw_invoices')!]).toEqual([today]);
  });
});
