import { batchTables } from '../lake/batch-tables.js';
import { compactTable, type CompactResult } from '../lake/compact.js';
import type { LakeStore } from '../lake/store.js';
import { canonicalTable } from '../schema/index.js';
import { keepRenewed, type BuildLock, type LockInfo } from './build-lock.js';
import type { PartitionRegistrar } from './glue-partitions.js';

/**
 * Compaction of an S3 lake (the scheduled Lambda, and `creditlake compact --lake s3://…`): every table's
 * committed small files rewritten into one (src/lake/compact.ts), under the lake's build lock, so no
 * build (state machine or CLI) plans its raw reads while the set of live files changes, and a build
 * waiting for the lock runs right after on the compacted files. Each compacted file's ingest day is
 * registered in Glue before its commit: Athena plans registered days only, and the commit takes the
 * replaced files out of every read at once.
 *
 * Nothing a reader computes changes (rows keep their original batch, file and ingest day); a lake
 * another build holds is left alone (`busy`: the next schedule compacts it).
 */

export interface LakeCompactionOptions {
  store: LakeStore;
  lock: BuildLock;
  /** Who compacts, as the lock records it (`compact:<request>`, `cli-compact:<user@host:pid>`). */
  owner: string;
  /** Whether the holder of the lock still runs (a stopped build's lock is taken over at once). */
  alive?: (holder: LockInfo) => Promise<boolean | undefined>;
  /** Registers a compacted file's partition before its commit (Glue); absent: nothing to register. */
  partitions?: PartitionRegistrar;
  /** Default: every table with batches. */
  tables?: readonly string[];
  minFiles?: number;
  scratchDir?: string;
  lockTtlMs?: number;
  now?: () => Date;
  onTable?: (r: CompactResult) => void;
}

export type LakeCompactionOutcome = { status: 'busy'; holder: LockInfo } | { status: 'done'; tables: CompactResult[] };

export async function compactLakeUnderLock(opts: LakeCompactionOptions): Promise<LakeCompactionOutcome> {
  const got = await opts.lock.acquire(opts.owner, opts.alive);
  if (!got.acquired) return { status: 'busy', holder: got.holder };
  let renewError: Error | undefined;
  const stop = keepRenewed(got.lock, opts.lockTtlMs ?? 15 * 60_000, (e) => (renewError = e));
  try {
    const tables: CompactResult[] = [];
    for (const name of opts.tables ?? (await batchTables(opts.store))) {
      // A lock lost to another build (expired while renewals failed): stop before the next commit.
      if (renewError) throw new Error(`compaction stopped: the build lock could not be renewed (${renewError.message})`);
      const r = await compactTable({
        store: opts.store,
        table: canonicalTable(name),
        minFiles: opts.minFiles,
        scratchDir: opts.scratchDir,
        now: opts.now?.(),
        beforeCommit: opts.partitions ? async (key) => void (await opts.partitions!.register([key])) : undefined,
      });
      tables.push(r);
      opts.onTable?.(r);
    }
    return { status: 'done', tables };
  } finally {
    stop();
    await got.lock.release().catch(() => undefined);
  }
}
