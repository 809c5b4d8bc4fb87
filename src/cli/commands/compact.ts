import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { GlueClient } from '@aws-sdk/client-glue';
import { BuildLock } from '../../aws/build-lock.js';
import { gluePartitionRegistrar } from '../../aws/glue-partitions.js';
import { compactLakeUnderLock } from '../../aws/lake-compaction.js';
import type { Config } from '../../config/config.js';
import { S3LakeStore } from '../../lake/s3-store.js';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { printJson } from '../json-output.js';
import { batchTables } from './batches.js';
import { compactTable, type CompactResult } from '../../lake/compact.js';
import { runningBuild } from '../../lake/build-running.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import { isS3Uri } from '../../lake/s3-uri.js';
import { CANONICAL_TABLES } from '../../schema/index.js';

const usage = `Usage: creditlake compact [<table>…] [--min-files N] [--json] [--lake DIR]

Rewrites each table's committed batches into one Parquet file, so a build opens one file per table
instead of one per ingested file. The new file is committed as a batch whose manifest lists the
batches it holds: one atomic commit record, so a compaction killed half-way changed nothing.

Nothing a user sees changes: every row keeps its original batch, file and ingest day (staging's
"latest version wins" orders as before, so the marts are byte-identical), \`creditlake batches
retire\`/\`restore\` still act on the original batches, rejects stay listed per batch, and
re-ingesting a file already in the lake is still recognised. The original files stay on disk (a
warehouse built earlier still reads them); builds from now on read the compacted file.

All tables with batches by default; a table with fewer than --min-files live files (default 2) is
left alone. Refused while a build of the lake is running.

On an S3 lake (--lake s3://bucket/prefix) compaction holds the lake's build lock (marts/_build.lock,
the one state-machine and CLI builds take) and registers each compacted file's ingest day in the
Glue database of config athena.database before its commit, so Athena builds read the compacted
files at once. The stack also compacts on a schedule (the Compact Lambda).`;

export const compactCommand: Command = {
  name: 'compact',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { 'min-files': { type: 'string' } }, true);
    const minFiles = values['min-files'] === undefined ? 2 : Number(values['min-files']);
    if (!Number.isInteger(minFiles) || minFiles < 2) throw new UsageError('--min-files must be a whole number of at least 2');
    const { lakeRoot, config } = configFrom(values, io);
    if (isS3Uri(lakeRoot)) return compactS3(lakeRoot, config, positionals, minFiles, Boolean(values.json), io);
    if (!existsSync(lakeRoot)) throw new UsageError(`no lake at ${lakeRoot} (check --lake)`);
    const store = new LocalLakeStore(lakeRoot);
    const known = await batchTables(store);
    const unknown = positionals.filter((t) => !known.includes(t));
    if (unknown.length) throw new UsageError(`no batches for table ${unknown.join(', ')}; tables with batches: ${known.join(', ') || 'none'}`);
    const running = runningBuild(lakeRoot);
    if (running) {
      line(io.stderr, `creditlake compact: a build of this lake is running (pid ${running.pid}, since ${running.startedAt.toISOString()}); compact after it finishes`);
      return EXIT.FAILED;
    }
    const results: CompactResult[] = [];
    for (const name of positionals.length ? positionals : known) {
      const table = CANONICAL_TABLES.find((t) => t.name === name)!;
      const r = await compactTable({ store, table, minFiles });
      results.push(r);
      if (!values.json) line(io.stderr, describeResult(r));
    }
    report(results, Boolean(values.json), io);
    return EXIT.OK;
  },
};

function describeResult(r: CompactResult): string {
  return r.batchId
    ? `${r.table}: ${r.filesBefore} files -> 1 (${r.rows} rows of ${r.batches} batches) as batch ${r.batchId}`
    : `${r.table}: ${r.filesBefore} live file${r.filesBefore === 1 ? '' : 's'}, nothing to compact`;
}

function report(results: CompactResult[], json: boolean, io: CliIO): void {
  if (json) printJson(io, results);
  else if (results.some((r) => r.batchId)) line(io.stderr, 'the next `creditlake build` reads the compacted files');
}

async function compactS3(lakeRoot: string, config: Config, tables: string[], minFiles: number, json: boolean, io: CliIO): Promise<number> {
  const store = S3LakeStore.fromUri(lakeRoot);
  const known = await batchTables(store);
  const unknown = tables.filter((t) => !known.includes(t));
  if (unknown.length) throw new UsageError(`no batches for table ${unknown.join(', ')}; tables with batches: ${known.join(', ') || 'none'}`);
  const out = await compactLakeUnderLock({
    store,
    lock: new BuildLock(store),
    owner: `cli-compact:${userInfo().username}@${hostname()}:${process.pid}`,
    partitions: gluePartitionRegistrar({ client: new GlueClient({}), database: config.athena.database }),
    tables: tables.length ? tables : known,
    minFiles,
    onTable: (r) => {
      if (!json) line(io.stderr, describeResult(r));
    },
  });
  if (out.status === 'busy') {
    line(io.stderr, `creditlake compact: a build holds this lake (${out.holder.owner}, since ${out.holder.acquired_at}); compact after it finishes`);
    return EXIT.FAILED;
  }
  report(out.tables, json, io);
  return EXIT.OK;
}
