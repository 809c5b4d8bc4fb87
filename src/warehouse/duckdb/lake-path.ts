import { posix, sep } from 'node:path';

/**
 * The session variable a DuckDB connection names its lake root with. Views in `warehouse.duckdb`
 * hold lake-relative paths joined to this variable, never absolute ones, so a lake that is copied,
 * moved or opened from another folder or machine reads its own files (an absolute path would break
 * every view, or silently read the original's data). A relative path alone would not do: DuckDB
 * resolves it against the process's working folder first, which may be a different lake.
 */
export const LAKE_VARIABLE = 'lake';

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

const ROOT = `getvariable('${LAKE_VARIABLE}')`;

/** `expr`, or a clear error when a tool opened the warehouse without saying where its lake is. */
const withLake = (expr: string) =>
  `(CASE WHEN ${ROOT} IS NULL THEN ` +
  `error('creditlake: this warehouse reads its lake through a variable; first run: SET VARIABLE ${LAKE_VARIABLE} = ''/path/to/lake''') ` +
  `ELSE ${expr} END)`;

const toPosix = (p: string) => p.split(sep).join(posix.sep);

/** SQL for one lake-relative file or glob, as a path DuckDB can read. */
export function lakeFileSql(relative: string): string {
  return withLake(`${ROOT} || '/' || ${sqlString(toPosix(relative))}`);
}

/** SQL for a list of lake-relative files (one root lookup, however many files). */
export function lakeFilesSql(relatives: readonly string[]): string {
  return withLake(`list_transform([${relatives.map((r) => sqlString(toPosix(r))).join(', ')}], f -> ${ROOT} || '/' || f)`);
}

/** SQL for a lake key held in a column (`expr`), as the path `filename = true` reports for that file. */
export function lakeKeySql(expr: string): string {
  return `(${ROOT} || '/' || ${expr})`;
}

/** The statement that points a connection at its lake. */
export function setLakeSql(lakeRoot: string): string {
  return `SET VARIABLE ${LAKE_VARIABLE} = ${sqlString(toPosix(lakeRoot).replace(/\/+$/, ''))}`;
}
