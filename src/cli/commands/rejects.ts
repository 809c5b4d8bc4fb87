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
import { encodeText, UnencodableError } from '../../feeds/csv-dialect/encode.js';
import { LINE_TOO_LONG } from '../../feeds/csv-dialect/records.js';

const usage = `Usage: creditlake rejects [<table>…] [--batch <id>] [--format table|csv|json] [--max-rows N] [--lake DIR]
       creditlake rejects <table> [--batch <id>] --export <file.csv> [--lake DIR]

Shows the rows ingest quarantined, with the reason: table, batch, source file, line, column,
reason, detail and the rejected line as read. All tables by default; --batch narrows to one batch
(an id or a unique prefix of 8+ characters, as \`creditlake batches\` lists them).

--export writes the rejected lines back in the source file's own layout, each once, in file order,
for correction; fix them and ingest the file as it is:
  a canonical-table CSV   its header, then the lines: \`creditlake ingest <file.csv> --table <table>\`
  a mapped CSV export     (--mapping) its encoding, byte-order mark, line breaks, the lines above
                          and including the header, then the records exactly as the file had them
                          (quotes, delimiters in values): \`creditlake ingest <file> --mapping <same>\`
                          (plus --as-of for an open-item snapshot dated by --as-of or its file name)
One layout at a time (one table's header, or one export's layout; --batch picks one). xlsx
exports, e-invoices, bank statements, credit reports and rate files keep no layout to write back
(their rejects show with --format csv).`;

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
  const layoutless = batches.filter((b) => !b.source_header && !b.source_layout);
  if (layoutless.length) {
    throw new UsageError(
      `batch ${layoutless[0]!.batch_id} (${layoutless[0]!.source_file}) has no CSV layout to write back (an xlsx export, e-invoice, bank statement, credit report or rate file, or a batch from before layouts were recorded): see its rejects with --format csv`,
    );
  }
  const mapped = batches.filter((b) => b.source_layout);
  if (mapped.length && mapped.length < batches.length) {
    throw new UsageError('--export writes one layout: the rejected rows come from canonical CSV files and from mapped exports; name the table or the batch (--batch)');
  }
  if (mapped.length) return exportMapped(mapped, lakeRoot, file, io);
  const tables = [...new Set(batches.map((b) => b.table))];
  if (tables.length > 1) throw new UsageError(`--export writes one table's layout: name the table (rejected rows in ${tables.join(', ')})`);
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

/**
 * `rejects --export` of mapped CSV exports: the file's own head (preamble and header, verbatim), then
 * each rejected record once as the file had it, with its line breaks, in its encoding and with its
 * byte-order mark, so the same mapping reads the corrected file the same way. One source line feeds
 * several tables' batches (all with the file's batch id): it is written once.
 */
async function exportMapped(batches: readonly BatchManifest[], lakeRoot: string, file: string, io: CliIO): Promise<number> {
  const layouts = [...new Set(batches.map((b) => JSON.stringify(b.source_layout)))];
  if (layouts.length > 1) {
    const files = [...new Set(batches.map((b) => b.source_file))];
    throw new UsageError(`the batches come from exports in ${layouts.length} different layouts (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''}): export one at a time with --batch`);
  }
  const layout = batches[0]!.source_layout!;
  const tags = batches.map((b) => `(${[b.quarantine_key!, b.batch_id].map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
  const sql =
    `SELECT any_value(q.raw_line) AS raw_line, bool_or(q.reason = '${LINE_TOO_LONG}') AS too_long, q.line ` +
    `FROM read_parquet(${lakeFilesSql(batches.map((b) => b.quarantine_key!))}, filename = true) q ` +
    `JOIN (VALUES ${tags.join(', ')}) t(key, batch_id) ON q.filename = getvariable('lake') || '/' || t.key ` +
    `GROUP BY t.batch_id, q.line ORDER BY t.batch_id, q.line`;
  const engine = await DuckDBEngine.open({ lakeRoot, threads: 1 });
  let rows: { raw: string; tooLong: boolean; line: number }[];
  try {
    rows = (await engine.query(sql)).rows.map((r) => ({ raw: String(r.raw_line ?? ''), tooLong: r.too_long === true, line: Number(r.line) }));
  } finally {
    await engine.close();
  }
  // A line over the record limit was kept only in part: writing the part back would load a cut-off row.
  const cut = rows.filter((r) => r.tooLong);
  const kept = rows.filter((r) => !r.tooLong);
  const lb = layout.line_break;
  const text = [layout.head, ...kept.map((r) => (lb === '\n' ? r.raw : r.raw.replace(/\n/g, lb)))].join(lb) + lb;
  let bytes: Buffer;
  try {
    bytes = encodeText(text, layout.encoding, layout.bom);
  } catch (e) {
    if (e instanceof UnencodableError) throw new UsageError(`${e.message}: the rejected lines cannot be written in the source's encoding`);
    throw e;
  }
  writeFileSync(file, bytes);
  const tables = [...new Set(batches.map((b) => b.table))].join(', ');
  const sources = [...new Set(batches.map((b) => b.source_file))].join(', ');
  const show = layout.delimiter === '\t' ? 'tab' : layout.delimiter;
  line(
    io.stderr,
    `wrote ${kept.length} rejected line(s) of ${sources} (${tables}) in its own layout (${layout.encoding}${layout.bom ? ' with byte-order mark' : ''}, "${show}", ${lb === '\r\n' ? 'CRLF' : lb === '\r' ? 'CR' : 'LF'}) to ${file}; ` +
      `correct them, then \`creditlake ingest ${file} --mapping ${layout.mapping}${layout.as_of ? ` --as-of ${layout.as_of}` : ''}\``,
  );
  if (cut.length) line(io.stderr, `not written: line(s) ${cut.slice(0, 5).map((r) => r.line).join(', ')}${cut.length > 5 ? ', …' : ''} of the source were too long to keep; take them from the source file`);
  return EXIT.OK;
}
