/**
 * Ingest Lambda: a feed dropped at s3://<landing>/<table>/<file>.csv becomes a committed batch in the
 * S3 lake (Parquet + quarantine + manifest), through the same conversion core as `creditlake ingest`.
 * Idempotent: the batch manifest is keyed by the file's content hash, so a re-delivered event, or the
 * same file dropped twice, lands once.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { jsonLogger, type JsonLogger } from '../src/aws/json-log.js';
import { duckdbResourcesForLambda, type DuckDBResources } from '../src/aws/lambda-resources.js';
import { droppedObjects, tableOfKey, type DroppedObject } from '../src/aws/s3-event.js';
import { ingestFiles } from '../src/feeds/ingest-files.js';
import { S3LakeStore } from '../src/lake/s3-store.js';

export interface IngestHandlerDeps {
  s3: S3Client;
  lake: S3LakeStore;
  /** Where a committed batch asks for a model build (FIFO queue, one message group). */
  buildQueue?: { client: SQSClient; url: string; messageGroupId: string };
  /** Local scratch parent: /tmp in Lambda. */
  scratchDir: string;
  resources: DuckDBResources;
  /** Reject share above which a batch is logged as failed (it is committed either way, with its quarantine). */
  maxRejectRate: number;
  log: JsonLogger;
}

export interface IngestOutcome {
  bucket: string;
  key: string;
  table?: string;
  status: 'loaded' | 'skipped' | 'ignored' | 'error';
  batchId?: string;
  rowsLoaded: number;
  rowsRejected: number;
  message: string;
}

export class IngestFailedError extends Error {}

async function download(s3: S3Client, obj: DroppedObject, dir: string): Promise<string> {
  const local = join(dir, basename(obj.key) || 'feed.csv');
  const res = await s3.send(new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key }));
  await pipeline(res.Body as Readable, createWriteStream(local));
  return local;
}

async function ingestObject(deps: IngestHandlerDeps, obj: DroppedObject, log: JsonLogger): Promise<IngestOutcome> {
  const base = { bucket: obj.bucket, key: obj.key, rowsLoaded: 0, rowsRejected: 0 };
  const table = tableOfKey(obj.key);
  if (!table || obj.key.endsWith('/')) {
    log.log('warn', 'ignored object outside a table prefix', { hint: 'drop feeds at <table>/<file>.csv' });
    return { ...base, status: 'ignored', message: 'not under a canonical table prefix' };
  }
  const work = await mkdtemp(join(deps.scratchDir, 'creditlake-drop-'));
  try {
    const local = await download(deps.s3, obj, work);
    const result = await ingestFiles({
      store: deps.lake,
      table,
      files: [local],
      maxRejectRate: deps.maxRejectRate,
      scratchDir: work,
      threads: deps.resources.threads,
      memoryLimit: deps.resources.memoryLimit,
    });
    const f = result.files[0]!;
    const outcome: IngestOutcome = {
      ...base,
      table,
      status: f.status,
      batchId: f.batchId,
      rowsLoaded: f.rowsLoaded,
      rowsRejected: f.rowsRejected,
      message: f.message,
    };
    const batchLog = log.child({ batch_id: f.batchId, table, sha256: f.sha256 });
    const fields = {
      status: f.status,
      rows_read: f.rowsRead,
      rows_loaded: f.rowsLoaded,
      rows_rejected: f.rowsRejected,
      top_reasons: f.topReasons.slice(0, 5).map((r) => ({ reason: r.reason, column: r.column, rows: r.rows })),
      data_key: f.dataKey,
      quarantine_key: f.quarantineKey,
      warnings: f.warnings,
    };
    if (f.status === 'error') batchLog.log('error', `ingest failed: ${f.message}`, fields);
    else if (f.failed) batchLog.log('warn', `ingest committed over the reject limit: ${f.message}`, fields);
    else batchLog.log('info', f.status === 'skipped' ? 'already ingested; nothing to do' : 'ingest committed', fields);

    if (f.status === 'loaded' && deps.buildQueue && f.batchId) {
      await deps.buildQueue.client.send(
        new SendMessageCommand({
          QueueUrl: deps.buildQueue.url,
          MessageBody: JSON.stringify({ reason: 'ingest', table, batch_id: f.batchId }),
          MessageGroupId: deps.buildQueue.messageGroupId,
          MessageDeduplicationId: f.batchId,
        }),
      );
      batchLog.log('info', 'model build requested');
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

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): IngestHandlerDeps {
  const lakeUri = env.LAKE_URI;
  if (!lakeUri) throw new Error('LAKE_URI is not set');
  const s3 = new S3Client({});
  return {
    s3,
    lake: S3LakeStore.fromUri(lakeUri, s3),
    buildQueue: env.BUILD_QUEUE_URL
      ? { client: new SQSClient({}), url: env.BUILD_QUEUE_URL, messageGroupId: env.BUILD_MESSAGE_GROUP ?? 'build' }
      : undefined,
    scratchDir: env.SCRATCH_DIR ?? '/tmp',
    resources: duckdbResourcesForLambda(env),
    maxRejectRate: env.MAX_REJECT_RATE ? Number(env.MAX_REJECT_RATE) : 1,
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
