import type { Config } from '../config/config.js';
import { GlueClient } from '@aws-sdk/client-glue';
import { gluePartitionRegistrar, registerLakePartitions } from '../aws/glue-partitions.js';
import { hostname, userInfo } from 'node:os';
import { costLine } from '../aws/athena-cost.js';
import { BuildLock, keepRenewed, type HeldLock } from '../aws/build-lock.js';
import { athenaCatalogSnapshot } from '../aws/catalog-snapshot.js';
import { configForLake, readBuildMarker } from '../aws/lake-config.js';
import { CANONICAL_TABLES } from '../schema/index.js';
import { writeBuildMarker } from '../lake/build-marker.js';
import { S3LakeStore } from '../lake/s3-store.js';
import { isS3Uri, parseS3Uri } from '../lake/s3-uri.js';
import { AthenaEngine, AthenaQueryError } from '../warehouse/athena/athena-engine.js';
import { buildWarehouseAthena, rollbackAthena } from '../warehouse/athena/athena-build.js';
import type { BuildEvent } from '../warehouse/build-session.js';
import { BuildError } from '../warehouse/materialise.js';
import { GraphError, ProjectError, SelectorError, TemplateError } from '../warehouse/compile/index.js';
import { EXIT, UsageError, line, type CliIO } from './command.js';
import { formatMs, formatRows, type OutputFormat } from './format.js';
import { printJson } from './json-output.js';

export { TARGETS, parseTarget, targetOption, type Target } from './target.js';

/**
 * `--target athena` for `creditlake build` and `creditlake query`: the same models and SQL, run on
 * Athena over the Glue catalog the CDK stack created. Credentials and region: AWS default chain.
 * Loaded only for --target athena, so a local call never loads the AWS SDK.
 */
/** Engine injection point for tests (a client pointed at a mock). */
export type AthenaEngineFactory = (config: Config) => AthenaEngine;

export const defaultAthenaEngine: AthenaEngineFactory = (config) =>
  new AthenaEngine({
    workgroup: config.athena.workgroup,
    database: config.athena.database,
    timeoutMs: config.athena.query_timeout_seconds * 1000,
  });

function requireS3Lake(lakeRoot: string): void {
  if (!isS3Uri(lakeRoot)) {
    throw new UsageError(
      `--target athena needs the S3 lake: set "lake": "s3://<bucket>/" in creditlake.config.json or pass --lake s3://<bucket>/ ` +
        `(the stack output LakeUri); got ${lakeRoot}`,
    );
  }
  try {
    parseS3Uri(lakeRoot);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function describe(e: BuildEvent): string {
  if (e.type === 'model') return `  ${e.model.materialised.padEnd(8)} ${e.model.name.padEnd(40)} ${formatMs(e.model.ms).padStart(9)}`;
  const t = e.test;
  const status = t.error ? 'ERROR' : t.ok ? 'pass' : 'FAIL';
  const detail = t.error ? `  ${t.error}` : t.ok ? '' : `  ${t.failingRows} failing rows`;
  return `  ${status.padEnd(8)} ${t.name.padEnd(40)} ${formatMs(t.ms).padStart(9)}${detail}`;
}

export interface AthenaBuildCliOptions {
  config: Config;
  lakeRoot: string;
  select: readonly string[];
  skipTests: boolean;
  json: boolean;
  engine?: AthenaEngineFactory;
  store?: S3LakeStore;
  /** How often a waiting build looks at the lock (tests: a few ms). */
  lockPollMs?: number;
  /** Step Functions client (tests: a mock); default from the environment. */
  sfn?: import('@aws-sdk/client-sfn').SFNClient;
}

/** A config as a stack would deploy it: without this machine's lake, workgroup and engine settings. */
function deployableConfig(config: Config): Record<string, unknown> {
  const { lake: _l, athena: _a, duckdb: _d, ...rest } = config as Config & Record<string, unknown>;
  return rest;
}

/** `creditlake build --target athena`; returns the exit code. */
export async function runAthenaBuild(opts: AthenaBuildCliOptions, io: CliIO): Promise<number> {
  requireS3Lake(opts.lakeRoot);
  if (opts.config.athena.state_machine_arn) return (await import('./athena-state-machine.js')).runStateMachineBuild(opts, io);
  const engine = (opts.engine ?? defaultAthenaEngine)(opts.config);
  const store = opts.store ?? S3LakeStore.fromUri(opts.lakeRoot);
  if (!opts.json) {
    line(io.stdout, `building on Athena (workgroup ${engine.workgroup}, database ${engine.database}) over ${store.location}`);
    line(io.stdout, 'full refresh: incremental builds are embedded (DuckDB) only: Athena rebuilds every model');
  }
  // One build at a time per lake, the state machine's included: wait for a running one and join its result.
  const lockTtl = 15 * 60_000;
  const buildLock = new BuildLock(store, { ttlMs: lockTtl });
  const owner = `cli:${userInfo().username}@${hostname()}:${process.pid}`;
  const waitStart = new Date().toISOString();
  let held: HeldLock | undefined;
  let announced = false;
  for (;;) {
    const r = await buildLock.acquire(owner);
    if (r.acquired) {
      held = r.lock;
      break;
    }
    if (!announced) {
      line(io.stderr, `a build is running on this lake (${r.holder.owner}, since ${r.holder.acquired_at}); waiting for it to finish…`);
      announced = true;
    }
    await new Promise((res) => setTimeout(res, opts.lockPollMs ?? 5000));
    if (!(await buildLock.current())) {
      const done = await readBuildMarker(store);
      if (done && done.finished_at >= waitStart) {
        line(opts.json ? io.stdout : io.stderr, opts.json ? JSON.stringify({ joined: done.build_id, ok: done.ok, finished_at: done.finished_at }) : `joined the running build: ${done.build_id} finished ${done.ok ? 'ok' : 'with failing data tests'}`);
        return done.ok ? EXIT.OK : EXIT.FAILED;
      }
    }
  }
  const stopRenewing = keepRenewed(held, lockTtl, (e) => line(io.stderr, `warning: could not renew the build lock: ${e.message}`));
  try {
    return await buildLocked(opts, io, engine, store);
  } finally {
    stopRenewing();
    await held.release().catch(() => undefined);
  }
}

async function buildLocked(opts: AthenaBuildCliOptions, io: CliIO, engine: AthenaEngine, store: S3LakeStore): Promise<number> {
  // The lake's deployed config wins over this machine's, so the next scheduled build computes the same marts.
  const marker = await readBuildMarker(store);
  const lake = configForLake(opts.config, marker);
  if (lake.differs.length) {
    line(io.stderr, `note: using the config this lake's stack deployed; it differs from yours in ${lake.differs.join(', ')} (change creditlake.config.json in the stack's project and redeploy)`);
  }
  // Raw partitions are registered at commit by the ingest Lambda; batches this CLI ingested are registered here.
  const registered = await registerLakePartitions(
    store,
    gluePartitionRegistrar({ client: new GlueClient({}), database: engine.database }),
    CANONICAL_TABLES.map((t) => t.name),
  );
  if (registered.length && !opts.json) line(io.stdout, `registered ${registered.length} new raw partition(s) in Glue`);
  let report;
  try {
    report = await buildWarehouseAthena({
      engine,
      store,
      config: lake.config,
      select: opts.select,
      skipTests: opts.skipTests,
      onEvent: opts.json ? undefined : (e) => line(io.stdout, describe(e)),
      // The dashboards key their answers on the marker the runner writes: a laptop build renews them
      // as the scheduled one does, with their catalog and the config the lake's stack deployed.
      markerFields: async () => ({
        catalog: await athenaCatalogSnapshot(engine).catch(() => undefined),
        config: marker?.config ?? deployableConfig(lake.config),
      }),
    });
  } catch (e) {
    if (e instanceof SelectorError) throw new UsageError(e.message);
    if (e instanceof BuildError || e instanceof GraphError || e instanceof ProjectError || e instanceof TemplateError) {
      line(io.stderr, `creditlake build: ${e.message}`);
      return EXIT.FAILED;
    }
    throw e;
  }
  if (opts.json) printJson(io, { ...report, incremental: { mode: 'full', reason: 'incremental builds are embedded (DuckDB) only', changes: [], carried: [] } });
  else {
    const failed = report.tests.filter((t) => !t.ok);
    for (const t of failed) line(io.stderr, `data test ${t.name} failed${t.error ? `: ${t.error}` : ` (${t.failingRows} rows)`}`);
    const marts = report.models.filter((m) => m.materialised === 'table').length;
    line(
      io.stdout,
      `\n${report.ok ? 'ok' : 'FAILED'}: ${marts} marts written, ${report.tests.length - failed.length}/${report.tests.length} ` +
        `data tests passed in ${formatMs(report.totalMs)}; ` +
        (report.published ? `build ${report.build_id} published` : 'nothing published: readers keep the previous marts'),
    );
    line(io.stdout, costLine({ queries: report.scanned.queries, bytesScanned: report.scanned.bytes_scanned, bytesBilled: report.scanned.bytes_billed }));
  }
  return report.ok ? EXIT.OK : EXIT.FAILED;
}

/** `creditlake build --target athena --rollback`: the marts of the build before the published one. */
export async function runAthenaRollback(opts: { config: Config; lakeRoot: string; json: boolean; store?: S3LakeStore; glue?: GlueClient }, io: CliIO): Promise<number> {
  requireS3Lake(opts.lakeRoot);
  const store = opts.store ?? S3LakeStore.fromUri(opts.lakeRoot);
  const buildLock = new BuildLock(store);
  const r = await buildLock.acquire(`cli-rollback:${userInfo().username}@${hostname()}:${process.pid}`);
  if (!r.acquired) {
    line(io.stderr, `creditlake build: a build is running on this lake (${r.holder.owner}); roll back after it`);
    return EXIT.FAILED;
  }
  try {
    const marker = await readBuildMarker(store);
    const done = await rollbackAthena({ store, database: opts.config.athena.database, glue: opts.glue });
    if (!done || !marker) {
      line(io.stderr, 'creditlake build: no earlier version of the marts is kept on this lake; nothing to roll back to');
      return EXIT.FAILED;
    }
    // A new marker id: the dashboards drop the answers they kept for the rolled-back build.
    await writeBuildMarker(store, {
      build_id: done.to.build_id,
      finished_at: new Date().toISOString(),
      ok: true,
      models: Object.keys(done.to.marts).length,
      config: marker.config,
      marts: done.to.marts,
      history: done.history,
    });
    if (opts.json) line(io.stdout, JSON.stringify({ rolled_back_from: done.from, published: done.to.build_id, marts: done.to.marts }));
    else line(io.stdout, `rolled back: the marts of build ${done.to.build_id} are published again (was ${done.from}); ${done.history.length} older version(s) kept`);
    return EXIT.OK;
  } finally {
    await r.lock.release().catch(() => undefined);
  }
}

/** `creditlake query --target athena`; returns the exit code. */
export async function runAthenaQuery(
  sql: string,
  format: OutputFormat,
  config: Config,
  io: CliIO,
  engineFactory: AthenaEngineFactory = defaultAthenaEngine,
): Promise<number> {
  const engine = engineFactory(config);
  try {
    const result = await engine.query(sql.trim().replace(/;\s*$/, ''));
    io.stdout.write(formatRows(format, result.columns, result.rows));
    return EXIT.OK;
  } catch (e) {
    if (e instanceof AthenaQueryError) {
      line(io.stderr, `creditlake query: ${e.message}`);
      return EXIT.FAILED;
    }
    throw e;
  } finally {
    await engine.close();
  }
}
