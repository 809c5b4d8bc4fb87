import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CreateTableCommand, GetTableCommand, GlueClient, UpdateTableCommand, type TableInput } from '@aws-sdk/client-glue';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { buildWarehouseAthena, openAthenaBuild, rollbackAthena } from '../../src/warehouse/athena/athena-build.js';
import { BuildRun } from '../../src/warehouse/runner.js';
import { mergeSteps, type BuildState, type StepResult } from '../../src/warehouse/build-plan.js';
import { readBuildMarker, writeBuildMarker } from '../../src/lake/build-marker.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
/** The Glue catalog the fake holds: mart table → location. */
let glueTables: Map<string, string>;
let s3: TestS3;
let store: S3LakeStore;
let statements: string[];

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('lake');
  store = new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
});
afterAll(async () => {
  glue.restore();
  await s3?.close();
});
afterEach(() => {
  athena.reset();
  glue.reset();
});

function fakeGlue() {
  glueTables ??= new Map();
  glue.on(GetTableCommand).callsFake(async (i: { Name: string }) => {
    if (!glueTables.has(i.Name)) throw Object.assign(new Error('not found'), { name: 'EntityNotFoundException' });
    return { Table: { Name: i.Name, StorageDescriptor: { Location: glueTables.get(i.Name) } } };
  });
  const put = async (i: { TableInput: TableInput }) => {
    glueTables.set(i.TableInput.Name!, i.TableInput.StorageDescriptor!.Location!);
    return {};
  };
  glue.on(CreateTableCommand).callsFake(put);
  glue.on(UpdateTableCommand).callsFake(put);
}

/**
 * Every statement succeeds (a CTAS writes a Parquet object into its external_location on the S3
 * server, as Athena does); SELECTs return no rows except for data tests named in `failing`; a statement
 * matching `killAt` fails (a build killed there).
 */
function fakeAthena(failing: string[] = [], killAt?: RegExp) {
  statements = [];
  fakeGlue();
  athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString: string }) => {
    statements.push(input.QueryString);
    const loc = /external_location = 's3:\/\/lake\/([^']+)'/.exec(input.QueryString);
    if (loc && !killAt?.test(input.QueryString)) await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: `${loc[1]}part-0.parquet`, Body: 'PAR1' }));
    return { QueryExecutionId: String(statements.length) };
  });
  athena.on(GetQueryExecutionCommand).callsFake(async (input: { QueryExecutionId: string }) => {
    const sql = statements[Number(input.QueryExecutionId) - 1]!;
    if (killAt?.test(sql)) return { QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Query cancelled: build killed' } } };
    return { QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: sql.startsWith('SELECT') ? 'DML' : 'DDL' } };
  });
  athena.on(GetQueryResultsCommand).callsFake(async (input: { QueryExecutionId: string }) => {
    const sql = statements[Number(input.QueryExecutionId) - 1]!;
    const ColumnInfo = [{ Name: 'failing_rows__', Type: 'bigint' }, { Name: 'detail', Type: 'varchar' }];
    const header = { Data: [{ VarCharValue: 'failing_rows__' }, { VarCharValue: 'detail' }] };
    const fails = failing.some((f) => sql.includes(f));
    return { ResultSet: { ResultSetMetadata: { ColumnInfo }, Rows: fails ? [header, { Data: [{ VarCharValue: '2' }, { VarCharValue: 'x' }] }] : [header] } };
  });
}

function engine() {
  return new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'wg', database: 'creditlake', sleep: async () => undefined });
}

const gluePlease = () => new GlueClient({ region: 'eu-west-1' });
const build = (id: string) => buildWarehouseAthena({ engine: engine(), store, config: defaultConfig(), glue: gluePlease(), buildId: id });
/** What the Lambda and the CLI do after a published build. */
async function record(report: Awaited<ReturnType<typeof build>>) {
  if (report.published) await writeBuildMarker(store, { build_id: report.build_id, finished_at: new Date().toISOString(), ok: true, models: 1, marts: report.marts, history: report.history });
}
const martFolders = async (mart: string) => [...new Set((await store.list(`marts/${mart}`)).map((k) => k.split('/')[2]))].sort();

describe('buildWarehouseAthena (mocked Athena and Glue, S3 protocol, real model project)', () => {
  it('views in dependency order; each mart a new version folder read by the tests through its temporary table; Glue switched only after every test passed', async () => {
    glueTables = new Map();
    fakeAthena();
    const report = await build('20261202T100000Z-aaaa01');
    expect(report).toMatchObject({ ok: true, published: true, build_id: '20261202T100000Z-aaaa01' });
    const viewIndex = (name: string) => statements.findIndex((s) => s.startsWith(`CREATE OR REPLACE VIEW ${name} AS`));
    expect(viewIndex('invoices')).toBe(viewIndex('stg_invoices') + 1);
    const lastTest = Math.max(...statements.map((s, i) => (s.startsWith('SELECT count(*) OVER ()') ? i : -1)));
    // The views readers query are replaced only at publish, after every data test; the build read its own.
    expect(viewIndex('stg_invoices')).toBeGreaterThan(lastTest);
    expect(statements.findIndex((s) => s.startsWith('CREATE OR REPLACE VIEW stg_invoices__v_') || s.startsWith('CREATE TABLE stg_invoices__stg_'))).toBeLessThan(lastTest);
    for (const m of MART_TABLES) {
      const ctas = statements.findIndex((s) => s.startsWith(`CREATE TABLE ${m.name}__ctas_`));
      expect(ctas, m.name).toBeLessThan(viewIndex('stg_invoices'));
      expect(statements[ctas]).toContain(`external_location = 's3://lake/marts/${m.name}/20261202T100000Z-aaaa01/'`);
      // Nothing of the published mart is deleted or rewritten in place.
      expect(statements.some((s) => s.includes(`external_location = 's3://lake/marts/${m.name}/'`))).toBe(false);
      // The temporary table lives until after the last data test.
      const drop = statements.findIndex((s) => s.startsWith(`DROP TABLE IF EXISTS ${m.name}__ctas_`));
      expect(drop, m.name).toBeGreaterThan(lastTest);
      expect(glueTables.get(m.name)).toBe(`s3://lake/marts/${m.name}/20261202T100000Z-aaaa01/`);
      expect(report.marts![m.name]).toBe(`marts/${m.name}/20261202T100000Z-aaaa01`);
    }
    // Data tests of a mart read this build's version.
    const uniqueTest = statements.find((s) => s.includes('dso_monthly__ctas_') && s.startsWith('SELECT count(*) OVER ()'));
    expect(uniqueTest).toBeDefined();
    // Marts read this build's staging copies (computed once), not the chain of staging views; the copies go after the publish.
    expect(statements.find((q) => q.startsWith('CREATE TABLE ar_aging__ctas_'))).toMatch(/\b\w+__stg_20261202t100000zaaaa01\b/);
    expect(await store.list('marts/_staging')).toEqual([]);
    expect(statements.some((s) => /\bQUALIFY\b|::|\bEXCLUDE\b/.test(s))).toBe(false);
    await record(report);
  });

  it('a failing data test publishes nothing: Glue keeps the previous versions, the new folders and temporary tables are gone', async () => {
    fakeAthena(['ar_reconciles_to_ledger', 'ledger']);
    const before = new Map(glueTables);
    const markerBefore = await readBuildMarker(store);
    // The build's own Glue client is the mocked one too.
    const report = await buildWarehouseAthena({ engine: engine(), store, config: defaultConfig() });
    expect(report).toMatchObject({ ok: false, published: false });
    expect(report.tests.filter((t) => !t.ok).length).toBeGreaterThan(0);
    expect(glueTables).toEqual(before);
    // Nor are the views readers query replaced.
    expect(statements.some((q) => q.startsWith('CREATE OR REPLACE VIEW stg_invoices AS'))).toBe(false);
    expect(await martFolders('dso_monthly')).toEqual(['20261202T100000Z-aaaa01']);
    const drops = statements.filter((s) => s.startsWith('DROP TABLE IF EXISTS')).length;
    // Every temporary table (mart versions and staging copies) is dropped, and the staging copies' folders are gone.
    expect(drops).toBe(statements.filter((s) => /^CREATE TABLE \w+__(ctas|stg)_/.test(s)).length);
    expect(await store.list('marts/_staging')).toEqual([]);
    expect((await readBuildMarker(store))!.build_id).toBe(markerBefore!.build_id);
  });

  it('a build killed between two marts names the mart, leaves every published mart as it was and no new folder or temporary table', async () => {
    fakeAthena([], /^CREATE TABLE dso_monthly__ctas_/);
    const before = new Map(glueTables);
    await expect(build('20261202T110000Z-kill01')).rejects.toThrow(/^model dso_monthly failed on athena: .*build killed; readers keep the published build/);
    expect(glueTables).toEqual(before);
    for (const m of ['ar_aging', 'dso_monthly']) expect(await martFolders(m), m).toEqual(['20261202T100000Z-aaaa01']);
    const ctas = statements.filter((s) => /^CREATE TABLE \w+__(ctas|stg)_/.test(s)).map((s) => /^CREATE TABLE (\w+)/.exec(s)![1]);
    const dropped = statements.filter((s) => s.startsWith('DROP TABLE IF EXISTS')).map((s) => /EXISTS (\w+)/.exec(s)![1]);
    expect(new Set(dropped)).toEqual(new Set(ctas));
    expect(await store.list('marts/_staging')).toEqual([]);
  });

  it('keeps the last 3 builds and rolls back to the one before', async () => {
    for (const id of ['20261202T120000Z-bbbb02', '20261202T130000Z-cccc03', '20261202T140000Z-dddd04']) {
      fakeAthena();
      await record(await build(id));
    }
    // The first build's folders were pruned once three newer builds were kept.
    expect(await martFolders('ar_aging')).toEqual(['20261202T120000Z-bbbb02', '20261202T130000Z-cccc03', '20261202T140000Z-dddd04']);
    const r = await rollbackAthena({ store, database: 'creditlake', glue: gluePlease() });
    expect(r!.from).toBe('20261202T140000Z-dddd04');
    expect(r!.to.build_id).toBe('20261202T130000Z-cccc03');
    expect(glueTables.get('ar_aging')).toBe('s3://lake/marts/ar_aging/20261202T130000Z-cccc03/');
  });

  it('a selective build makes only the build views and staging copies its marts and tests read; readers still get a view of every model', async () => {
    fakeAthena();
    const full = await build('20261202T100500Z-full01');
    const fullStatements = statements;
    await record(full);
    const copies = (qs: string[]) => qs.filter((q) => /^CREATE (OR REPLACE VIEW|TABLE) \w+__(v|stg)_/.test(q)).length;
    // A full build copies every staging and intermediate model (each read by a mart or a data test).
    expect(copies(fullStatements)).toBeGreaterThan(40);
    const readers = (qs: string[]) => qs.filter((q) => /^CREATE OR REPLACE VIEW (?!\w+__v_)\w+ AS/.test(q)).map((q) => q.split(' ')[4]).sort();

    fakeAthena();
    // The collector's worklist reads two marts (kept as published) and one staging model.
    const report = await buildWarehouseAthena({ engine: engine(), store, config: defaultConfig(), glue: gluePlease(), buildId: '20261202T101000Z-sel001', select: ['collection_worklist'] });
    expect(report).toMatchObject({ ok: true, published: true });
    const made = (kind: string) => statements.filter((q) => new RegExp(`^CREATE (OR REPLACE VIEW|TABLE) \\w+__${kind}_`).test(q)).map((q) => /(\w+)__/.exec(q.split(' ').find((w) => w.includes('__'))!)![1]);
    expect(made('v')).toEqual([]);
    expect(made('stg')).toEqual(['stg_collection_actions']);
    expect(made('ctas')).toEqual(['collection_worklist']);
    // Nothing it did not make is dropped either: the clean-up drops the copy and the mart's temporary table.
    expect(statements.filter((q) => q.startsWith('DROP')).sort()).toEqual([
      'DROP TABLE IF EXISTS collection_worklist__ctas_20261202t101000zsel001',
      'DROP TABLE IF EXISTS stg_collection_actions__stg_20261202t101000zsel001',
    ]);
    // The marker written by `record` carries no view fingerprints, so the publish recreates the readers'
    // views: every model's, also of those the build skipped, as the full build made them.
    expect(readers(statements)).toEqual(readers(fullStatements));
    expect(Object.keys(report.marker!.views!).sort()).toEqual(Object.keys(full.marker!.views!).sort());
    // Only what was built is reported; the other marts stay as published.
    expect(report.models.filter((m) => m.kind !== 'marts').map((m) => m.name)).toEqual(['stg_collection_actions']);
    expect(report.marts).toMatchObject({ collection_worklist: 'marts/collection_worklist/20261202T101000Z-sel001', dso_monthly: 'marts/dso_monthly/20261202T100500Z-full01' });

    // The state machine's plan has no step for what the build does not make.
    const plan = new BuildRun(openAthenaBuild({ engine: engine(), store, glue: gluePlease(), buildId: '20261202T101000Z-sel009' }), { config: defaultConfig(), select: ['collection_worklist'] }).plan();
    expect(plan.layers.flat()).toEqual(expect.arrayContaining(['stg_collection_actions', 'collection_worklist', 'ar_open_items']));
    expect(plan.layers.flat()).not.toContain('stg_invoices');

    // A staging model selected alone: its view (its data tests read it) and what the SQL tests reading it need.
    fakeAthena();
    const staged = await buildWarehouseAthena({ engine: engine(), store, config: defaultConfig(), glue: gluePlease(), buildId: '20261202T101500Z-sel002', select: ['stg_invoices'] });
    expect(staged).toMatchObject({ ok: true, published: true });
    const built = [...made('v'), ...made('stg')];
    expect(built).toContain('stg_invoices');
    expect(built.length).toBeLessThan(copies(fullStatements) / 4);
    await record(staged);
  });

  it('lets a missing AWS region through unwrapped (a machine problem, not a model failure)', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new Error('Region is missing'));
    const run = buildWarehouseAthena({ engine: engine(), store, config: defaultConfig() });
    await expect(run).rejects.toThrow(/^Region is missing$/);
    athena.on(StartQueryExecutionCommand).rejects(new Error('Table not found: raw_invoices'));
    await expect(buildWarehouseAthena({ engine: engine(), store, config: defaultConfig() })).rejects.toThrow(
      /^model \w+ failed on athena: Table not found/,
    );
  });

  describe('step by step, each step in a fresh session (as the state machine runs it)', () => {
    const config = defaultConfig();
    /** A new session and run for one step, as a separate Lambda invocation would open them. */
    const reopen = (state: BuildState) => new BuildRun(openAthenaBuild({ engine: engine(), store, glue: gluePlease(), buildId: state.buildId }), { config }, state);

    it('plans layers, runs each layer in parallel from the state, publishes from the merged state', async () => {
      fakeAthena();
      const first = new BuildRun(openAthenaBuild({ engine: engine(), store, glue: gluePlease(), buildId: '20261202T150000Z-step01' }), { config });
      const plan = first.plan();
      expect(plan.layers.length).toBeGreaterThan(2);
      // Nothing in a layer refs anything in the same or a later layer.
      const layerOf = new Map(plan.layers.flatMap((l, i) => l.map((n) => [n, i] as const)));
      for (const m of first.project) for (const r of m.refs) if (layerOf.has(m.name)) expect(layerOf.get(r)!, `${m.name} → ${r}`).toBeLessThan(layerOf.get(m.name)!);
      let state = first.state;
      for (const layer of plan.layers) {
        const results: StepResult[] = await Promise.all(layer.map((name) => reopen(state).step(name)));
        state = mergeSteps(state, results);
      }
      expect(state.written.sort()).toEqual(MART_TABLES.map((m) => m.name).sort());
      expect(state.tests.length).toBeGreaterThan(50);
      // JSON all the way: what a state machine carries between steps.
      state = JSON.parse(JSON.stringify(state));
      const report = await reopen(state).finish();
      expect(report).toMatchObject({ ok: true, published: true, buildId: '20261202T150000Z-step01' });
      expect(glueTables.get('dso_monthly')).toBe('s3://lake/marts/dso_monthly/20261202T150000Z-step01/');
      expect((await readBuildMarker(store))).toMatchObject({ build_id: '20261202T150000Z-step01', engine: 'athena', marts: { dso_monthly: 'marts/dso_monthly/20261202T150000Z-step01' } });
      // The temporary tables went after the publish.
      for (const m of state.written) expect(statements).toContain(`DROP TABLE IF EXISTS ${m}__ctas_20261202t150000zstep01`);
    });

    it('a step killed mid-mart, then abort from a fresh session: no new folder, no temporary table, Glue untouched', async () => {
      fakeAthena([], /^CREATE TABLE dso_monthly__ctas_/);
      const before = new Map(glueTables);
      const first = new BuildRun(openAthenaBuild({ engine: engine(), store, glue: gluePlease(), buildId: '20261202T160000Z-kill02' }), { config });
      let state = first.state;
      let failed: unknown;
      for (const layer of first.plan().layers) {
        const settled = await Promise.allSettled(layer.map((name) => reopen(state).step(name)));
        state = mergeSteps(state, settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
        failed ??= settled.find((r) => r.status === 'rejected');
        if (failed) break;
      }
      expect(String((failed as PromiseRejectedResult).reason)).toMatch(/model dso_monthly failed on athena/);
      expect(state.written.length).toBeGreaterThan(0);
      await reopen(state).abort();
      expect(glueTables).toEqual(before);
      expect((await store.list('')).filter((k) => k.includes('20261202T160000Z-kill02'))).toEqual([]);
      const dropped = new Set(statements.filter((s) => s.startsWith('DROP TABLE IF EXISTS')).map((s) => /EXISTS (\w+)/.exec(s)![1]));
      for (const s of statements.filter((x) => /^CREATE TABLE \w+__ctas_/.test(x))) expect(dropped).toContain(/^CREATE TABLE (\w+)/.exec(s)![1]);
    });

    /** Every layer of a build, each step in a fresh session: the state Finish gets. */
    const runLayers = async (buildId: string) => {
      const first = new BuildRun(openAthenaBuild({ engine: engine(), store, glue: gluePlease(), buildId }), { config });
      let state = first.state;
      for (const layer of first.plan().layers) state = mergeSteps(state, await Promise.all(layer.map((name) => reopen(state).step(name))));
      return JSON.parse(JSON.stringify(state)) as BuildState;
    };
    /** Glue refuses the `from`-th table switch (`once`), or every one from it on (the Lambda dies with the publish). */
    const glueStopsAt = (from: number, opts: { once?: boolean } = {}) => {
      let switches = 0;
      glue.on(UpdateTableCommand).callsFake(async (i: { TableInput: TableInput }) => {
        if (opts.once ? ++switches === from : ++switches >= from) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        glueTables.set(i.TableInput.Name!, i.TableInput.StorageDescriptor!.Location!);
        return {};
      });
    };
    /** Every folder a mart table names still holds the mart's files. */
    const everyTableHasFiles = async () => {
      for (const [name, loc] of glueTables) expect(await store.list(loc.replace('s3://lake/', '')), name).not.toEqual([]);
    };

    it('a publish stopped part way (Glue refuses the fourth switch) points the switched marts back: readers on the previous, complete versions', async () => {
      fakeAthena();
      const state = await runLayers('20261202T170000Z-pub001');
      const before = new Map(glueTables);
      const markerBefore = (await readBuildMarker(store))!.build_id;
      glueStopsAt(4, { once: true });
      await expect(reopen(state).finish()).rejects.toThrow(/Rate exceeded/);
      expect(glueTables).toEqual(before);
      await everyTableHasFiles();
      expect((await store.list('')).filter((k) => k.includes('20261202T170000Z-pub001'))).toEqual([]);
      expect((await readBuildMarker(store))!.build_id).toBe(markerBefore);
    });

    it('a Finish killed during the publish, then Abort from a fresh session (as the state machine runs it): the switched marts go back, no folder a table names is deleted', async () => {
      fakeAthena();
      const state = await runLayers('20261202T180000Z-pub002');
      const before = new Map(glueTables);
      // Glue fails from the fourth switch on, so the Finish's own clean-up cannot undo the three switched.
      glueStopsAt(4);
      await expect(reopen(state).finish()).rejects.toThrow(/Rate exceeded/);
      const switched = [...glueTables].filter(([, l]) => l.includes('pub002')).map(([n]) => n);
      expect(switched).toHaveLength(3);
      // Those three are still what readers see, and their folders are there.
      await everyTableHasFiles();
      fakeAthena();
      await reopen(state).abort();
      expect(glueTables).toEqual(before);
      await everyTableHasFiles();
      expect((await store.list('')).filter((k) => k.includes('20261202T180000Z-pub002'))).toEqual([]);
    });

    it('an Abort after the build was published and recorded (a Finish that died after the marker) removes nothing readers use', async () => {
      fakeAthena();
      const state = await runLayers('20261202T190000Z-pub003');
      expect(await reopen(state).finish()).toMatchObject({ ok: true, published: true });
      const after = new Map(glueTables);
      await reopen(state).abort();
      expect(glueTables).toEqual(after);
      expect(glueTables.get('dso_monthly')).toBe('s3://lake/marts/dso_monthly/20261202T190000Z-pub003/');
      await everyTableHasFiles();
      expect((await readBuildMarker(store))!.build_id).toBe('20261202T190000Z-pub003');
    });
  });
});
