import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { formatTable } from '../format.js';
import { printJson } from '../json-output.js';
import { openLakeStore } from '../../lake/open-store.js';
import { isS3Uri } from '../../lake/s3-uri.js';
import { runningBuild } from '../../lake/build-running.js';
import type { S3LakeStore } from '../../lake/s3-store.js';
import { BuildLock } from '../../aws/build-lock.js';
import { findBatch, listBatches, retireBatch, restoreBatch, type BatchStatus } from '../../lake/retire.js';
import type { LakeStore } from '../../lake/store.js';
import { batchTables } from '../../lake/batch-tables.js';
import { CANONICAL_TABLES } from '../../schema/index.js';

/** Who holds an S3 lake's build lock (marts/_build.lock) while it is live, else undefined. */
async function s3BuildHolder(store: S3LakeStore): Promise<string | undefined> {
  const cur = await new BuildLock(store).current();
  if (!cur || Date.parse(cur.info.expires_at) <= Date.now()) return undefined;
  return `${cur.info.owner}, since ${cur.info.acquired_at}`;
}

const usage = `Usage: creditlake batches [<table>…] [--lake DIR] [--json]
       creditlake batches retire <batch-id> [--reason TEXT] [--lake DIR]
       creditlake batches restore <batch-id> [--lake DIR]

Lists the lake's batches, one per ingested file: table, batch id, source file, content hash, rows
loaded and rejected, when it was ingested, and whether it is retired.

retire takes a batch out of the warehouse without deleting anything (its manifest, rows and rejects
stay; re-ingesting the same file is still recognised) and records who did it, when and why under
operations/. restore undoes it. Either takes effect at the next \`creditlake build\` and is refused
while a build of the lake is running. A batch id may be shortened to a unique prefix (8+ characters)
of the id or of the file's hash. On an S3 lake (--lake s3://bucket/prefix) the records go to the
bucket, and Athena builds, which read batches through their manifests and retire records, leave a
retired batch out; a held build lock (marts/_build.lock) refuses the change.`;

export { batchTables } from '../../lake/batch-tables.js';

function show(b: BatchStatus) {
  return {
    table: b.table,
    batch_id: b.batch_id,
    source_file: b.source_file,
    sha256: b.sha256.slice(0, 12),
    rows_loaded: String(b.rows_loaded),
    rows_rejected: String(b.rows_rejected),
    ingested_at: b.finished_at.replace(/\.\d+Z$/, 'Z'),
    status: b.retired ? `retired ${b.retired.retired_at.slice(0, 10)}` : 'active',
  };
}

const COLUMNS = [
  { name: 'table', type: 'VARCHAR' },
  { name: 'batch_id', type: 'VARCHAR' },
  { name: 'source_file', type: 'VARCHAR' },
  { name: 'sha256', type: 'VARCHAR' },
  { name: 'rows_loaded', type: 'BIGINT' },
  { name: 'rows_rejected', type: 'BIGINT' },
  { name: 'ingested_at', type: 'VARCHAR' },
  { name: 'status', type: 'VARCHAR' },
];

async function change(op: 'retire' | 'restore', id: string | undefined, reason: string | undefined, lakeRoot: string, io: CliIO): Promise<number> {
  if (!id) throw new UsageError(`give the batch id: creditlake batches ${op} <batch-id>`);
  const s3 = isS3Uri(lakeRoot);
  if (!s3 && !existsSync(lakeRoot)) throw new UsageError(`no lake at ${lakeRoot} (check --lake)`);
  const store = await openLakeStore(lakeRoot);
  const matches = findBatch(await listBatches(store, await batchTables(store)), id);
  if (matches.length === 0) throw new UsageError(`no batch ${id} in ${lakeRoot}; \`creditlake batches\` lists them`);
  if (matches.length > 1) throw new UsageError(`${id} matches ${matches.length} batches (${matches.map((m) => `${m.table} ${m.batch_id}`).join(', ')}): give more of the id`);
  const batch = matches[0]!;
  if (batch.compacted_sha256?.length) {
    throw new UsageError(`${batch.table} ${batch.batch_id} is a compaction of ${batch.compacted_sha256.length} batches; ${op} the batch the rows came from (its rows in the compacted file follow it)`);
  }
  // A build reads the retire records once: changing them under a running build would publish marts
  // that match neither state. Locally a build leaves its scratch warehouse; on S3 it holds the lock.
  const local = s3 ? undefined : runningBuild(lakeRoot);
  const busy = s3 ? await s3BuildHolder(store as S3LakeStore) : local && `pid ${local.pid}, since ${local.startedAt.toISOString()}`;
  if (busy) {
    line(io.stderr, `creditlake batches: a build of this lake is running (${busy}); ${op} after it finishes`);
    return EXIT.FAILED;
  }
  const next = s3
    ? 'the next Athena build (`creditlake build --target athena` or the scheduled one) leaves it out'
    : 'the warehouse drops it at the next `creditlake build`';
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return undefined;
    }
  })();
  if (op === 'retire') {
    if (batch.retired) {
      line(io.stdout, `${batch.table} batch ${batch.batch_id} is already retired (since ${batch.retired.retired_at}); nothing to do`);
      return EXIT.OK;
    }
    await retireBatch(store, batch, { reason, user });
    line(io.stdout, `retired ${batch.table} batch ${batch.batch_id} (${batch.source_file}, ${batch.rows_loaded} rows); ${next}; undo with \`creditlake batches restore ${batch.batch_id}\``);
  } else {
    if (!batch.retired) {
      line(io.stdout, `${batch.table} batch ${batch.batch_id} is not retired; nothing to do`);
      return EXIT.OK;
    }
    await restoreBatch(store, batch, { reason, user });
    line(io.stdout, `restored ${batch.table} batch ${batch.batch_id} (${batch.source_file}, ${batch.rows_loaded} rows); ${s3 ? 'the next Athena build reads it again' : 'the warehouse reads it again from the next `creditlake build`'}`);
  }
  return EXIT.OK;
}

export const batchesCommand: Command = {
  name: 'batches',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { reason: { type: 'string' } }, true);
    const { lakeRoot } = configFrom(values, io);
    const [first, ...rest] = positionals;
    if (first === 'retire' || first === 'restore') {
      if (rest.length > 1) throw new UsageError(`${first} takes one batch id`);
      return change(first, rest[0], values.reason, lakeRoot, io);
    }
    if (values.reason !== undefined) throw new UsageError('--reason goes with `batches retire`');
    if (!isS3Uri(lakeRoot) && !existsSync(lakeRoot)) throw new UsageError(`no lake at ${lakeRoot} (check --lake)`);
    const store = await openLakeStore(lakeRoot);
    const known = await batchTables(store);
    const unknown = positionals.filter((t) => !known.includes(t));
    if (unknown.length) throw new UsageError(`no batches for table ${unknown.join(', ')}; tables with batches: ${known.join(', ') || 'none'}`);
    const batches = await listBatches(store, positionals.length ? positionals : known);
    if (values.json) {
      printJson(io, batches);
      return EXIT.OK;
    }
    if (!batches.length) {
      line(io.stdout, `no batches in ${lakeRoot}: ingest files with \`creditlake ingest\``);
      return EXIT.OK;
    }
    io.stdout.write(formatTable(COLUMNS, batches.map(show), { maxCellWidth: 48 }));
    return EXIT.OK;
  },
};
