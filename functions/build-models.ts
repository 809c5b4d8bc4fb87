/**
 * Model-runner Lambda: runs the SQL models on Athena over the Glue catalog, writes the marts into the
 * S3 lake and runs the data tests. Triggered through a FIFO queue (one message group), by the
 * schedule and after ingests, so two builds never overwrite the same marts at once; one run serves
 * every message of its batch.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonLogger, type JsonLogger } from '../src/aws/json-log.js';
import { parseConfig, type Config } from '../src/config/config.js';
import { BuildLock, keepRenewed, type HeldLock } from '../src/aws/build-lock.js';
import { athenaCatalogSnapshot } from '../src/aws/catalog-snapshot.js';
import { S3LakeStore } from '../src/lake/s3-store.js';
import { AthenaEngine } from '../src/warehouse/athena/athena-engine.js';
import { buildWarehouseAthena, type AthenaBuildReport } from '../src/warehouse/athena/athena-build.js';

export interface BuildHandlerDeps {
  engine: AthenaEngine;
  store: S3LakeStore;
  config: Config;
  /** The config as deployed (CREDITLAKE_CONFIG), recorded in the build marker for CLI builds against this lake. */
  deployedConfig?: Record<string, unknown>;
  /** The model project; in the bundle it ships beside the handler as ./sql. */
  sqlDir?: string;
  log: JsonLogger;
  /** One build at a time per lake (the CLI takes the same lock); absent only in tests of the build itself. */
  lock?: BuildLock;
  /** How long to wait for a build that holds the lock before handing the message back to the queue. */
  lockWaitMs?: number;
  lockPollMs?: number;
}

/** Another build (a CLI build, or a killed one not yet expired) holds the lake: the queue retries later. */
export class BuildLockedError extends Error {}

const LOCK_TTL_MS = 5 * 60_000;

interface SqsLikeEvent {
  Records?: { messageId?: string; body?: string }[];
}

/** Why this build runs, from the queue messages (ingest batch ids, schedule times), for the logs. */
export function buildReasons(event: unknown): { reason: string; table?: string; batch_id?: string }[] {
  const records = (event as SqsLikeEvent).Records;
  if (!Array.isArray(records)) return [{ reason: 'direct' }];
  return records.map((r) => {
    try {
      return JSON.parse(r.body ?? '{}') as { reason: string };
    } catch {
      return { reason: 'unparsable message' };
    }
  });
}

export function createBuildHandler(deps: BuildHandlerDeps) {
  return async (event: unknown, context?: { awsRequestId?: string }): Promise<AthenaBuildReport> => {
    const log = deps.log.child({ request_id: context?.awsRequestId });
    let held: HeldLock | undefined;
    if (deps.lock) {
      const deadline = Date.now() + (deps.lockWaitMs ?? 10 * 60_000);
      for (;;) {
        const r = await deps.lock.acquire(`lambda:${context?.awsRequestId ?? 'unknown'}`);
        if (r.acquired) {
          held = r.lock;
          break;
        }
        if (Date.now() >= deadline) {
          throw new BuildLockedError(`another build holds the lake (${r.holder.owner}, since ${r.holder.acquired_at}); the queue retries this one`);
        }
        log.log('info', 'waiting for the build that holds the lake', { holder: r.holder });
        await new Promise((res) => setTimeout(res, deps.lockPollMs ?? 15_000));
      }
    }
    const stopRenewing = held ? keepRenewed(held, LOCK_TTL_MS, (e) => log.log('warn', `build lock not renewed: ${e.message}`)) : () => undefined;
    try {
      return await buildHeld(deps, event, log);
    } finally {
      stopRenewing();
      await held?.release().catch(() => undefined);
    }
  };
}

async function buildHeld(deps: BuildHandlerDeps, event: unknown, log: JsonLogger): Promise<AthenaBuildReport> {
  log.log('info', 'build started', { triggers: buildReasons(event) });
  const report = await buildWarehouseAthena({
    engine: deps.engine,
    store: deps.store,
    config: deps.config,
    sqlDir: deps.sqlDir,
    onEvent: (e) => {
      if (e.type === 'model') log.log('info', `model ${e.model.name}`, { model: e.model.name, ...e.model });
      else log.log(e.test.ok ? 'info' : 'error', `data test ${e.test.name} ${e.test.ok ? 'passed' : 'FAILED'}`, { test: e.test });
    },
    // Readers (the dashboard API) cache answers per build and read its catalog from the marker the
    // runner writes at publish; a build that published nothing leaves the marker as it was.
    markerFields: async () => {
      let catalog: unknown;
      try {
        catalog = await athenaCatalogSnapshot(deps.engine);
      } catch (e) {
        log.log('warn', `dashboard catalog not recorded (the API will query it): ${(e as Error).message}`);
      }
      return { config: deps.deployedConfig ?? {}, catalog };
    },
  });
  const failed = report.tests.filter((t) => !t.ok).map((t) => t.name);
  // A failing data test is a finding about the data, not a fault to retry: log it, do not throw.
  log.log(report.ok ? 'info' : 'error', report.ok ? 'build finished and published' : 'build failed its data tests; the previous marts stay published', {
    build_id: report.build_id,
    published: report.published,
    models: report.models.length,
    tests: report.tests.length,
    failed_tests: failed,
    total_ms: Math.round(report.totalMs),
    // Bytes scanned and the estimated Athena cost of this build (Logs Insights: stats sum(scanned.estimated_usd)).
    scanned: report.scanned,
  });
  return report;
}

/** Config for the cloud build: the JSON in CREDITLAKE_CONFIG (same schema as creditlake.config.json). */
export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): BuildHandlerDeps {
  const lake = env.LAKE_URI;
  if (!lake || !env.ATHENA_WORKGROUP || !env.GLUE_DATABASE) throw new Error('LAKE_URI, ATHENA_WORKGROUP and GLUE_DATABASE must be set');
  const deployedConfig = (env.CREDITLAKE_CONFIG ? JSON.parse(env.CREDITLAKE_CONFIG) : {}) as Record<string, unknown>;
  const config = parseConfig({ ...deployedConfig, lake }, 'CREDITLAKE_CONFIG');
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'sql');
  const store = S3LakeStore.fromUri(lake);
  return {
    engine: new AthenaEngine({
      workgroup: env.ATHENA_WORKGROUP,
      database: env.GLUE_DATABASE,
      timeoutMs: Number(env.QUERY_TIMEOUT_MS ?? 600_000),
    }),
    store,
    lock: new BuildLock(store, { ttlMs: LOCK_TTL_MS }),
    config,
    deployedConfig,
    sqlDir: existsSync(bundled) ? bundled : undefined,
    log: jsonLogger({ function: env.AWS_LAMBDA_FUNCTION_NAME ?? 'creditlake-build' }),
  };
}

let cached: ReturnType<typeof createBuildHandler> | undefined;

export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<AthenaBuildReport> {
  cached ??= createBuildHandler(depsFromEnv());
  return cached(event, context);
}
