/**
 * Faults of the AWS pipeline, through the same handlers and state-machine steps that run on AWS, with
 * Athena and Glue as API fakes (statements recorded, CTAS writes an object where Athena would, a data
 * test answers a failing row on demand): a redelivered event, a build killed between two marts, a
 * failing data test, a CLI build holding the lake, a transient statement failure. These exercise the
 * orchestration, the lake lock and the publish protocol, whatever the SQL says; each would cost a full
 * build on a real engine. The same pipeline with every statement executed on the real Trino behind an
 * Athena API stand-in is test/e2e/aws-pipeline.test.ts.
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
import { createBuildStepHandler, stepDepsFromEnv } from '../../functions/build-step.js';
import type { StepDeps } from '../../src/aws/build-steps.js';
import { ExecutionKilled, type RunOptions } from '../support/state-machine.js';
import { athenaSync, BuildExecutions, stackBuildDefinition } from '../support/build-executions.js';
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
import { withConditionalPuts } from '../support/conditional-s3.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
const pool = testPool();
let s3: TestS3;
let work: string;
let statements: string[];
let killAt: RegExp | undefined;
/** A data test that finds a failing row. */
let failingTest: RegExp | undefined;
/** Glue refuses the n-th table switch from now (a publish stopped there). */
let refuseSwitch: number | undefined;
/** Statements that fail once with a transient error. */
let flaky: RegExp | undefined;
const flakyFailed = new Set<number>();
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
  if (sql.startsWith('SELECT count(*) OVER ()')) return result(['failing_rows__', 'detail'], failingTest?.test(sql) ? [['1', 'duplicate']] : []);
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
    // The id first: parallel steps start statements while this one writes its object.
    const id = String(statements.push(i.QueryString));
    const loc = /external_location = 's3:\/\/lake\/([^']+)'/.exec(i.QueryString);
    if (loc && !killAt?.test(i.QueryString) && !flaky?.test(i.QueryString)) await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: `${loc[1]}part-0.parquet`, Body: 'PAR1' }));
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).callsFake(async (i: { QueryExecutionId: string }) => {
    const sql = statements[Number(i.QueryExecutionId) - 1]!;
    const id = Number(i.QueryExecutionId);
    if (killAt?.test(sql)) return { QueryExecution: { Query: sql, Status: { State: 'CANCELLED', StateChangeReason: 'build killed' } } };
    if (flaky?.test(sql) && (flakyFailed.has(id) || ![...flakyFailed].some((f) => statements[f - 1] === sql))) {
      flakyFailed.add(id);
      return { QueryExecution: { Query: sql, Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'GENERIC_INTERNAL_ERROR: worker lost' } } } };
    }
    return { QueryExecution: { Query: sql, Status: { State: 'SUCCEEDED' }, StatementType: sql.startsWith('SELECT') ? 'DML' : 'DDL', Statistics: { DataScannedInBytes: 1024 } } };
  });
  athena.on(GetQueryResultsCommand).callsFake(async (i: { QueryExecutionId: string }) => answer(statements[Number(i.QueryExecutionId) - 1]!));
  glue.on(GetTableCommand).callsFake(async (i: { Name: string }) => {
    if (i.Name.startsWith('raw_')) return { Table: { Name: i.Name, StorageDescriptor: { Location: `s3://lake/raw/${i.Name.slice(4)}/` } } };
    if (!martTables.has(i.Name)) throw Object.assign(new Error('no table'), { name: 'EntityNotFoundException' });
    return { Table: { Name: i.Name, StorageDescriptor: { Location: martTables.get(i.Name) } } };
  });
  glue.on(BatchCreatePartitionCommand).callsFake(async (i: { TableName: string; PartitionInputList: { Values: string[] }[] }) => {
    const days = partitions.get(i.TableName) ?? new Set<string>();
    partitions.set(i.TableName, days);
    for (const p of i.PartitionInputList) days.add(p.Values[0]!);
    return { Errors: [] };
  });
  const putTable = async (i: { TableInput: TableInput }) => {
    if (refuseSwitch !== undefined && --refuseSwitch === 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
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
/** The lake for the build lock: s3rver ignores conditional puts, so they are checked in the test. */
const lockLake = () => withConditionalPuts(lake());
const engineOptions = () => ({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'creditlake', database: 'creditlake', sleep: async () => {} });
const engine = () => new AthenaEngine(engineOptions());
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
const executions = new BuildExecutions(stackBuildDefinition(), athenaSync(new AthenaClient({ region: 'eu-west-1' })).run);
const steps = (over: Partial<StepDeps> = {}) =>
  createBuildStepHandler({
    engine: engine(),
    engineOptions: engineOptions(),
    store: lake(),
    glue: new GlueClient({ region: 'eu-west-1' }),
    config: defaultConfig(),
    deployedConfig: {},
    lock: new BuildLock(lockLake(), { ttlMs: 60 * 60_000 }),
    executionRunning: executions.isRunning,
    log: jsonLogger({}, () => undefined),
    ...over,
  });
/** One execution of the build state machine; resolves with its output, rejects with its error. */
const build = (opts: Partial<RunOptions> = {}, over: Partial<StepDeps> = {}) => executions.run(steps(over), opts);
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

describe('pipeline faults on an Athena API fake: readers see only complete, previous-or-new marts', () => {
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

  it('builds as the state machine under the lake lock, layer by layer, each statement through Athena .sync; publishes new mart versions and records the catalog; the lock is free afterwards', async () => {
    const report = await build();
    expect(report.failed_tests).toEqual([]);
    expect(report).toMatchObject({ ok: true, published: true });
    firstBuild = report.build_id;
    expect(martTables.get('dso_monthly')).toBe(`s3://lake/marts/dso_monthly/${firstBuild}/`);
    const marker = (await readBuildMarker(lake()))!;
    expect(marker).toMatchObject({ build_id: firstBuild, ok: true });
    expect((marker.catalog as { values: { as_of: string[] } }).values.as_of).toEqual(['2024-01-31']);
    expect(marker.scanned?.bytes_scanned).toBeGreaterThan(0);
    expect(report.scanned.bytes_scanned).toBeGreaterThan(0);
    expect(await lake().list('marts/_build.lock')).toEqual([]);
    // The build's own state in the lake is gone with it.
    expect(await lake().list('marts/_builds')).toEqual([]);
    // The staging views read committed batches only.
    expect(statements.find((q) => q.startsWith('CREATE OR REPLACE VIEW stg_invoices'))).toContain('FROM manifests_invoices');
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

  it('a build killed between two marts leaves readers on the previous, complete marts; the next build takes the lock of the dead one', async () => {
    await expect(
      build({
        beforeState: (name, input) => {
          if (name === 'RunStatement' && /^CREATE TABLE dso_monthly__ctas_/.test(input.advance.statement)) throw new ExecutionKilled('stopped');
        },
      }),
    ).rejects.toThrow(ExecutionKilled);
    expect(martTables.get('dso_monthly')).toBe(`s3://lake/marts/dso_monthly/${firstBuild}/`);
    expect(martTables.get('ar_aging')).toBe(`s3://lake/marts/ar_aging/${firstBuild}/`);
    expect((await readBuildMarker(lake()))!.build_id).toBe(firstBuild);
    const cookie = [`cl_id=${pool.idToken()}`];
    expect((await request('/api/slices/dso_trend', cookie, 'period=3m')).statusCode).toBe(200);
    // The killed execution still holds the lock; it is not running, so the next build takes over at once.
    expect((await new BuildLock(lake()).current())?.info.owner).toMatch(/^sfn:.*run-2$/);
    const next = await build();
    expect(next).toMatchObject({ ok: true, published: true });
    const folders = new Set((await lake().list('marts/ar_aging')).map((k) => k.split('/')[2]));
    expect(folders.has(next.build_id) && folders.has(firstBuild)).toBe(true);
    // The killed build's half-written versions are swept at the next publish.
    expect(folders.size).toBe(2);
    firstBuild = next.build_id;
  });

  it('a failing data test fails the execution and publishes nothing: previous marts, no new folders or temporary tables, lock free', async () => {
    failingTest = /unique__dso_monthly|GROUP BY.*HAVING count\(\*\) > 1/;
    const before = statements.length;
    try {
      await expect(build()).rejects.toMatchObject({ error: 'DataTestsFailed' });
    } finally {
      failingTest = undefined;
    }
    expect(martTables.get('dso_monthly')).toBe(`s3://lake/marts/dso_monthly/${firstBuild}/`);
    expect((await readBuildMarker(lake()))!.build_id).toBe(firstBuild);
    // Only the published version and the one before it (kept for rollback): the failed build's are gone.
    const folders = [...new Set((await lake().list('marts/dso_monthly')).map((k) => k.split('/')[2]))];
    expect(folders).toContain(firstBuild);
    expect(folders.every((f) => f! <= firstBuild)).toBe(true);
    const drops = statements.slice(before).filter((q) => /^DROP TABLE IF EXISTS \w+__ctas_/.test(q));
    expect(drops.length).toBeGreaterThan(0);
    expect(await lake().list('marts/_build.lock')).toEqual([]);
  });

  it('a build stopped during its publish, between two marts\' table switches, fails and points the switched marts back: readers on the previous, complete marts', async () => {
    refuseSwitch = 4;
    try {
      await expect(build()).rejects.toMatchObject({ error: 'BuildFailed' });
    } finally {
      refuseSwitch = undefined;
    }
    for (const [name, location] of martTables) {
      expect(location, name).toBe(`s3://lake/marts/${name}/${firstBuild}/`);
      expect(await lake().list(location.replace('s3://lake/', '')), name).not.toEqual([]);
    }
    expect((await readBuildMarker(lake()))!.build_id).toBe(firstBuild);
    expect(await lake().list('marts/_build.lock')).toEqual([]);
  });

  it('waits for a CLI build that holds the lake (Plan retried with backoff), then builds', async () => {
    const cli = await new BuildLock(lockLake(), { ttlMs: 15 * 60_000 }).acquire('cli:laptop');
    expect(cli.acquired).toBe(true);
    const retries: string[] = [];
    const report = await build({
      onRetry: async (name, error) => {
        retries.push(`${name} ${error}`);
        if (cli.acquired) await cli.lock.release();
      },
    });
    expect(retries).toEqual(['Plan BuildLocked']);
    expect(report).toMatchObject({ ok: true, published: true });
    firstBuild = report.build_id;
  });

  it('builds with the config the stack deployed (CREDITLAKE_CONFIG, read as the step Lambda reads it): the marts compile with it and the marker records it for CLI builds', async () => {
    const env = { LAKE_URI: 's3://lake/', ATHENA_WORKGROUP: 'creditlake', GLUE_DATABASE: 'creditlake' };
    const deployed = { aging: { bucket_edges: [30, 60, 120] } };
    const fromEnv = stepDepsFromEnv({ ...env, CREDITLAKE_CONFIG: JSON.stringify(deployed) });
    expect(fromEnv.deployedConfig).toEqual(deployed);
    // A config the synth would have refused fails the Lambda's start, naming the field.
    expect(() => stepDepsFromEnv({ ...env, CREDITLAKE_CONFIG: '{"aging":{"bucket_edges":[60,30]}}' })).toThrow(/CREDITLAKE_CONFIG[\s\S]*aging\.bucket_edges/);
    const before = statements.length;
    const report = await build({}, { config: fromEnv.config, deployedConfig: fromEnv.deployedConfig });
    expect(report).toMatchObject({ ok: true, published: true });
    const aging = statements.slice(before).find((q) => /^CREATE TABLE ar_aging__ctas_/.test(q))!;
    expect(aging).toContain("'61-120'");
    expect(aging).not.toContain("'>90'");
    expect((await readBuildMarker(lake()))!.config).toEqual(deployed);
    firstBuild = report.build_id;
  });

  it('retries a statement that failed transiently after a backoff, from a clean folder, and publishes', async () => {
    flaky = /^CREATE TABLE ar_aging__ctas_/;
    const waits: number[] = [];
    try {
      const report = await build({ waits });
      expect(report).toMatchObject({ ok: true, published: true });
    } finally {
      flaky = undefined;
    }
    expect(waits).toEqual([15]);
    expect(flakyFailed.size).toBe(1);
  });
});
