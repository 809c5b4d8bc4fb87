import type { DateWindow } from '../../config/plausible-dates.js';
import { join } from 'node:path';
import { canonicalSelectList, quoteIdent as q, type TableDef } from '../../schema/index.js';
import type { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';
import type { Row } from '../../warehouse/engine.js';
import { rowChecks } from '../canonical-csv/rules.js';
import { duplicatesSql, failuresSql, lit, typeConflictsSql } from '../canonical-csv/sql.js';
import { priorDocsSql, typedDocumentKey, type PriorBatch } from '../prior-versions.js';
import type { ReasonCount } from '../canonical-csv/convert.js';
import { LINE_COLUMN, recordTextsSql, writeRecordTexts, type SourceLayout } from '../csv-dialect/normalize.js';
import { checkColumns, compileTargets } from './compile.js';
import { resolveFormats } from './sniff-values.js';
import type { Mapping } from './schema.js';

/**
 * The DuckDB half of a mapped ingest. Input: a normalized source (clean UTF-8 CSV of VARCHAR columns
 * with the original `__line`, from csv-dialect/normalize.ts, the xlsx reader or the UBL reader) plus
 * the lines already rejected while normalizing. Per target table it stages the mapped rows, runs the
 * canonical ingest's own row checks and duplicate-key pass (canonical-csv/rules.ts, sql.ts) plus the
 * mapping's parse checks, and writes the good rows and the quarantine as Parquet.
 *
 * A source line is loaded whole or not at all: when its invoice row fails, the payment and allocation
 * derived from the same line are quarantined too (reason "rejected with its other rows"), so no table
 * refers to a row that never landed.
 */

export interface NormalizedSource {
  /** Normalized CSV: `__line` + source columns, all text. */
  file: string;
  delimiter: string;
  header: string[];
  /** CSV `line,reason,raw` of lines rejected before mapping (shifted columns, oversized records, bad XML). */
  rejectsFile: string;
  rows: number;
  rejected: number;
  /** Lines of the source file (CSV: counted apart from the parser), for the reconciliation line. */
  physicalLines?: number;
  /** Name written to the quarantine `source_file` column. */
  sourceName: string;
  xlsx?: boolean;
  notes: string[];
  /** CSV: how the file is written (encoding, line break, preamble and header), for `rejects --export`. */
  layout?: SourceLayout;
  /**
   * CSV: the source text of the records starting on the given lines (ascending), as the file has
   * them. Rejected records are quarantined in that form, so they can be written back as they stood;
   * without it (xlsx, e-invoices) a rejected line is its values joined by the delimiter.
   */
  recordTexts?: (lines: readonly number[], onRecord: (line: number, text: string) => void) => Promise<void>;
}

export interface StagedTable {
  table: TableDef;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  dataFile?: string;
  quarantineFile?: string;
  topReasons: ReasonCount[];
  preview?: Row[];
  rejectPreview?: Row[];
}

export interface StageResult {
  tables: StagedTable[];
  /** Source lines read (normalized rows + lines rejected while normalizing). */
  linesRead: number;
  /** Lines that landed in at least one table. */
  linesLoaded: number;
  linesRejected: number;
  notes: string[];
}

export interface StageOptions {
  scratchDir: string;
  outputName: (table: string) => string;
  dryRun?: boolean;
  previewRows?: number;
  onProgress?: (fraction: number) => void;
  /** Dates a row may carry; default 1990-01-01 to five years after today. */
  dateWindow?: DateWindow;
  /** A table's committed batches, to refuse a document number an earlier batch holds as the other type. */
  prior?: (table: string) => Promise<readonly PriorBatch[]>;
}

const REJECTS_VIEW = 'pre_rejects';

function readNormalized(src: NormalizedSource): string {
  const cols = [LINE_COLUMN, ...src.header].map((h) => `${lit(h)}: 'VARCHAR'`).join(', ');
  return `read_csv(${lit(src.file)}, header = true, auto_detect = false, delim = ${lit(src.delimiter)}, quote = '"', escape = '"',
    columns = {${cols}}, max_line_size = 4194304, buffer_size = 8388608, strict_mode = true)`;
}

export async function stageMapped(engine: DuckDBEngine, mapping: Mapping, src: NormalizedSource, opts: StageOptions): Promise<StageResult> {
  const file = lit(src.sourceName);
  checkColumns(mapping, src.header);
  await engine.execute(`CREATE OR REPLACE TEMP VIEW source AS SELECT * FROM ${readNormalized(src)}`);
  await engine.execute(
    `CREATE OR REPLACE TEMP TABLE ${REJECTS_VIEW} AS SELECT CAST(line AS BIGINT) AS line, coalesce(column_name, '') AS column_name, reason, coalesce(detail, '') AS detail, raw FROM read_csv(${lit(src.rejectsFile)},
       header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
       columns = {'line': 'VARCHAR', 'column_name': 'VARCHAR', 'reason': 'VARCHAR', 'detail': 'VARCHAR', 'raw': 'VARCHAR'}, max_line_size = 4194304)`,
  );
  const { formats, notes } = await resolveFormats(engine, 'source', src.header, mapping, { xlsx: src.xlsx });
  const targets = compileTargets(mapping, src.header, formats, 'source');
  const n = targets.length;

  for (const [i, t] of targets.entries()) {
    await engine.execute(`CREATE OR REPLACE TEMP TABLE src AS ${t.sql}`);
    await engine.execute('DROP TABLE IF EXISTS fails');
    await engine.execute(failuresSql(rowChecks(t.table, [], opts.dateWindow)));
    await engine.execute(
      `INSERT INTO fails SELECT rid, unnest("__fails", recursive := true) FROM (SELECT rowid AS rid, "__fails" FROM src) WHERE len("__fails") > 0`,
    );
    // A value that failed to parse is NULL: its own reason says why, "required value missing" is noise.
    await engine.execute(
      `DELETE FROM fails WHERE reason = 'required value missing' AND CAST(rid AS VARCHAR) || '|' || column_name IN
         (SELECT CAST(rid AS VARCHAR) || '|' || column_name FROM fails WHERE reason <> 'required value missing')`,
    );
    // One bad value read by two expressions (an amount that also decides the document type) is one reject.
    await engine.execute(
      `CREATE OR REPLACE TEMP TABLE fails AS SELECT DISTINCT ON (rid, reason, detail) * FROM fails ORDER BY rid, reason, detail, column_name`,
    );
    // With document_ids: unique_per_type the mapping has already made credit-note numbers unique
    // (compile.ts), so what this still finds is a real conflict.
    if (typedDocumentKey(t.table)) {
      const prior = (await opts.prior?.(t.table.name)) ?? [];
      if (prior.length) await engine.execute(priorDocsSql(prior, 'src'));
      await engine.execute(typeConflictsSql(prior.length > 0));
    }
    await engine.execute(duplicatesSql(t.table));
    await engine.execute(`DROP TABLE IF EXISTS src_${i}`);
    await engine.execute(`DROP TABLE IF EXISTS fails_${i}`);
    await engine.execute(`ALTER TABLE src RENAME TO src_${i}`);
    await engine.execute(`ALTER TABLE fails RENAME TO fails_${i}`);
    opts.onProgress?.((i + 1) / (n + 1));
  }
  await engine.execute(
    `CREATE OR REPLACE TEMP TABLE bad_lines AS ${targets
      .map((_, i) => `SELECT DISTINCT s."__line" AS line, ${lit(targets[i]!.table.name)} AS tbl FROM fails_${i} f JOIN (SELECT rowid AS rid, "__line" FROM src_${i}) s USING (rid)`)
      .join(' UNION ALL ')}`,
  );
  if (src.recordTexts && !opts.dryRun) await verbatimLines(engine, src, opts.scratchDir);
  else {
    const raw = `concat_ws(${lit(src.delimiter)}, ${src.header.map((h) => `coalesce(${q(h)}, '')`).join(', ')})`;
    await engine.execute(
      `CREATE OR REPLACE TEMP TABLE raw_lines AS SELECT CAST("__line" AS BIGINT) AS line, ${raw} AS raw_line FROM source
       WHERE CAST("__line" AS BIGINT) IN (SELECT CAST(line AS BIGINT) FROM bad_lines)`,
    );
  }

  const tables: StagedTable[] = [];
  for (const [i, t] of targets.entries()) {
    const quarantine = `quarantine_${i}`;
    await engine.execute(`CREATE OR REPLACE TEMP TABLE ${quarantine} AS
      SELECT ${file} AS source_file, line, column_name, reason, detail, raw_line FROM (
        SELECT s."__line" AS line, f.column_name, f.reason, f.detail
        FROM fails_${i} f JOIN (SELECT rowid AS rid, "__line" FROM src_${i}) s USING (rid)
        UNION ALL
        SELECT s."__line", '', 'rejected with its other rows from the same line',
          'failed in ' || (SELECT string_agg(DISTINCT tbl, ', ') FROM bad_lines b WHERE b.line = s."__line")
        FROM src_${i} s
        WHERE s."__line" IN (SELECT line FROM bad_lines) AND s.rowid NOT IN (SELECT rid FROM fails_${i})
      ) LEFT JOIN raw_lines USING (line)
      UNION ALL
      SELECT ${file}, line, column_name, reason, detail, raw FROM ${REJECTS_VIEW}
      ORDER BY line, column_name`);
    const counts = (
      await engine.query(
        `SELECT (SELECT count(*) FROM src_${i}) AS staged, (SELECT count(DISTINCT line) FROM ${quarantine}) AS rejected,
           (SELECT count(*) FROM src_${i} WHERE "__line" NOT IN (SELECT line FROM bad_lines)) AS loaded`,
      )
    ).rows[0]!;
    // No ORDER BY: the engine preserves insertion order, and sorting 10M+ rows would need memory.
    const good = `(SELECT * FROM src_${i} WHERE "__line" NOT IN (SELECT line FROM bad_lines))`;
    const staged: StagedTable = {
      table: t.table,
      rowsRead: Number(counts.staged) + src.rejected,
      rowsLoaded: Number(counts.loaded),
      rowsRejected: Number(counts.rejected),
      topReasons: await topReasons(engine, quarantine),
    };
    if (opts.dryRun) {
      const limit = opts.previewRows ?? 10;
      staged.preview = (await engine.query(`SELECT ${canonicalSelectList(t.table)} FROM ${good} LIMIT ${limit}`)).rows;
      staged.rejectPreview = (await engine.query(`SELECT line, column_name, reason, detail FROM ${quarantine} LIMIT ${limit}`)).rows;
    } else {
      staged.dataFile = join(opts.scratchDir, `${opts.outputName(t.table.name)}.parquet`);
      await engine.execute(`COPY (SELECT ${canonicalSelectList(t.table)} FROM ${good}) TO ${lit(staged.dataFile)} (FORMAT parquet)`);
      if (staged.rowsRejected > 0) {
        staged.quarantineFile = join(opts.scratchDir, `${opts.outputName(t.table.name)}.quarantine.parquet`);
        await engine.execute(`COPY ${quarantine} TO ${lit(staged.quarantineFile)} (FORMAT parquet)`);
      }
    }
    tables.push(staged);
  }
  // A target without filters or de-duplication has a row for every source line: then no union of
  // all lines (a hash table as big as the file) is needed to count the lines that landed.
  const total = Object.values(mapping.tables).some((t) => !t.where?.length && !t.distinct_on?.length);
  const landed = total
    ? `SELECT ${src.rows} - (SELECT count(DISTINCT line) FROM bad_lines)`
    : `SELECT count(*) FROM (${targets.map((_, i) => `SELECT "__line" FROM src_${i}`).join(' UNION ')}) WHERE "__line" NOT IN (SELECT line FROM bad_lines)`;
  const lines = (await engine.query(`SELECT (SELECT count(DISTINCT line) FROM bad_lines) AS bad, (${landed}) AS loaded`)).rows[0]!;
  opts.onProgress?.(1);
  return {
    tables,
    linesRead: src.rows + src.rejected,
    linesLoaded: Number(lines.loaded),
    linesRejected: Number(lines.bad) + src.rejected,
    notes: [...src.notes, ...notes],
  };
}

async function topReasons(engine: DuckDBEngine, quarantine: string): Promise<ReasonCount[]> {
  const r = await engine.query(`
    SELECT reason, column_name, count(DISTINCT line) AS n, min(line) AS line,
      arg_min(detail, line) AS detail, any_value(source_file) AS file
    FROM ${quarantine} GROUP BY reason, column_name ORDER BY n DESC, reason, column_name LIMIT 10`);
  return r.rows.map((x) => ({
    reason: String(x.reason),
    column: String(x.column_name ?? ''),
    rows: Number(x.n),
    sample: { file: String(x.file), line: Number(x.line), column: String(x.column_name ?? ''), detail: String(x.detail ?? '') },
  }));
}

/** `raw_lines`: the rejected records as the source file has them, read back from it (see recordTexts). */
async function verbatimLines(engine: DuckDBEngine, src: NormalizedSource, scratchDir: string): Promise<void> {
  const lines = (await engine.query('SELECT DISTINCT CAST(line AS BIGINT) AS line FROM bad_lines ORDER BY 1')).rows.map((r) => Number(r.line));
  const file = join(scratchDir, 'rejected-records.csv');
  await writeRecordTexts(src.recordTexts!, lines, file);
  await engine.execute(`CREATE OR REPLACE TEMP TABLE raw_lines AS ${recordTextsSql(file)}`);
}
