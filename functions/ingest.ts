/**
 * Ingest Lambda: a feed dropped in the landing bucket becomes committed batches in the S3 lake
 * (Parquet + quarantine + manifest), through the same core as `creditlake ingest`. The prefix names
 * the ingest: `<table>/` canonical CSV, `mapped/<preset>/` an ERP export (CSV or xlsx),
 * `einvoices/` UBL/Peppol/SI-UBL/CII, `credit-reports/` the credit-report feed (see src/aws/s3-event.ts).
 * Idempotent: the batch manifest is keyed by the file's content hash (and mapping), so a re-delivered
 * event, or the same file dropped twice, lands once.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GlueClient } from '@aws-sdk/client-glue';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { jsonLogger, type JsonLogger } from '../src/aws/json-log.js';
import { duckdbResourcesForLambda, type DuckDBResources } from '../src/aws/lambda-resources.js';
import { requestDebouncedBuild } from '../src/aws/build-request.js';
import { gluePartitionRegistrar, type PartitionRegistrar } from '../src/aws/glue-partitions.js';
import { ingestDrop } from '../src/aws/ingest-drop.js';
import { parseConfig } from '../src/config/config.js';
import { dateWindow, type DateWindow } from '../src/config/plausible-dates.js';
import { droppedObjects, routeOfKey, type DroppedObject } from '../src/aws/s3-event.js';
import { S3LakeStore } from '../src/lake/s3-store.js';

export interface IngestHandlerDeps {
  s3: S3Client;
  lake: S3LakeStore;
  /**
   * Asks for a model build after a committed batch. On AWS: the debounced build schedule (one build a
   * quiet window after the last batch of a burst; see src/aws/build-request.ts).
   */
  requestBuild?: (r: { batchId: string; feed: string; tables: string[] }) => Promise<Record<string, unknown> | void>;
  /** Registers the Glue partitions of committed batches (Athena plans only registered days). */
  partitions?: PartitionRegistrar;
  /** Local scratch parent: /tmp in Lambda. */
  scratchDir: string;
  resources: DuckDBResources;
  /** Reject share above which a batch is logged as failed (it is committed either way, with its quarantine). */
  maxRejectRate: number;
  /** The deployed config's `plausible_dates`, so a drop is checked as `creditlake ingest` checks it. */
  dateWindow?: DateWindow;
  log: JsonLogger;
}

export interface IngestOutcome {
  bucket: string;
  key: string;
  /** The canonical table of a `<table>/` drop. */
  table?: string;
  /** The table, `mapped:<preset>`, `einvoice` or `credit-report`. */
  feed?: string;
  /** Tables the file's batch wrote to. */
  tables?: string[];
  status: 'loaded' | 'skipped' | 'ignored' | 'error';
  batchId?: string;
  rowsLoaded: number;
  rowsRejected: number;
  message: string;
}

export class IngestFailedError extends Error {}

const DROP_HINT = 'drop feeds at <table>/<file>.csv, mapped/<preset>/<file>, einvoices/<file>.xml or credit-reports/<file>';

async function download(s3: S3Client, obj: DroppedObject, dir: string): Promise<string> {
  const local = join(dir, basename(obj.key) || 'feed.csv');
  const res = await s3.send(new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key }));
  await pipeline(res.Body as Readable, createWriteStream(local));
  return local;
}

async function ingestObject(deps: IngestHandlerDeps, obj: DroppedObject, log: JsonLogger): Promise<IngestOutcome> {
  const base = { bucket: obj.bucket, key: obj.key, rowsLoaded: 0, rowsRejected: 0 };
  const route = routeOfKey(obj.key);
  if (!route) {
    log.log('warn', 'ignored object outside a feed prefix', { hint: DROP_HINT });
    return { ...base, status: 'ignored', message: 'not under a feed prefix' };
  }
  const work = await mkdtemp(join(deps.scratchDir, 'creditlake-drop-'));
  try {
    const local = await download(deps.s3, obj, work);
    const r = await ingestDrop(route, {
      store: deps.lake,
      file: local,
      scratchDir: work,
      maxRejectRate: deps.maxRejectRate,
      threads: deps.resources.threads,
      memoryLimit: deps.resources.memoryLimit,
      dateWindow: deps.dateWindow,
    });
    const table = route.feed === 'table' ? route.table : undefined;
    const outcome: IngestOutcome = {
      ...base,
      table,
      feed: r.feed,
      tables: r.tables,
      status: r.status,
      batchId: r.batchId,
      rowsLoaded: r.rowsLoaded,
      rowsRejected: r.rowsRejected,
      message: r.message,
    };
    const batchLog = log.child({ batch_id: r.batchId, feed: r.feed, ...(table ? { table } : {}), sha256: r.sha256 });
    const fields = {
      status: r.status,
      tables: r.tables,
      rows_read: r.rowsRead,
      rows_loaded: r.rowsLoaded,
      rows_rejected: r.rowsRejected,
      top_reasons: r.topReasons.slice(0, 5).map((x) => ({ reason: x.reason, column: x.column, rows: x.rows })),
      data_keys: r.dataKeys,
      quarantine_keys: r.quarantineKeys,
      warnings: r.warnings,
    };
    if (r.status === 'error') batchLog.log('error', `ingest failed: ${r.message}`, fields);
    else if (r.failed) batchLog.log('warn', `ingest committed over the reject limit: ${r.message}`, fields);
    else batchLog.log('info', r.status === 'skipped' ? 'already ingested; nothing to do' : 'ingest committed', fields);

    if (deps.partitions && (r.status === 'loaded' || r.status === 'skipped')) {
      // A skipped file was committed before, maybe by an attempt that died before registering: list its tables' days.
      const keys = r.dataKeys.length ? r.dataKeys : (await Promise.all(r.tables.map((t) => deps.lake.list(`raw/${t}`)))).flat();
      const created = await deps.partitions.register(keys);
      if (created.length) batchLog.log('info', 'partitions registered', { partitions: created });
    }
    if (r.status === 'loaded' && deps.requestBuild && r.batchId) {
      try {
        const pending = await deps.requestBuild({ batchId: r.batchId, feed: r.feed, tables: r.tables });
        batchLog.log('info', 'model build requested', { ...(pending ?? {}) });
      } catch (e) {
        // The batch is committed; the scheduled build picks it up. Retrying the ingest would only skip it.
        batchLog.log('error', `model build request failed: ${(e as Error).message}; the next scheduled build includes this batch`);
      }
    }
    return outcome;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The handler with its clients injected (tests pass an S3 client for a local S3-protocol server). */
export function createIngestHandler(deps: IngestHandlerDeps) {
  return async (event: unknown, context?: { awsRequestId?: string }): Promise<IngestOutcome[]> => {
    const log = deps.log.child({ request_id: context?.awsRequestId });
    const outcomes: IngestOutcome[] = [];
    for (const obj of droppedObjects(event)) {
      outcomes.push(await ingestObject(deps, obj, log.child({ bucket: obj.bucket, key: obj.key })));
    }
    const failed = outcomes.filter((o) => o.status === 'error');
    // Throwing hands the event to Lambda's retries and then the dead-letter queue, where operators look.
    if (failed.length) throw new IngestFailedError(failed.map((o) => `${o.key}: ${o.message}`).join('; '));
    return outcomes;
  };
}

/** The debounced build request from the stack's environment (schedule group and name, target, role, window). */
export function debouncedBuildFromEnv(env: NodeJS.ProcessEnv): NonNullable<IngestHandlerDeps['requestBuild']> {
  const need = ['BUILD_SCHEDULE_GROUP', 'BUILD_SCHEDULE_NAME', 'BUILD_TARGET_ARN', 'BUILD_SCHEDULER_ROLE_ARN'] as const;
  const missing = need.filter((k) => !env[k]);
  if (missing.length) throw new Error(`${missing.join(', ')} must be set with BUILD_SCHEDULE_NAME`);
  const target = {
    client: new SchedulerClient({}),
    group: env.BUILD_SCHEDULE_GROUP!,
    name: env.BUILD_SCHEDULE_NAME!,
    targetArn: env.BUILD_TARGET_ARN!,
    roleArn: env.BUILD_SCHEDULER_ROLE_ARN!,
    messageGroupId: env.BUILD_MESSAGE_GROUP,
    window: { quietMs: Number(env.BUILD_QUIET_MINUTES ?? 10) * 60_000, maxWaitMs: Number(env.BUILD_MAX_WAIT_MINUTES ?? 60) * 60_000 },
  };
  return async () => {
    const r = await requestDebouncedBuild(target);
    return { build_at: r.at, schedule: r.action };
  };
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): IngestHandlerDeps {
  const lakeUri = env.LAKE_URI;
  if (!lakeUri) throw new Error('LAKE_URI is not set');
  const s3 = new S3Client({});
  return {
    s3,
    lake: S3LakeStore.fromUri(lakeUri, s3),
    requestBuild: env.BUILD_SCHEDULE_NAME ? debouncedBuildFromEnv(env) : undefined,
    partitions: env.GLUE_DATABASE ? gluePartitionRegistrar({ client: new GlueClient({}), database: env.GLUE_DATABASE }) : undefined,
    scratchDir: env.SCRATCH_DIR ?? '/tmp',
    resources: duckdbResourcesForLambda(env),
    maxRejectRate: env.MAX_REJECT_RATE ? Number(env.MAX_REJECT_RATE) : 1,
    dateWindow: dateWindow(parseConfig({ ...(env.CREDITLAKE_CONFIG ? JSON.parse(env.CREDITLAKE_CONFIG) : {}), lake: lakeUri }, 'CREDITLAKE_CONFIG').plausible_dates),
    log: jsonLogger({ function: env.AWS_LAMBDA_FUNCTION_NAME ?? 'creditlake-ingest' }),
  };
}

let cached: ReturnType<typeof createIngestHandler> | undefined;

export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<IngestOutcome[]> {
  // DuckDB keeps its home (extension and secret folders) under $HOME; only /tmp is writable in Lambda.
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.HOME = '/tmp';
  cached ??= createIngestHandler(depsFromEnv());
  return cached(event, context);
}
