/**
 * DuckDB-only syntax Athena rejects, found outside string literals and comments (the check of
 * test/unit/dialect-gate.test.ts, for statements that are not models).
 */
export function duckdbOnlySyntax(sql: string): string[] {
  const code = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
  const found: string[] = [];
  if (/\bQUALIFY\b/i.test(code)) found.push('QUALIFY');
  if (/::/.test(code)) found.push(':: cast');
  if (/\bEXCLUDE\s*\(/i.test(code)) found.push('SELECT * EXCLUDE');
  if (/\bINTERVAL\s+(?!'')/i.test(code)) found.push('unquoted interval');
  if (/\$[A-Za-z_]/.test(code)) found.push('named $parameter');
  return found;
}
