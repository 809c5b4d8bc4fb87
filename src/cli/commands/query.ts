import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { lakeRootFrom, parse } from '../options.js';
import { parseTarget, targetOption } from '../target.js';
import { DEFAULT_MAX_ROWS, FORMATS, TablePreview, csvHeader, csvLines, jsonRow, type OutputFormat } from '../format.js';
import { writeOut } from '../output.js';
import { lakePaths } from '../../lake/layout.js';
import { DuckDBEngine, type StreamedResult } from '../../warehouse/duckdb/duckdb-engine.js';

const usage = `Usage: creditlake query "<SQL>" | -f <file.sql> [--format table|csv|json] [--max-rows N] [--lake DIR] [--config FILE]

Runs SQL against lake/warehouse.duckdb (opened read-only; run \`creditlake build\` first). Several
statements (separated by ;) each print their result, in order. Result rows go to stdout as they
are read, so csv and json output of any size streams in bounded memory; messages go to stderr.
Exits 1 on an SQL error (after the results of the statements before it).

  -f, --file <file>   read the SQL from a file (- for stdin)
  --format <fmt>      table (default; floats rounded for reading), csv or json (every digit;
                      DECIMAL and BIGINT as exact strings); --json is short for --format json.
                      Several statements: one table or CSV block each, separated by a blank line;
                      json prints one array per statement, one after another
  --max-rows <n>      table format: rows shown, the first and last half of the result, with the
                      total in the footer (default ${DEFAULT_MAX_ROWS}; 0 shows every row)
  --target <t>        duckdb (default), athena (workgroup and database from config "athena") or
                      trino (the cluster in config "trino"; one statement, tables in its catalog.schema)

Tables: canonical tables (invoices, payments, …), stg_* models and marts; see \`creditlake tables\`.`;

export const queryCommand: Command = {
  name: 'query',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(
      argv,
      { file: { type: 'string', short: 'f' }, format: { type: 'string' }, 'max-rows': { type: 'string' }, ...targetOption },
      true,
    );
    const format = (values.json ? 'json' : (values.format ?? 'table')) as OutputFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const maxRows = values['max-rows'] === undefined ? DEFAULT_MAX_ROWS : Number(values['max-rows']);
    if (!Number.isInteger(maxRows) || maxRows < 0) throw new UsageError('--max-rows must be a whole number, 0 for every row');
    let sql: string;
    if (values.file !== undefined) {
      if (positionals.length) throw new UsageError('give the SQL either as an argument or with -f, not both');
      if (values.file === '-') sql = readFileSync(0, 'utf8');
      else {
        const path = resolve(io.cwd, values.file);
        if (!existsSync(path)) throw new UsageError(`no such file: ${values.file}`);
        sql = readFileSync(path, 'utf8');
      }
    } else {
      if (positionals.length !== 1) throw new UsageError('give one SQL statement (quote it) or -f <file>');
      sql = positionals[0]!;
    }
    const target = parseTarget(values.target);
    if (target === 'athena') {
      const { configFrom } = await import('../config-from.js');
      return (await import('../athena-target.js')).runAthenaQuery(sql, format, configFrom(values, io).config, io);
    }
    if (target === 'trino') {
      const { configFrom } = await import('../config-from.js');
      return (await import('../trino-target.js')).runTrinoQuery(sql, format, configFrom(values, io), io);
    }
    const lakeRoot = await lakeRootFrom(values, io);
    const dbPath = join(lakeRoot, lakePaths.warehouseDb());
    if (!existsSync(dbPath)) {
      line(io.stderr, `creditlake query: no warehouse at ${dbPath}; run \`creditlake build\` first`);
      return EXIT.FAILED;
    }
    const engine = await DuckDBEngine.open({ path: dbPath, readOnly: true, lakeRoot });
    try {
      let printed = 0;
      for await (const result of engine.streamStatements(sql)) {
        if (!result.returnsRows) continue;
        if (!(await printResult(result, format, maxRows, printed++, io))) break;
      }
      return EXIT.OK;
    } catch (e) {
      line(io.stderr, `creditlake query: ${(e as Error).message}`);
      return EXIT.FAILED;
    } finally {
      await engine.close();
    }
  },
};

/** Streams one statement's result to stdout; false when the reader has gone away. */
export async function printResult(result: StreamedResult, format: OutputFormat, maxRows: number, index: number, io: CliIO): Promise<boolean> {
  const out = io.stdout;
  if (format === 'table') {
    const table = new TablePreview(result.columns, { maxRows });
    for await (const chunk of result.chunks) for (const row of chunk) table.add(row);
    return writeOut(out, `${index ? '\n' : ''}${table}`);
  }
  if (format === 'csv') {
    if (!(await writeOut(out, `${index ? '\r\n' : ''}${csvHeader(result.columns)}`))) return false;
    for await (const chunk of result.chunks) if (!(await writeOut(out, csvLines(chunk)))) return false;
    return true;
  }
  let first = true;
  for await (const chunk of result.chunks) {
    let text = '';
    for (const row of chunk) {
      text += `${first ? '[\n' : ',\n'}${jsonRow(result.columns, row)}`;
      first = false;
    }
    if (!(await writeOut(out, text))) return false;
  }
  return writeOut(out, first ? '[]\n' : '\n]\n');
}
