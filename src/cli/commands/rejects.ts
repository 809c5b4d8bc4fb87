import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { DEFAULT_MAX_ROWS, FORMATS, type OutputFormat } from '../format.js';
import { printResult } from './query.js';
import { batchTables } from './batches.js';
import { isS3Uri } from '../../lake/s3-uri.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import { findBatch, listBatches } from '../../lake/retire.js';
import type { BatchManifest } from '../../lake/manifest.js';
import { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import { lakeFilesSql } from '../../warehouse/duckdb/lake-path.js';

const usage = `Usage: creditlake rejects [<table>…] [--batch <id>] [--format table|csv|json] [--max-rows N] [--lake DIR]
       creditlake rejects <table> [--batch <id>] --export <file.csv> [--lake DIR]

Shows the rows ingest quarantined, with the reason: table, batch, source file, line, column,
reason, detail and the rejected line as read. All tables by default; --batch narrows to one batch
(an id or a unique prefix of 8+ characters, as \`creditlake batches\` lists them).

--export writes the rejected lines of a canonical-table CSV back in the file's own layout (its
header, then each rejected line once, in file order) for correction: fix them and ingest the file
with \`creditlake ingest <file.csv> --table <table>\`. Batches of one table and one header at a time;
batches of mapped exports, e-invoices, bank statements and credit reports keep no CSV layout to
write back (their rejects show with --format csv).`;

export const rejectsCommand: Command = {
  name: 'rejects',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { batch: { type: 'string' }, format: { type: 'string' }, 'max-rows': { type: 'string' }, export: { type: 'string' } }, true);
    if (values.export !== undefined && (values.format !== undefined || values.json)) throw new UsageError('--export writes CSV in the source layout: leave out --format/--json');
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
    if (values.export !== undefined) return exportRejects(withRejects, lakeRoot, resolve(io.cwd, values.export), io);
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

/** A CSV field as a canonical CSV file carries it: quoted when it holds a comma, quote or line break. */
const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * `rejects --export`: the quarantined lines of canonical-CSV batches in their file's layout (header,
 * then each rejected line once, in file order), ready to correct and ingest again. The quarantine
 * keeps every rejected line as a CSV line in that layout (a line the reader could not parse, as it
 * stood in the file), and the manifest keeps the header.
 */
async function exportRejects(batches: readonly BatchManifest[], lakeRoot: string, file: string, io: CliIO): Promise<number> {
  if (!batches.length) {
    line(io.stderr, 'no rejected rows to export');
    return EXIT.FAILED;
  }
  const tables = [...new Set(batches.map((b) => b.table))];
  if (tables.length > 1) throw new UsageError(`--export writes one table's layout: name the table (rejected rows in ${tables.join(', ')})`);
  const layoutless = batches.filter((b) => !b.source_header);
  if (layoutless.length) {
    throw new UsageError(
      `batch ${layoutless[0]!.batch_id} (${layoutless[0]!.source_file}) has no CSV layout to write back (a mapped export, e-invoice, bank statement, credit report or rate file, or a batch from before layouts were recorded): see its rejects with --format csv`,
    );
  }
  const headers = [...new Set(batches.map((b) => b.source_header!.join(',')))];
  if (headers.length > 1) throw new UsageError(`the batches have ${headers.length} different headers: export one at a time with --batch`);
  const tags = batches.map((b) => `(${[b.quarantine_key!, b.batch_id].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
  const sql =
    `SELECT any_value(q.raw_line) AS raw_line FROM read_parquet(${lakeFilesSql(batches.map((b) => b.quarantine_key!))}, filename = true) q ` +
    `JOIN (VALUES ${tags.join(', ')}) t(key, batch_id) ON q.filename = getvariable('lake') || '/' || t.key ` +
    `GROUP BY t.batch_id, q.line ORDER BY t.batch_id, q.line`;
  const engine = await DuckDBEngine.open({ lakeRoot, threads: 1 });
  try {
    const rows = (await engine.query(sql)).rows.map((r) => String(r.raw_line ?? ''));
    writeFileSync(file, [batches[0]!.source_header!.map(csvField).join(','), ...rows].join('\n') + '\n');
    line(io.stderr, `wrote ${rows.length} rejected line(s) of ${tables[0]} in the source layout to ${file}; correct them, then \`creditlake ingest ${file} --table ${tables[0]}\``);
    return EXIT.OK;
  } finally {
    await engine.close();
  }
}
