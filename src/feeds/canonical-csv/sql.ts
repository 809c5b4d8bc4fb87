import type { TableDef } from '../../schema/index.js';
import { quoteIdent as q } from '../../schema/index.js';
import { readType, type RowCheck } from './rules.js';

/** SQL string literal. */
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** `read_csv` over a canonical CSV with the file's own header order; only DATE columns are typed. */
export function readCsvSql(file: string, header: readonly string[], table: TableDef): string {
  const types = header.map((name) => {
    const c = table.columns.find((x) => x.name === name);
    return `${lit(name)}: ${lit(c ? readType(c.sqlType) : 'VARCHAR')}`;
  });
  return `read_csv(${lit(file)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = {${types.join(', ')}}, dateformat = '%Y-%m-%d',
    store_rejects = true, rejects_table = 'rejects', rejects_scan = 'rejects_scan')`;
}

/** Staged rows: the canonical columns in canonical order; absent ones NULL, unknown ones dropped. */
export function stageSql(file: string, header: readonly string[], table: TableDef): string {
  const present = new Set(header);
  const cols = table.columns.map((c) => (present.has(c.name) ? q(c.name) : `CAST(NULL AS ${readType(c.sqlType)}) AS ${q(c.name)}`));
  return `CREATE TEMP TABLE src AS SELECT ${cols.join(', ')} FROM ${readCsvSql(file, header, table)}`;
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

/** Later rows repeating an earlier (otherwise valid) row's key; the first one is kept. */
export function duplicatesSql(table: TableDef): string {
  const keys = table.key.map(q);
  const keyList = keys.join(', ');
  const shown = table.key.map((k) => `${lit(`${k} "`)} || ${q(k)} || '"'`).join(` || ', ' || `);
  return `INSERT INTO fails
    SELECT rid, ${lit(table.key.join(', '))}, 'duplicate key', ${shown} || ' repeats an earlier row'
    FROM (
      SELECT s.rid, ${keys.map((k) => `s.${k}`).join(', ')}, row_number() OVER (PARTITION BY ${keys.map((k) => `s.${k}`).join(', ')} ORDER BY s.rid) AS n
      FROM (SELECT rowid AS rid, ${keyList} FROM src) s
      SEMI JOIN (SELECT ${keyList} FROM src GROUP BY ${keyList} HAVING count(*) > 1) d USING (${keyList})
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
 * The quarantine relation: `read_csv` rejects (with DuckDB's own line numbers) plus failed checks.
 * A failed row's line is its position among accepted rows shifted by the rejected lines before it
 * (ASOF join on the running gap), which assumes one physical line per record.
 */
export function quarantineSql(sourceFile: string, table: TableDef): string {
  const raw = `array_to_string([${table.columns.map((c) => `coalesce(CAST(s.${q(c.name)} AS VARCHAR), '')`).join(', ')}], ',')`;
  return `CREATE TEMP TABLE quarantine AS
    WITH rej_lines AS (SELECT DISTINCT line FROM rejects),
    gaps AS (
      SELECT gap, max(m) AS m FROM (
        SELECT CAST(line AS BIGINT) - 2 - (row_number() OVER (ORDER BY line) - 1) AS gap, row_number() OVER (ORDER BY line) AS m
        FROM rej_lines)
      GROUP BY gap)
    SELECT ${lit(sourceFile)} AS source_file, CAST(line AS BIGINT) AS line, column_name, reason, detail, raw_line FROM (
      SELECT line, coalesce(column_name, '') AS column_name, ${REJECT_REASON} AS reason,
        coalesce(nullif(regexp_extract(error_message, 'string "(.*)" to', 1), ''), error_message) AS detail, csv_line AS raw_line
      FROM rejects
      QUALIFY error_type = 'CAST' OR row_number() OVER (PARTITION BY line, error_type ORDER BY column_idx) = 1
      UNION ALL
      SELECT f.rid + 2 + coalesce(g.m, 0), f.column_name, f.reason, f.detail, ${raw}
      FROM fails f ASOF LEFT JOIN gaps g ON f.rid >= g.gap
      JOIN (SELECT rowid AS rid, * FROM src) s ON s.rid = f.rid
    )
    ORDER BY line, column_name`;
}
