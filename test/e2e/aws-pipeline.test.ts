/**
 * The AWS pipeline end to end on this machine, through the same handlers that run in Lambda, with the
 * statements Athena would run executed for real: a small generated ledger dropped in the landing bucket
 * (S3-protocol server) is ingested and its days registered in Glue, a build is requested, the build
 * runs as the stack's own state machine definition (synthesised by CDK, run by
 * test/support/state-machine.ts: the step Lambda's handler for its tasks, Athena's .sync integration for
 * its statements) holding the lake's lock, every statement runs on the real Trino behind the Athena and
 * Glue API stand-in (test/support/athena-on-trino.ts, over the Glue tables the stack creates) — one of
 * them failing transiently first and retried after a backoff — the new mart versions are published with
 * the catalog in the marker, and the dashboards gate answers a signed-in request from those marts (the
 * same answer `creditlake serve` gives over the DuckDB build of the same files) and refuses an anonymous
 * one. Then the scheduled compaction Lambda rewrites the small raw files, and the staging view Athena
 * reads returns the same rows from the compacted file.
 *
 * Every mart the build publishes equals the DuckDB build of the same files; then a second build of one
 * mart through `build --target athena`'s own code (the runner in one process, not the state machine)
 * and a rollback switch the Glue tables between versions that Trino then reads.
 *
 * One full build on Trino, to stay a few minutes on 2 cores: it was two (this file's and
 * athena-on-trino.test.ts's, the same build of much the same ledger: ~420 s each in CI, most of it
 * Trino analysing the readers' nested views at publish), so that file's checks run on this build. The
 * fault cases (a build killed between two marts, a failing data test, a CLI build holding the lake) are
 * test/e2e/aws-pipeline-faults.test.ts. Needs a Trino (`npm run trino:start`); skipped with one line
 * when none runs, except in CI.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, CreateTableCommand, DeleteTableCommand, GetTableCommand, GlueClient, UpdateTableCommand } from '@aws-sdk/client-glue';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildStepHandler } from '../../functions/build-step.js';
import type { RunOptions } from '../support/state-machine.js';
import { athenaSync, BuildExecutions, stackBuildDefinition } from '../support/build-executions.js';
import { createHandler } from '../../functions/dashboard-api.js';
import { createIngestHandler } from '../../functions/ingest.js';
import { createCompactHandler } from '../../functions/compact.js';
import { ingestBankStatements } from '../../src/feeds/bank-statements/ingest.js';
import { ingestFxRates } from '../../src/feeds/fx-rates/ingest.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { buildWarehouseAthena, rollbackAthena } from '../../src/warehouse/athena/athena-build.js';
import { bankStatementForLedger } from '../support/bank-statement.js';
import { BuildLock } from '../../src/aws/build-lock.js';
import { gluePartitionRegistrar, registerLakePartitions } from '../../src/aws/glue-partitions.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { cognitoIdTokenVerifier } from '../../src/aws/auth/verifier.js';
import { s3SiteFiles } from '../../src/aws/site-files.js';
import { createWebGate } from '../../src/aws/web-gate.js';
import { defaultConfig } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { generateLedger } from '../../src/generator/index.js';
import { readBuildMarker } from '../../src/lake/build-marker.js';
import { committedDataKeys } from '../../src/lake/commit-batch.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { handleApiRequest } from '../../src/serve/api.js';
import { ReadOnlyWarehouse } from '../../src/serve/warehouse.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { AthenaOnTrino } from '../support/athena-on-trino.js';
import { TEST_POOL, testPool } from '../support/cognito-tokens.js';
import { withConditionalPuts } from '../support/conditional-s3.js';
import { diffMarts, diffRows } from '../support/mart-diff.js';
import type { Row } from '../../src/warehouse/engine.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { trinoAvailable } from '../support/trino.js';

const available = await trinoAvailable();

describe.skipIf(!available)('drop → ingest → build on the Athena stand-in over Trino → signed-in dashboards', () => {
  const database = `pipeline_${randomBytes(3).toString('hex')}`;
  // Code that makes its own clients reaches the stand-in too, never AWS.
  const athenaMock = mockClient(AthenaClient);
  const glueMock = mockClient(GlueClient);
  const pool = testPool();
  let s3: TestS3;
  let standIn: AthenaOnTrino;
  let work: string;
  let ledger: string;
  let localLake: string;
  let duck: ReadOnlyWarehouse;
  /** Lake keys of the bank statement's batch (and the rates', if any): no ingest Lambda takes those feeds. */
  let otherFeeds: string[] = [];
  let otherTables: string[] = [];
  /** Statements that fail once with a transient error, between the state machine and Athena. */
  let flaky: RegExp | undefined;
  const buildRequests: string[] = [];

  beforeAll(async () => {
    s3 = await startTestS3();
    for (const b of ['landing', 'lake', 'site']) await s3.createBucket(b);
    await s3.client.send(new PutObjectCommand({ Bucket: 'site', Key: 'index.html', Body: '<!doctype html><title>Creditlake</title>' }));
    work = mkdtempSync(join(tmpdir(), 'creditlake-aws-e2e-'));
    standIn = new AthenaOnTrino({ s3: s3.client });
    standIn.installAthena(athenaMock as never, { StartQueryExecutionCommand, GetQueryExecutionCommand, GetQueryResultsCommand, StopQueryExecutionCommand });
    standIn.installGlue(glueMock as never, { GetTableCommand, CreateTableCommand, UpdateTableCommand, DeleteTableCommand, BatchCreatePartitionCommand });
    // The Glue tables the stack creates (raw tables partitioned by ingest day, commit records as text).
    await standIn.createStackTables(database, 'lake');
    // One small ledger, and the DuckDB build of the same files the marts and the API's answers are
    // checked against: with a bank statement paying open invoices by every matching rule, so
    // bank_receipts and payment_matching have rows to compare.
    ledger = join(work, 'ledger');
    const summary = await generateLedger({ customers: 40, months: 13, seed: '21', outDir: ledger });
    localLake = join(work, 'local-lake');
    for (const table of CANONICAL_TABLES) {
      const file = join(ledger, `${table.name}.csv`);
      if (existsSync(file)) expect((await ingestFiles({ lakeRoot: localLake, table, files: [file], threads: 1 })).ok).toBe(true);
    }
    const local = new LocalLakeStore(localLake);
    const before = new Set(await local.list(''));
    if (summary.fxRates) expect((await ingestFxRates({ lakeRoot: localLake, files: [summary.fxRates.file], reportingCurrency: 'EUR' })).ok).toBe(true);
    expect((await ingestBankStatements({ lakeRoot: localLake, files: [await bankStatementForLedger(ledger)] })).ok).toBe(true);
    otherFeeds = (await local.list('')).filter((k) => !before.has(k) && /^(raw|manifests)\//.test(k));
    otherTables = [...new Set(otherFeeds.filter((k) => k.startsWith('raw/')).map((k) => k.split('/')[1]!))];
    expect(otherTables).toContain('payments');
    expect((await buildWarehouse({ lakeRoot: localLake, config: defaultConfig() })).ok).toBe(true);
    duck = await ReadOnlyWarehouse.open(join(localLake, 'warehouse.duckdb'));
  }, 5 * 60_000);

  afterAll(async () => {
    await duck?.close();
    athenaMock.restore();
    glueMock.restore();
    await standIn?.dropDatabase(database);
    standIn?.close();
    await s3?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 5 * 60_000);

  const lake = () => new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
  /** The lake for the build lock: s3rver ignores conditional puts, so they are checked in the test. */
  const lockLake = () => withConditionalPuts(lake());
  const engineOptions = () => ({ client: standIn.athena as never as AthenaClient, workgroup: 'creditlake', database, pollInitialMs: 20, pollMaxMs: 200 });
  const engine = () => new AthenaEngine(engineOptions());
  const glue = () => standIn.glue as never as GlueClient;
  const statements = () => standIn.executions.map((e) => e.query);
  const dropEvent = (key: string) => ({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key } } }] });
  const ingest = () =>
    createIngestHandler({
      s3: s3.client,
      lake: lake(),
      partitions: gluePartitionRegistrar({ client: glue(), database }),
      requestBuild: async (r) => {
        buildRequests.push(r.batchId);
      },
      scratchDir: work,
      resources: { threads: 1, memoryLimit: '256MB' },
      maxRejectRate: 0,
      log: jsonLogger({}, () => undefined),
    });
  const drop = async (key: string, body: string | Buffer) => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: body }));
    const [o] = await ingest()(dropEvent(key));
    return o!;
  };
  // The first run of a statement matching `flaky` is lost after it wrote its table (see athenaSync).
  const sync = athenaSync({ send: (command) => standIn.athena.send(command as never) }, () => flaky);
  const executions = new BuildExecutions(stackBuildDefinition(database), sync.run);
  const steps = () =>
    createBuildStepHandler({
      engine: engine(),
      engineOptions: engineOptions(),
      store: lake(),
      glue: glue(),
      config: defaultConfig(),
      deployedConfig: {},
      lock: new BuildLock(lockLake(), { ttlMs: 60 * 60_000 }),
      executionRunning: executions.isRunning,
      log: jsonLogger({}, () => undefined),
    });
  /** One execution of the build state machine; resolves with its output, rejects with its error. */
  const build = (opts: Partial<RunOptions> = {}) => executions.run(steps(), opts);
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
  const signedIn = () => [`cl_id=${pool.idToken({ 'cognito:groups': ['cfo'] })}`];
  /** What `creditlake serve` answers over the DuckDB build of the same files. */
  const served = async (path: string, query: Record<string, string>) => JSON.parse((await handleApiRequest(path, query, duck)).body as string);
  const marts = (...names: string[]) => MART_TABLES.filter((m) => names.includes(m.name));
  /** A CSV as two files (header on each). */
  const halves = (csv: string) => {
    const [head, ...rows] = csv.trimEnd().split('\n');
    const mid = Math.ceil(rows.length / 2);
    return [rows.slice(0, mid), rows.slice(mid)].map((r) => `${[head, ...r].join('\n')}\n`);
  };
  /** Temporary CTAS tables left in the Glue database. */
  const ctasTables = async () =>
    (await engine().query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${database}' AND table_name LIKE '%\\_\\_ctas\\_%' ESCAPE '\\'`)).rows;

  let firstBuild: string;
  let firstMarker: Awaited<ReturnType<typeof readBuildMarker>>;
  let dsoAnswer: unknown;

  it('ingests the dropped feeds, registers their days, requests a build per batch; a redelivered event changes nothing', async () => {
    for (const table of CANONICAL_TABLES) {
      const file = join(ledger, `${table.name}.csv`);
      if (!existsSync(file)) continue;
      // Invoices come as two monthly-style exports: two small files for the compaction below.
      const parts = table.name === 'invoices' ? halves(readFileSync(file, 'utf8')) : [readFileSync(file, 'utf8')];
      for (const [i, body] of parts.entries()) expect(await drop(`${table.name}/export-${i + 1}.csv`, body)).toMatchObject({ status: 'loaded' });
    }
    expect(buildRequests.length).toBeGreaterThanOrEqual(5);
    // The ingest day is registered as a partition the raw table then reads.
    const today = new Date().toISOString().slice(0, 10);
    const days = await engine().query(`SELECT DISTINCT CAST(ingest_date AS VARCHAR) AS d FROM raw_invoices`);
    expect(days.rows).toEqual([{ d: today }]);
    const before = await lake().list('');
    const [again] = await ingest()(dropEvent('invoices/export-1.csv'));
    expect(again).toMatchObject({ status: 'skipped' });
    expect(await lake().list('')).toEqual(before);
    expect(buildRequests.length).toBe(CANONICAL_TABLES.filter((t) => existsSync(join(ledger, `${t.name}.csv`))).length + 1);
    // The bank statement comes by other means (no ingest Lambda takes it): its committed batch is put
    // in the lake and its day registered, as the ingest would.
    const localStore = new LocalLakeStore(localLake);
    for (const key of otherFeeds) await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: readFileSync(localStore.pathOf(key)) }));
    await registerLakePartitions(lake(), gluePartitionRegistrar({ client: glue(), database }), otherTables);
    // The partitions a raw scan plans are the registered ones: the one ingest day, where a projection
    // since 2020 would make Athena probe some 2,500 days.
    const count = async (sql: string) => Number((await engine().query(sql)).rows[0]!.n);
    expect(await count(`SELECT count(*) AS n FROM "raw_invoices$partitions"`)).toBe(1);

    // A batch killed before its manifest: its Parquet file is in raw/ (as an ingest dying between the
    // data put and the manifest put leaves it) with an invoice of 1,000,000 that no DuckDB mart has.
    // The raw table lists it; the build below must not read it (its marts are compared with DuckDB's).
    const [head, first] = readFileSync(join(ledger, 'invoices.csv'), 'utf8').split('\n');
    const cols = head!.split(',');
    const row = first!.split(',');
    row[cols.indexOf('document_id')] = 'INV-KILLED-1';
    row[cols.indexOf('amount')] = '1000000.00';
    row[cols.indexOf('settled_date')] = '';
    const killedCsv = join(work, 'killed.csv');
    writeFileSync(killedCsv, `${head}\n${row.join(',')}\n`);
    const killedLake = join(work, 'killed-lake');
    const killed = await ingestFiles({ lakeRoot: killedLake, table: 'invoices', files: [killedCsv], threads: 1 });
    const orphanKey = killed.files[0]!.dataKey!;
    await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: orphanKey, Body: readFileSync(join(killedLake, orphanKey)) }));
    expect(await count(`SELECT count(*) AS n FROM raw_invoices WHERE document_id = 'INV-KILLED-1'`)).toBe(1);
  }, 5 * 60_000);

  it('builds as the state machine under the lake lock, each statement through Athena .sync on Trino (a transient failure retried after a backoff from a clean folder); publishes marts equal to the DuckDB build, records the catalog; the lock is free afterwards', async () => {
    flaky = /^CREATE TABLE dso_monthly__ctas_/;
    const waits: number[] = [];
    let report;
    try {
      report = await build({ waits });
    } finally {
      flaky = undefined;
    }
    // Every model and data test ran on Trino and passed; every mart is published.
    expect(report.failed_tests).toEqual([]);
    expect(report).toMatchObject({ ok: true, published: true });
    expect(standIn.executions.filter((e) => e.state !== 'SUCCEEDED').map((e) => `${e.reason}\n${e.query.slice(0, 200)}`)).toEqual([]);
    // The CTAS statements really carried Athena's properties and S3 locations.
    expect(statements().some((q) => /write_compression = 'SNAPPY'.*external_location = 's3:\/\/lake\/marts\//s.test(q))).toBe(true);
    // The lost statement had written its table and files; the retry ran after 15 s on a clean slate.
    expect(waits).toEqual([15]);
    expect(sync.lost.size).toBe(1);
    expect(statements().filter((q) => /^CREATE TABLE dso_monthly__ctas_/.test(q))).toHaveLength(2);
    firstBuild = report.build_id;
    expect((await glue().send(new GetTableCommand({ DatabaseName: database, Name: 'dso_monthly' })) as { Table: { StorageDescriptor: { Location: string } } }).Table.StorageDescriptor.Location).toBe(
      `s3://lake/marts/dso_monthly/${firstBuild}/`,
    );
    const marker = (await readBuildMarker(lake()))!;
    firstMarker = marker;
    expect(marker).toMatchObject({ build_id: firstBuild, ok: true, engine: 'athena', marts: { dso_monthly: `marts/dso_monthly/${firstBuild}` } });
    expect(Object.keys(marker.marts!).sort()).toEqual(MART_TABLES.map((m) => m.name).sort());
    const asOf = (await duck.query('SELECT CAST(max(as_of_date) AS VARCHAR) AS d FROM ar_aging')).rows[0]!.d;
    expect((marker.catalog as { values: { as_of: string[] } }).values.as_of).toContain(asOf);
    // Bytes scanned are Trino's physical input, as Athena's DataScannedInBytes.
    expect(marker.scanned?.bytes_scanned).toBeGreaterThan(0);
    expect(report.scanned.bytes_scanned).toBeGreaterThanOrEqual(marker.scanned!.bytes_scanned);
    expect(await lake().list('marts/_build.lock')).toEqual([]);
    // The build's own state in the lake is gone with it; no temporary table is left.
    expect(await lake().list('marts/_builds')).toEqual([]);
    expect(await ctasTables()).toEqual([]);
    // The staging views read committed batches only.
    expect(statements().find((q) => q.startsWith('CREATE OR REPLACE VIEW stg_invoices'))).toContain('FROM manifests_invoices');
    // The batch killed before its manifest is invisible: not staged, and (below) no mart differs from DuckDB's.
    expect(Number((await engine().query(`SELECT count(*) AS n FROM stg_invoices WHERE document_id = 'INV-KILLED-1'`)).rows[0]!.n)).toBe(0);
    // Every mart, as Trino reads it through the Glue tables, equals DuckDB's.
    expect(await diffMarts(duck, engine(), ['DuckDB', 'Athena on Trino'])).toEqual([]);
    // A few minutes on an idle machine; Trino's analysis of the readers' nested views at publish slows most under load.
  }, 45 * 60_000);

  it('answers a signed-in request from the published marts, as `creditlake serve` answers over DuckDB, and refuses an anonymous one', async () => {
    expect((await request('/api/slices/dso_trend', undefined, 'period=3m')).statusCode).toBe(401);
    expect((await request('/cfo')).statusCode).toBe(302);
    const before = standIn.executions.length;
    const res = await request('/api/slices/dso_trend', signedIn(), 'period=3m');
    expect(res.statusCode).toBe(200);
    dsoAnswer = JSON.parse(res.body as string);
    const local = await served('/api/slices/dso_trend', { period: '3m' });
    expect(local).toMatchObject({ status: 'ok' });
    expect((dsoAnswer as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
    expect(dsoAnswer).toMatchObject({ status: local.status, data_as_of: local.data_as_of });
    // The same rows, field by field: exact but for floating-point figures (a 3-month rolling DSO is a
    // sum of doubles, which the engines add in their own order), equal to 1e-9 as every mart's DOUBLEs.
    const athenaRows = (dsoAnswer as { rows: Row[] }).rows;
    const types = Object.fromEntries(Object.keys(local.rows[0]).map((k) => [k, local.rows.some((r: Row) => typeof r[k] === 'number') ? 'DOUBLE' : 'VARCHAR']));
    expect(diffRows(local.rows, athenaRows, types, ['serve over DuckDB', 'the gate over Athena on Trino'])).toEqual([]);
    // The catalog came from the marker: the only statement is the slice's.
    expect(statements().slice(before).map((s) => s.includes('dso_monthly'))).toEqual([true]);
    const page = await request('/cfo', signedIn());
    expect(page).toMatchObject({ statusCode: 200, body: '<!doctype html><title>Creditlake</title>' });
  }, 10 * 60_000);

  it('a second build of one mart by `build --target athena` (the runner in one process) makes only what it needs and keeps the readers\' views; a rollback switches the Glue table back', async () => {
    // The collector's worklist reads two marts of the first build (ar_open_items, customer_risk: kept,
    // not rebuilt) and a staging model it copies again under its own build. A mart with little
    // upstream, so the second build costs seconds, not the full staging chain again (dso_monthly's is
    // 30 models); every other mart stays on the first build.
    const before = standIn.executions.length;
    const second = await buildWarehouseAthena({ engine: engine(), store: lake(), config: defaultConfig(), select: ['collection_worklist'], glue: glue() });
    expect(second).toMatchObject({ ok: true, published: true });
    const ran = statements().slice(before);
    const suffix = second.build_id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    // Only the one staging copy and the one mart: no build view of a model the worklist does not read.
    expect(ran.filter((q) => /^CREATE (OR REPLACE VIEW|TABLE) [a-z_]+__(v|stg)_/.test(q)).map((q) => q.split(' ').find((w) => w.includes('__')))).toEqual([`stg_collection_actions__stg_${suffix}`]);
    expect(ran.filter((q) => /^CREATE TABLE [a-z_]+__ctas_/.test(q)).map((q) => q.split(' ')[2])).toEqual([`collection_worklist__ctas_${suffix}`]);
    // No model changed: the readers' views the first build published stand as they are (recreating
    // them is most of a publish), and the marker keeps their fingerprints.
    const readerViews = (qs: string[]) => qs.filter((q) => /^CREATE OR REPLACE VIEW (?![a-z0-9_]+__v_)/.test(q));
    expect(readerViews(statements().slice(0, before)).length).toBeGreaterThan(40);
    expect(readerViews(ran)).toEqual([]);
    expect(Object.keys(firstMarker!.views!).length).toBeGreaterThan(40);
    const marker = (await readBuildMarker(lake()))!;
    expect(marker.views).toEqual(firstMarker!.views);
    expect(marker.marts).toMatchObject({
      collection_worklist: `marts/collection_worklist/${second.build_id}`,
      ar_open_items: `marts/ar_open_items/${firstBuild}`,
      customer_risk: `marts/customer_risk/${firstBuild}`,
    });
    expect(marker.history!.map((h) => h.build_id)).toEqual([firstBuild]);
    expect(await ctasTables()).toEqual([]);
    const location = async () =>
      ((await glue().send(new GetTableCommand({ DatabaseName: database, Name: 'collection_worklist' }))) as { Table: { StorageDescriptor: { Location: string } } }).Table.StorageDescriptor.Location;
    expect(await location()).toBe(`s3://lake/marts/collection_worklist/${second.build_id}/`);
    const count = async () => Number((await engine().query('SELECT count(*) AS n FROM collection_worklist')).rows[0]!.n);
    const rows = await count();
    expect(rows).toBeGreaterThan(0);
    expect(await diffMarts(duck, engine(), ['DuckDB', 'Athena on Trino'], marts('collection_worklist'))).toEqual([]);
    const rolled = await rollbackAthena({ store: lake(), database, glue: glue() });
    expect(rolled!.to.build_id).toBe(firstBuild);
    // The mart reads the first build's folder again, with the same rows.
    expect(await location()).toBe(`s3://lake/marts/collection_worklist/${firstBuild}/`);
    const statementsBefore = standIn.executions.length;
    expect(await count()).toBe(rows);
    expect(standIn.executions.length).toBe(statementsBefore + 1);
    expect(await diffMarts(duck, engine(), ['DuckDB', 'Athena on Trino'], marts('collection_worklist'))).toEqual([]);
  }, 20 * 60_000);

  it('the scheduled compaction Lambda rewrites the small raw files under the lock; the staging view Athena reads returns the same rows from the compacted file', async () => {
    const stagedInvoices = async () => (await engine().query('SELECT * FROM stg_invoices ORDER BY document_id')).rows;
    const before = await stagedInvoices();
    expect(before.length).toBeGreaterThan(0);
    const out = await createCompactHandler({
      store: lake(),
      lock: new BuildLock(lockLake()),
      partitions: gluePartitionRegistrar({ client: glue(), database }),
      scratchDir: work,
      log: jsonLogger({}, () => undefined),
    })({ id: 'schedule' });
    expect(out.tables.find((t) => t.table === 'invoices')).toMatchObject({ files_before: 2, files_after: 1 });
    expect(await committedDataKeys(lake(), 'invoices')).toHaveLength(1);
    expect(await lake().list('marts/_build.lock')).toEqual([]);
    // The raw rows through the committed-path filter: each once, from the compacted file, as before.
    expect(await stagedInvoices()).toEqual(before);
  }, 5 * 60_000);
});
