import { existsSync } from 'node:fs';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { DEFAULT_MAX_ROWS, FORMATS, type OutputFormat } from '../format.js';
import { printResult } from './query.js';
import { batchTables } from './batches.js';
import { isS3Uri } from '../../lake/s3-uri.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import { findBatch, listBatches } from '../../lake/retire.js';
import { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import { lakeFilesSql } from '../../warehouse/duckdb/lake-path.js';

const usage = `Usage: creditlake rejects [<table>…] [--batch <id>] [--format table|csv|json] [--max-rows N] [--lake DIR]

Shows the rows ingest quarantined, with the reason: table, batch, source file, line, column,
reason, detail and the rejected line as read. All tables by default; --batch narrows to one batch
(an id or a unique prefix of 8+ characters, as \`creditlake batches\` lists them).`;

export const rejectsCommand: Command = {
  name: 'rejects',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { batch: { type: 'string' }, format: { type: 'string' }, 'max-rows': { type: 'string' } }, true);
    const format = (values.json ? 'json' : (values.format ?? 'table')) as OutputFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const maxRows = values['max-rows'] === undefined ? DEFAULT_MAX_ROWS : Number(values['max-rows']);
    if (!Number.isInteger(maxRows) || maxRows < 0) throw new UsageError('--max-rows must be a whole number, 0 for every row');
    const { lakeRoot } = configFrom(values, io);
    if (isS3Uri(lakeRoot)) throw new UsageError('rejects reads a local lake');
    if (!existsSync(lakeRoot)) throw new UsageError(`no lake at ${lakeRoot} (check --lake)`);
    const store = new LocalLakeStore(lakeRoot);
    const known = await batchTables(store);
    const unknown = positionals.filter((t) => !known.includes(t));
    if (unknown.length) throw new UsageError(`no batches for table ${unknown.join(', ')}; tables with batches: ${known.join(', ') || 'none'}`);
    let batches = await listBatches(store, positionals.length ? positionals : known);
    if (values.batch !== undefined) {
      batches = findBatch(batches, values.batch);
      if (batches.length !== 1) throw new UsageError(batches.length ? `${values.batch} matches ${batches.length} batches: give more of the id` : `no batch ${values.batch}; \`creditlake batches\` lists them`);
    }
    const withRejects = batches.filter((b) => b.quarantine_key);
    if (!withRejects.length) {
      line(io.stderr, `no rejected rows${values.batch ? ` in batch ${batches[0]!.batch_id}` : ''}`);
      if (format === 'json') line(io.stdout, '[]');
      return EXIT.OK;
    }
    // One scan over the quarantine files, tagged with their batch; paths relative to the lake.
    const tags = withRejects.map((b) => `(${[b.quarantine_key!, b.table, b.batch_id].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
    const sql =
      `SELECT t.tbl AS "table", t.batch_id, q.source_file, q.line, q.column_name, q.reason, q.detail, q.raw_line ` +
      `FROM read_parquet(${lakeFilesSql(withRejects.map((b) => b.quarantine_key!))}, filename = true) q ` +
      `JOIN (VALUES ${tags.join(', ')}) t(key, tbl, batch_id) ON q.filename = getvariable('lake') || '/' || t.key ` +
      `ORDER BY t.batch_id, q.line, q.column_name`;
    const engine = await DuckDBEngine.open({ lakeRoot, threads: 1 });
    try {
      for await (const result of engine.streamStatements(sql)) await printResult(result, format, maxRows, 0, io);
      return EXIT.OK;
    } finally {
      await engine.close();
    }
  },
};
