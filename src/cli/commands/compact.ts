import { existsSync } from 'node:fs';
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
left alone. Local lakes only for now (an Athena build does not read compacted files yet). Refused
while a build of the lake is running.`;

export const compactCommand: Command = {
  name: 'compact',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { 'min-files': { type: 'string' } }, true);
    const minFiles = values['min-files'] === undefined ? 2 : Number(values['min-files']);
    if (!Number.isInteger(minFiles) || minFiles < 2) throw new UsageError('--min-files must be a whole number of at least 2');
    const { lakeRoot } = configFrom(values, io);
    if (isS3Uri(lakeRoot)) throw new UsageError('compact works on a local lake for now: an Athena build does not read compacted files yet');
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
      if (!values.json) {
        line(io.stderr, r.batchId
          ? `${name}: ${r.filesBefore} files -> 1 (${r.rows} rows of ${r.batches} batches) as batch ${r.batchId}`
          : `${name}: ${r.filesBefore} live file${r.filesBefore === 1 ? '' : 's'}, nothing to compact`);
      }
    }
    if (values.json) printJson(io, results);
    else if (results.some((r) => r.batchId)) line(io.stderr, 'the next `creditlake build` reads the compacted files');
    return EXIT.OK;
  },
};
