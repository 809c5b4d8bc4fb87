import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { configFrom, parse } from '../options.js';
import { parseTarget, runAthenaQuery, targetOption } from '../athena-target.js';
import { FORMATS, formatRows, type OutputFormat } from '../format.js';
import { lakePaths } from '../../lake/layout.js';
import { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';

const usage = `Usage: creditlake query "<SQL>" | -f <file.sql> [--format table|csv|json] [--lake DIR] [--config FILE]

Runs one SQL statement against lake/warehouse.duckdb (opened read-only; run \`creditlake build\`
first). Result rows go to stdout, messages to stderr; exits 1 on an SQL error.

  -f, --file <file>   read the SQL from a file (- for stdin)
  --format <fmt>      table (default; floats rounded for reading), csv or json (every digit;
                      DECIMAL and BIGINT as exact strings); --json is short for --format json
  --target <t>        duckdb (default) or athena (workgroup and database from config "athena")

Tables: canonical tables (invoices, payments, …), stg_* models and marts; see \`creditlake tables\`.`;

export const queryCommand: Command = {
  name: 'query',
  summary: 'Run SQL against the warehouse (table, csv or json output)',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { file: { type: 'string', short: 'f' }, format: { type: 'string' }, ...targetOption }, true);
    const format = (values.json ? 'json' : (values.format ?? 'table')) as OutputFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
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
    if (parseTarget(values.target) === 'athena') return runAthenaQuery(sql, format, configFrom(values, io).config, io);
    const { lakeRoot } = configFrom(values, io);
    const dbPath = join(lakeRoot, lakePaths.warehouseDb());
    if (!existsSync(dbPath)) {
      line(io.stderr, `creditlake query: no warehouse at ${dbPath}; run \`creditlake build\` first`);
      return EXIT.FAILED;
    }
    const engine = await DuckDBEngine.open({ path: dbPath, readOnly: true });
    try {
      const result = await engine.query(sql.trim().replace(/;\s*$/, ''));
      io.stdout.write(formatRows(format, result.columns, result.rows));
      return EXIT.OK;
    } catch (e) {
      line(io.stderr, `creditlake query: ${(e as Error).message}`);
      return EXIT.FAILED;
    } finally {
      await engine.close();
    }
  },
};
