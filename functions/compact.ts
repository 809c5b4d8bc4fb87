/**
 * Scheduled compaction Lambda (EventBridge rule, daily by default): rewrites each table's small raw
 * files of the S3 lake into one, under the lake's build lock (src/aws/lake-compaction.ts). A build
 * that holds the lake wins: the run is skipped and the next schedule compacts. Its role writes raw/
 * and manifests/ (and the lock object) only.
 */
import { GlueClient } from '@aws-sdk/client-glue';
import { SFNClient } from '@aws-sdk/client-sfn';
import { BuildLock, type LockInfo } from '../src/aws/build-lock.js';
import { executionRunning } from '../src/aws/execution-running.js';
import { SFN_OWNER_PREFIX } from '../src/aws/build-steps.js';
import { gluePartitionRegistrar, type PartitionRegistrar } from '../src/aws/glue-partitions.js';
import { jsonLogger, type JsonLogger } from '../src/aws/json-log.js';
import { compactLakeUnderLock } from '../src/aws/lake-compaction.js';
import { S3LakeStore } from '../src/lake/s3-store.js';

export interface CompactHandlerDeps {
  store: S3LakeStore;
  lock: BuildLock;
  partitions?: PartitionRegistrar;
  /** Whether the build execution behind an `sfn:` lock still runs (a stopped one frees it at once). */
  executionRunning?: (executionArn: string) => Promise<boolean | undefined>;
  minFiles?: number;
  scratchDir: string;
  log: JsonLogger;
  now?: () => Date;
}

export interface CompactOutcome {
  status: 'done' | 'busy';
  /** The build holding the lake when busy. */
  holder?: string;
  tables: { table: string; files_before: number; files_after: number; rows: number; batch_id?: string }[];
}

export function createCompactHandler(deps: CompactHandlerDeps) {
  const alive = async (holder: LockInfo) =>
    holder.owner.startsWith(SFN_OWNER_PREFIX) && deps.executionRunning ? deps.executionRunning(holder.owner.slice(SFN_OWNER_PREFIX.length)) : undefined;
  return async (event?: { id?: string; time?: string }, context?: { awsRequestId?: string }): Promise<CompactOutcome> => {
    const owner = `compact:${context?.awsRequestId ?? event?.id ?? new Date().toISOString()}`;
    const out = await compactLakeUnderLock({
      store: deps.store,
      lock: deps.lock,
      owner,
      alive,
      partitions: deps.partitions,
      minFiles: deps.minFiles,
      scratchDir: deps.scratchDir,
      now: deps.now,
      onTable: (r) =>
        deps.log.log('info', r.batchId ? `${r.table}: ${r.filesBefore} files compacted into 1` : `${r.table}: nothing to compact`, {
          table: r.table, files_before: r.filesBefore, files_after: r.filesAfter, rows: r.rows, batch_id: r.batchId,
        }),
    });
    if (out.status === 'busy') {
      deps.log.log('warn', `a build holds the lake (${out.holder.owner}, since ${out.holder.acquired_at}); compaction skipped until the next schedule`);
      return { status: 'busy', holder: out.holder.owner, tables: [] };
    }
    return {
      status: 'done',
      tables: out.tables.map((r) => ({ table: r.table, files_before: r.filesBefore, files_after: r.filesAfter, rows: r.rows, ...(r.batchId ? { batch_id: r.batchId } : {}) })),
    };
  };
}

export function compactDepsFromEnv(env: NodeJS.ProcessEnv = process.env): CompactHandlerDeps {
  const lakeUri = env.LAKE_URI;
  if (!lakeUri) throw new Error('LAKE_URI is not set');
  const store = S3LakeStore.fromUri(lakeUri);
  return {
    store,
    lock: new BuildLock(store, { ttlMs: 15 * 60_000 }),
    partitions: env.GLUE_DATABASE ? gluePartitionRegistrar({ client: new GlueClient({}), database: env.GLUE_DATABASE }) : undefined,
    executionRunning: executionRunning(new SFNClient({})),
    minFiles: env.COMPACT_MIN_FILES ? Number(env.COMPACT_MIN_FILES) : undefined,
    scratchDir: env.SCRATCH_DIR ?? '/tmp',
    log: jsonLogger({ function: env.AWS_LAMBDA_FUNCTION_NAME ?? 'creditlake-compact' }),
  };
}

let cached: ReturnType<typeof createCompactHandler> | undefined;

export async function handler(event?: { id?: string; time?: string }, context?: { awsRequestId?: string }): Promise<CompactOutcome> {
  // DuckDB keeps its home under $HOME; only /tmp is writable in Lambda.
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.HOME = '/tmp';
  cached ??= createCompactHandler(compactDepsFromEnv());
  return cached(event, context);
}
