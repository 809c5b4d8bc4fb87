/**
 * The AWS pipeline end to end on this machine, through the same handlers that run in Lambda: a feed
 * dropped in the landing bucket (S3-protocol server) is ingested and its day registered in Glue, a
 * debounced build is requested, the build (holding the lake's lock) writes new mart versions and
 * publishes them with the catalog in the marker, and the dashboards gate answers a signed-in request
 * and refuses an anonymous one. Athena and Glue are API fakes here (statements are recorded, CTAS writes
 * an object where Athena would); faults: a redelivered event, a build killed between two marts.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, CreateTableCommand, GetTableCommand, GlueClient, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildHandler } from '../../functions/build-models.js';
import { createHandler } from '../../functions/dashboard-api.js';
import { createIngestHandler } from '../../functions/ingest.js';
import { BuildLock } from '../../src/aws/build-lock.js';
import { gluePartitionRegistrar } from '../../src/aws/glue-partitions.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { cognitoIdTokenVerifier } from '../../src/aws/auth/verifier.js';
import { s3SiteFiles } from '../../src/aws/site-files.js';
import { createWebGate } from '../../src/aws/web-gate.js';
import { defaultConfig } from '../../src/config/config.js';
import { readBuildMarker } from '../../src/lake/build-marker.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { TEST_POOL, testPool } from '../support/cognito-tokens.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
const pool = testPool();
let s3: TestS3;
let work: string;
let statements: string[];
let killAt: RegExp | undefined;
const partitions = new Map<string, Set<string>>();
const martTables = new Map<string, string>();
const buildRequests: string[] = [];

const CSV = [
  'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id',
  'INV-1,C1,invoice,2024-01-05,2024-02-04,EUR,1210.00,,',
  'INV-2,C2,invoice,2024-01-06,2024-01-20,EUR,99.95,2024-01-19,',
].join('\n');

function result(columns: string[], rows: string[][]) {
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) },
      Rows: [{ Data: columns.map((c) => ({ VarCharValue: c })) }, ...rows.map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) }))],
    },
  };
}

/** What the fake Athena answers: the catalog, the as-of dates, the DSO slice; data tests find nothing. */
function answer(sql: string) {
  if (sql.startsWith('SELECT count(*) OVER ()')) return result(['failing_rows__', 'detail'], []);
  if (sql.includes('information_schema.columns')) return result(['table_name', 'column_name'], [['ar_aging', 'as_of_date'], ['ar_aging', 'group_by'], ['ar_aging', 'group_value'], ['dso_monthly', 'month'], ['dso_monthly', 'dso']]);
  if (sql.includes('AS d FROM ar_aging')) return result(['v'], [['2024-01-31']]);
  if (sql.includes('FROM dso_monthly')) return result(['month', 'dso'], [['2024-01-01', '41.5']]);
  return result(['v'], []);
}

beforeAll(async () => {
  s3 = await startTestS3();
  for (const b of ['landing', 'lake', 'site']) await s3.createBucket(b);
  await s3.client.send(new PutObjectCommand({ Bucket: 'site', Key: 'index.html', Body: '<!doctype html><title>Creditlake</title>' }));
  work = mkdtempSync(join(tmpdir(), 'creditlake-aws-e2e-'));
  statements = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (i: { QueryString: string }) => {
    statements.push(i.QueryString);
    const loc = /external_location = 's3:\/\/lake\/([^']+)'/.exec(i.QueryString);
    if (loc && !killAt?.test(i.QueryString)) await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: `${loc[1]}part-0.parquet`, Body: 'PAR1' }));
    return { QueryExecutionId: String(statements.length) };
  });
  athena.on(GetQueryExecutionCommand).callsFake(async (i: { QueryExecutionId: string }) => {
    const sql = statements[Number(i.QueryExecutionId) - 1]!;
    if (killAt?.test(sql)) return { QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'build killed' } } };
    return { QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: sql.startsWith('SELECT') ? 'DML' : 'DDL', Statistics: { DataScannedInBytes: 1024 } } };
  });
  athena.on(GetQueryResultsCommand).callsFake(async (i: { QueryExecutionId: string }) => answer(statements[Number(i.QueryExecutionId) - 1]!));
  glue.on(GetTableCommand).callsFake(async (i: { Name: string }) => {
    if (i.Name.startsWith('raw_')) return { Table: { Name: i.Name, StorageDescriptor: { Location: `s3://lake/raw/${i.Name.slice(4)}/` } } };
    if (!martTables.has(i.Name)) throw Object.assign(new Error('no table'), { name: 'EntityNotFoundException' });
    return { Table: { Name: i.Name } };
  });
  glue.on(BatchCreatePartitionCommand).callsFake(async (i: { TableName: string; PartitionInputList: { Values: string[] }[] }) => {
    const days = partitions.get(i.TableName) ?? new Set<string>();
    partitions.set(i.TableName, days);
    for (const p of i.PartitionInputList) days.add(p.Values[0]!);
    return { Errors: [] };
  });
  const putTable = async (i: { TableInput: TableInput }) => {
    martTables.set(i.TableInput.Name!, i.TableInput.StorageDescriptor!.Location!);
    return {};
  };
  glue.on(CreateTableCommand).callsFake(putTable);
  glue.on(UpdateTableCommand).callsFake(putTable);
});
afterAll(async () => {
  athena.restore();
  glue.restore();
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

const lake = () => new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
const engine = () => new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'creditlake', database: 'creditlake', sleep: async () => {} });
const dropEvent = (key: string) => ({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key } } }] });
const ingest = () =>
  createIngestHandler({
    s3: s3.client,
    lake: lake(),
    partitions: gluePartitionRegistrar({ client: new GlueClient({ region: 'eu-west-1' }), database: 'creditlake' }),
    requestBuild: async (r) => {
      buildRequests.push(r.batchId);
    },
    scratchDir: work,
    resources: { threads: 1, memoryLimit: '256MB' },
    maxRejectRate: 0,
    log: jsonLogger({}, () => undefined),
  });
const build = () =>
  createBuildHandler({ engine: engine(), store: lake(), config: defaultConfig(), log: jsonLogger({}, () => undefined), lock: new BuildLock(lake()), deployedConfig: {} });
const gate = () =>
  createWebGate({
    hostedUi: async () => ({ domainUrl: 'https://acme.auth.eu-west-1.amazoncognito.com', clientId: TEST_POOL.clientId, publicOrigin: 'https://d1.cloudfront.net' }),
    verify: async () => cognitoIdTokenVerifier({ userPoolId: TEST_POOL.userPoolId, clientId: TEST_POOL.clientId, jwks: pool.jwks }),
    fetch: async () => ({ ok: false, status: 400, json: async () => ({}) }),
    api: async (e) => (await createHandler({ athena: engine(), buildMarker: () => readBuildMarker(lake()) })(e)) as never,
    site: s3SiteFiles(s3.client, 'site'),
  });
const request = (path: string, cookies?: string[], query = '') =>
  gate()({ rawPath: path, rawQueryString: query, cookies, headers: {}, requestContext: { http: { method: 'GET' } } } as unknown as APIGatewayProxyEventV2);

describe('drop → ingest → build → signed-in dashboards', () => {
  let firstBuild: string;

  it('ingests a dropped feed, registers its day, requests one build; a redelivered event changes nothing', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: 'invoices/jan.csv', Body: CSV }));
    const [o] = await ingest()(dropEvent('invoices/jan.csv'));
    expect(o).toMatchObject({ status: 'loaded', rowsLoaded: 2 });
    expect([...partitions.get('raw_invoices')!]).toEqual([new Date().toISOString().slice(0, 10)]);
    expect(buildRequests).toEqual([o!.batchId]);
    const before = await lake().list('');
    const [again] = await ingest()(dropEvent('invoices/jan.csv'));
    expect(again).toMatchObject({ status: 'skipped' });
    expect(await lake().list('')).toEqual(before);
    expect(buildRequests).toHaveLength(1);
  });

  it('builds under the lake lock, publishes new mart versions and records the catalog; the lock is free afterwards', async () => {
    const report = await build()({ Records: [{ body: '{"reason":"ingest"}' }] }, { awsRequestId: 'req-1' });
    expect(report.tests.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? t.failingRows}`)).toEqual([]);
    expect(report).toMatchObject({ ok: true, published: true });
    firstBuild = report.build_id;
    expect(martTables.get('dso_monthly')).toBe(`s3://lake/marts/dso_monthly/${firstBuild}/`);
    const marker = (await readBuildMarker(lake()))!;
    expect(marker).toMatchObject({ build_id: firstBuild, ok: true });
    expect((marker.catalog as { values: { as_of: string[] } }).values.as_of).toEqual(['2024-01-31']);
    expect(await lake().list('marts/_build.lock')).toEqual([]);
    expect(report.scanned.bytes_scanned).toBeGreaterThan(0);
  });

  it('answers a signed-in request with the published marts and refuses an anonymous one', async () => {
    expect((await request('/api/slices/dso_trend', undefined, 'period=3m')).statusCode).toBe(401);
    expect((await request('/cfo')).statusCode).toBe(302);
    const cookie = [`cl_id=${pool.idToken({ 'cognito:groups': ['cfo'] })}`];
    const before = statements.length;
    const res = await request('/api/slices/dso_trend', cookie, 'period=3m');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ status: 'ok', data_as_of: '2024-01-31', rows: [{ month: '2024-01-01' }] });
    // The catalog came from the marker: the only statement is the slice.
    expect(statements.slice(before).map((s) => s.includes('FROM dso_monthly'))).toEqual([true]);
    const page = await request('/cfo', cookie);
    expect(page).toMatchObject({ statusCode: 200, body: '<!doctype html><title>Creditlake</title>' });
  });

  it('a build killed between two marts leaves readers on the previous, complete marts', async () => {
    killAt = /^CREATE TABLE dso_monthly__ctas_/;
    try {
      await expect(build()({ Records: [{ body: '{"reason":"schedule"}' }] }, { awsRequestId: 'req-2' })).rejects.toThrow(/model dso_monthly failed on athena/);
    } finally {
      killAt = undefined;
    }
    expect(martTables.get('dso_monthly')).toBe(`s3://lake/marts/dso_monthly/${firstBuild}/`);
    expect(martTables.get('ar_aging')).toBe(`s3://lake/marts/ar_aging/${firstBuild}/`);
    expect((await readBuildMarker(lake()))!.build_id).toBe(firstBuild);
    const folders = new Set((await lake().list('marts/ar_aging')).map((k) => k.split('/')[2]));
    expect([...folders]).toEqual([firstBuild]);
    // The lock was released on the way out; the next build can run.
    expect(await lake().list('marts/_build.lock')).toEqual([]);
    const cookie = [`cl_id=${pool.idToken()}`];
    expect((await request('/api/slices/dso_trend', cookie, 'period=3m')).statusCode).toBe(200);
  });
});
