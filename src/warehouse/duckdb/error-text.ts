/**
 * DuckDB's error messages for people: the first part says what went wrong, the rest echoes the
 * statement the program generated ("LINE 1: SELECT …"), which means nothing to a user and can be long.
 */

/** `Binder Error: …`, `IO Error: …`, `Out of Memory Error: …`: an error DuckDB raised. */
export const DUCKDB_ERROR = /^(?:[A-Z][A-Za-z]* )*(?:Error|Exception): /;

/** DuckDB's message without the statement it echoes, on one line. */
export function withoutSql(message: string): string {
  let m = message;
  const at = m.search(/\n\s*LINE \d+:/);
  if (at >= 0) m = m.slice(0, at);
  return m.replace(/\s*\n\s*/g, ' ').trim();
}
