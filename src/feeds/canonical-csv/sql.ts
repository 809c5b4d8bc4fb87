import type { SqlType, TableDef } from '../../schema/index.js';
import type { FieldForm } from './field-watch.js';
import { canonicalSelectList, quoteIdent as q } from '../../schema/index.js';
import { readType, type RowCheck } from './rules.js';
import { LINE_COLUMN } from '../csv-dialect/normalize.js';

/** SQL string literal. */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * `read_csv` over the NORMALIZED copy of a canonical CSV (csv-dialect/normalize.ts: `__line` first,
 * every record with the header's field count, clean quoting), so DuckDB's strict reader never meets a
 * stray quote or a short line. Only DATE columns are typed: their rejects carry line and column.
 */
export function readCsvSql(file: string, header: readonly string[], table: TableDef): string {
  const types = header.map((name) => {
    const c = table.columns.find((x) => x.name === name);
    return `${lit(name)}: ${lit(c ? readType(c.sqlType) : 'VARCHAR')}`;
  });
  return `read_csv(${lit(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = {'${LINE_COLUMN}': 'BIGINT', ${types.join(', ')}}, dateformat = '%Y-%m-%d', max_line_size = 4194304,
    store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan')`;
}

/** Staged rows: the canonical columns in canonical order (absent ones NULL, unknown ones dropped), then `__line`. */
export function stageSql(file: string, header: readonly string[], table: TableDef): string {
  const present = new Set(header);
  const cols = table.columns.map((c) => (present.has(c.name) ? q(c.name) : `CAST(NULL AS ${readType(c.sqlType)}) AS ${q(c.name)}`));
  return `CREATE TEMP TABLE src AS SELECT ${cols.join(', ')}, ${q(LINE_COLUMN)} FROM ${readCsvSql(file, header, table)}`;
}

/**
 * Every failed check of every row, in one scan: (rid, column_name, reason, detail). The WHERE screens
 * all rows; the failure list is built only for the few that fail, and drops business-rule reasons on
 * a column whose format check failed too.
 */
export function failuresSql(checks: readonly RowCheck[]): string {
  // No coalesce(…, false): WHERE and CASE already treat NULL as false, and a coalesce wrapper stops
  // DuckDB from short-circuiting the OR chain (2× slower on 1M rows).
  const fire = (c: RowCheck) => `(${c.failWhen})`;
  const structs = checks.map(
    (c) =>
      `CASE WHEN ${fire(c)} THEN {'column_name': ${lit(c.column)}, 'reason': ${c.reasonSql ?? lit(c.reason)}, ` +
      `'detail': CAST(${c.detail} AS VARCHAR), 'business': ${c.businessRule ? 'true' : 'false'}} END`,
  );
  return `CREATE TEMP TABLE fails AS
    SELECT rid, f.column_name, f.reason, f.detail FROM (
      SELECT rid, unnest(list_filter(l, x -> NOT x.business
        OR NOT list_contains(list_transform(list_filter(l, y -> NOT y.business), y -> y.column_name), x.column_name))) AS f
      FROM (
        SELECT rid, list_filter([${structs.join(',\n          ')}], x -> x IS NOT NULL) AS l
        FROM (SELECT rowid AS rid, * FROM src)
        WHERE ${checks.map(fire).join('\n          OR ')}))`;
}

/**
 * The keys more than one staged row carries (`repeatedKeysSql`): the duplicate check and, on a table
 * keyed by document number, the invoice/credit-note check look only at these, so the file is grouped
 * by key once rather than once per check.
 */
export function repeatedKeysSql(table: TableDef): string {
  const keyList = table.key.map(q).join(', ');
  return `CREATE TEMP TABLE repeated_keys AS SELECT ${keyList} FROM src GROUP BY ${keyList} HAVING count(*) > 1`;
}

/**
 * Later rows repeating an earlier (otherwise valid) row's key; the first one is kept. `repeated`: a
 * relation of the keys that occur more than once in src (repeatedKeysSql), else computed here.
 */
export function duplicatesSql(table: TableDef, repeated?: string): string {
  const keys = table.key.map(q);
  const keyList = keys.join(', ');
  const shown = table.key.map((k) => `${lit(`${k} "`)} || ${q(k)} || '"'`).join(` || ', ' || `);
  return `INSERT INTO fails
    SELECT rid, ${lit(table.key.join(', '))}, 'duplicate key', ${shown} || ' repeats an earlier row'
    FROM (
      SELECT s.rid, ${keys.map((k) => `s.${k}`).join(', ')}, row_number() OVER (PARTITION BY ${keys.map((k) => `s.${k}`).join(', ')} ORDER BY s.rid) AS n
      FROM (SELECT rowid AS rid, ${keyList} FROM src) s
      SEMI JOIN ${repeated ?? `(SELECT ${keyList} FROM src GROUP BY ${keyList} HAVING count(*) > 1)`} d USING (${keyList})
      ANTI JOIN (SELECT DISTINCT rid FROM fails) f ON s.rid = f.rid
    )
    WHERE n > 1`;
}

const REJECT_REASON = `CASE error_type
    WHEN 'CAST' THEN 'not a valid ' || regexp_extract(error_message, 'to ''([A-Z]+)''', 1)
    WHEN 'MISSING COLUMNS' THEN 'too few columns'
    WHEN 'TOO MANY COLUMNS' THEN 'too many columns'
    WHEN 'UNQUOTED VALUE' THEN 'malformed quoting'
    WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line too long'
    WHEN 'INVALID UNICODE' THEN 'invalid UTF-8'
    ELSE lower(error_type) END`;

/**
 * The quarantine relation: lines rejected while normalizing (`pre_rejects`: quotes that never close,
 * wrong field counts, bad bytes), `read_csv` rejects (dates), and failed checks, each with the line
 * number in the user's file (`__line`, the first field of every normalized line).
 */
export function quarantineSql(sourceFile: string, table: TableDef, header?: readonly string[]): string {
  // A row that failed a check is written back as a CSV line in the file's own column order (quoted
  // where needed), like the lines the reader rejected, so `rejects --export` can hand them back for
  // correction; a column the table does not know was dropped on reading and comes back empty.
  const known = new Set(table.columns.map((c) => c.name));
  const layout = header ?? table.columns.map((c) => c.name);
  const field = (name: string) => {
    if (!known.has(name)) return `''`;
    const v = `coalesce(CAST(s.${q(name)} AS VARCHAR), '')`;
    return `CASE WHEN regexp_matches(${v}, '[",\r\n]') THEN '"' || replace(${v}, '"', '""') || '"' ELSE ${v} END`;
  };
  const raw = `concat_ws(',', ${layout.map(field).join(', ')})`;
  return `CREATE TEMP TABLE quarantine AS
    SELECT ${lit(sourceFile)} AS source_file, CAST(line AS BIGINT) AS line, column_name, reason, detail, raw_line FROM (
      SELECT TRY_CAST(split_part(csv_line, ',', 1) AS BIGINT) AS line, coalesce(column_name, '') AS column_name, ${REJECT_REASON} AS reason,
        coalesce(nullif(regexp_extract(error_message, 'string "(.*)" to', 1), ''), error_message) AS detail,
        substr(csv_line, strpos(csv_line, ',') + 1) AS raw_line
      FROM rejects
      QUALIFY error_type = 'CAST' OR row_number() OVER (PARTITION BY line, error_type ORDER BY column_idx) = 1
      UNION ALL
      SELECT s.${q(LINE_COLUMN)}, f.column_name, f.reason, f.detail, ${raw}
      FROM fails f JOIN (SELECT rowid AS rid, * FROM src) s ON s.rid = f.rid
      UNION ALL
      SELECT line, column_name, reason, detail, raw FROM pre_rejects
    )
    ORDER BY line, column_name`;
}

/** Lines the normalizing pass rejected, from its `line,reason,detail,raw` CSV. */
export function preRejectsSql(rejectsFile: string): string {
  return `CREATE TEMP TABLE pre_rejects AS SELECT CAST(line AS BIGINT) AS line, coalesce(column_name, '') AS column_name, reason, coalesce(detail, '') AS detail, coalesce(raw, '') AS raw
    FROM read_csv(${lit(rejectsFile)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
      columns = {'line': 'VARCHAR', 'column_name': 'VARCHAR', 'reason': 'VARCHAR', 'detail': 'VARCHAR', 'raw': 'VARCHAR'}, max_line_size = 4194304)`;
}

/** Reason of a document number carried by an invoice and a credit note (see typeConflictsSql). */
export const TYPE_CONFLICT = 'invoice and credit note share a document number';

/**
 * An invoice and a credit note with the same document number are two documents, not two versions of
 * one: kept together, staging would let one silently replace the other. Every row of such a number in
 * this file is quarantined (which one is right cannot be told from the file), and so is a row whose
 * number an earlier batch holds as the other type (`prior_docs`, ../prior-versions.ts), unless the
 * mapping declares document numbers unique per type. Only rows that passed their own checks count.
 */
export function typeConflictsSql(withPrior: boolean, repeated?: string): string {
  const ok = `(SELECT rowid AS rid, document_id, document_type, "__line" AS line FROM src
      WHERE document_id IS NOT NULL AND document_type IS NOT NULL AND rowid NOT IN (SELECT rid FROM fails))`;
  // The numbers in conflict come from a cheap min/max grouping (of the numbers on several rows only,
  // when `repeated` names them: the table's key is the document number); only their rows build the
  // list of what each line is (a list aggregate over every document of a 1M-row file cost 5 CPU-s).
  const inFile = `SELECT 1 AS o, s.rid, 'document_id' AS column_name, ${lit(TYPE_CONFLICT)} AS reason,
      'document_id "' || s.document_id || '" is ' || c.seen AS detail
    FROM ${ok} s
    JOIN (SELECT document_id, array_to_string(list(document_type || ' on line ' || line ORDER BY line)[1:4], ', ')
            || CASE WHEN count(*) > 4 THEN ', …' ELSE '' END AS seen
          FROM ${ok} o SEMI JOIN (SELECT document_id FROM ${ok} k${repeated ? ` SEMI JOIN ${repeated} r USING (document_id)` : ''} GROUP BY document_id HAVING min(document_type) <> max(document_type)) d USING (document_id)
          GROUP BY document_id) c USING (document_id)`;
  const earlier = `SELECT 2, s.rid, 'document_id', ${lit(TYPE_CONFLICT)},
      'document_id "' || s.document_id || '" is ' || CASE s.document_type WHEN 'invoice' THEN 'an invoice' ELSE 'a ' || replace(s.document_type, '_', ' ') END || ' here but ' ||
      CASE p.document_type WHEN 'invoice' THEN 'an invoice' ELSE 'a ' || replace(p.document_type, '_', ' ') END ||
      ' in ' || p.source_file || ' (batch ' || p.batch_id || ')'
    FROM ${ok} s JOIN prior_docs p USING (document_id)
    WHERE s.document_type <> p.document_type`;
  // A row in conflict both ways is listed once, with the in-file reason.
  return `INSERT INTO fails SELECT rid, column_name, reason, detail FROM (
    SELECT DISTINCT ON (rid) * FROM (${inFile}${withPrior ? `\n    UNION ALL ${earlier}` : ''}) ORDER BY rid, o)`;
}

/**
 * Column types the direct conversion reads typed, with DuckDB's own readers, because the plain scan
 * proved every value's text form (field-watch.ts): for those forms DuckDB's reading is exact.
 */
export const SCANNED_FORMS: Partial<Record<SqlType, FieldForm>> = { DATE: 'date', 'DECIMAL(18,2)': 'money' };

/** The text a typed column must have for the plain path to take DuckDB's cast of it as is. */
const PLAIN_TEXT: Record<'DATE' | 'DOUBLE' | 'BOOLEAN', string> = {
  // ISO dates only: DuckDB's date parsing also takes `epoch`, `infinity` and `today`.
  DATE: '\\d{4}-\\d{2}-\\d{2}',
  DOUBLE: '-?\\d+(\\.\\d+)?',
  BOOLEAN: 'true|false',
};

/**
 * Staging of a PLAIN canonical CSV (plain-scan.ts) read straight from the user's file: every column as
 * text, the typed ones cast here, `__line` the row's position plus one (the header is line 1; a plain
 * file has one record per line and preserve_insertion_order keeps the file's order), and `__plain`
 * false on a row whose typed text is anything but the plain form. The converter keeps this staging
 * only when DuckDB rejected nothing, staged every line and every row is `__plain`: exactly what the
 * normalizing path (stageSql) would have staged. Otherwise it drops it and normalizes.
 */
export function plainStageSql(file: string, header: readonly string[], table: TableDef, maxLineBytes: number): string {
  const { cols, plain, from } = plainRead(file, header, table, maxLineBytes);
  return `CREATE TEMP TABLE src AS SELECT ${cols}, row_number() OVER () + 1 AS ${q(LINE_COLUMN)}, ${plain} AS "__plain"
    FROM ${from}`;
}

/**
 * The direct conversion of a PLAIN canonical CSV (the common case: a clean export): ONE statement
 * reading the user's file and writing the good rows' Parquet, with no staged copy and no second pass.
 * It writes only rows in their plain form that pass every row check, so the converter keeps its
 * output only when DuckDB rejected nothing and the count written equals the plain scan's data lines
 * (every row plain and good), and no key repeats; otherwise it falls back to staging (plainStageSql),
 * which finds, names and quarantines what differs. Row order is the file's (insertion order).
 */
export function plainDirectSql(file: string, header: readonly string[], table: TableDef, checks: readonly RowCheck[], maxLineBytes: number, out: string): string {
  // DATE and DECIMAL(18,2) columns are read typed (`checks` must be made for 'scanned' values): the
  // converter keeps the output only when the plain scan found every such value in its form, for
  // which DuckDB's reading is exact. A value DuckDB cannot read (2024-02-30) fails the statement: the
  // file is then staged and that row named.
  const { cols, plain, from } = plainRead(file, header, table, maxLineBytes, true);
  // A row is good when no check is TRUE (a NULL check does not fire, as in failuresSql's WHERE). As a
  // CASE each check runs as a filter on the rows still undecided, so its ANDs and ORs short-circuit
  // (trim() runs only on values starting with a blank); \`NOT (c1 OR …)\` would drop NULL rows, and
  // \`(c1 OR …) IS NOT TRUE\` evaluates every part of every check on every row (2.3× the filter's time).
  const good = checks.length ? `CASE ${checks.map((c) => `WHEN ${c.failWhen} THEN false`).join('\n        ')} ELSE true END` : 'true';
  return `COPY (SELECT ${canonicalSelectList(table)} FROM (SELECT ${cols}, ${plain} AS "__plain" FROM ${from})
      WHERE "__plain" AND ${good})
    TO ${lit(out)} (FORMAT parquet)`;
}

/**
 * The typed columns, the plain-form test and the read of a plain file, shared by the two plain paths.
 * `scanned`: the direct conversion's read, SCANNED_FORMS types read typed by read_csv with no test.
 */
function plainRead(file: string, header: readonly string[], table: TableDef, maxLineBytes: number, scanned = false): { cols: string; plain: string; from: string } {
  const present = new Set(header);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const readTyped = (c: TableDef['columns'][number] | undefined) => scanned && c !== undefined && SCANNED_FORMS[c.sqlType] !== undefined;
  const cols = table.columns.map((c) => {
    const t = readTyped(c) ? c.sqlType : readType(c.sqlType);
    if (!present.has(c.name)) return `CAST(NULL AS ${t}) AS ${q(c.name)}`;
    return t === 'VARCHAR' || readTyped(c) ? q(c.name) : `TRY_CAST(${q(c.name)} AS ${t}) AS ${q(c.name)}`;
  });
  const checks = table.columns
    .filter((c) => present.has(c.name) && readType(c.sqlType) !== 'VARCHAR' && !readTyped(c))
    .map((c) => {
      const t = readType(c.sqlType) as keyof typeof PLAIN_TEXT;
      return `(${q(c.name)} IS NULL OR (regexp_full_match(${q(c.name)}, ${lit(PLAIN_TEXT[t])}) AND TRY_CAST(${q(c.name)} AS ${t}) IS NOT NULL))`;
    });
  const types = header.map((name) => {
    const c = byName.get(name);
    return `${lit(name)}: ${lit(readTyped(c) ? c!.sqlType : 'VARCHAR')}`;
  });
  return {
    cols: cols.join(', '),
    plain: checks.join(' AND ') || 'true',
    // The direct read keeps no rejects: any line DuckDB cannot read fails the statement (strict
    // reading), and the converter stages the file, which names the line; the rejects table cost
    // about 0.2 CPU-s on 4M rows with none to keep.
    from: `read_csv(${lit(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
      columns = {${types.join(', ')}}, max_line_size = ${maxLineBytes}${scanned ? '' : `,
      store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan'`})`,
  };
}
