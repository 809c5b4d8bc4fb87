/**
 * Named `$param` values as SQL literals, for engines whose protocol binds nothing server-side by name
 * (Trino's HTTP protocol; Athena's positional parameters are in src/serve/athena-warehouse.ts).
 * Strings are quoted with quotes doubled; numbers must be finite; `$` inside string literals and
 * comments is left alone; a `$name` without a value is an error rather than text reaching the engine.
 */
export type Params = Record<string, string | number | boolean | null>;

export function sqlLiteral(name: string, v: string | number | boolean | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`parameter $${name} is not a finite number`);
    return String(v);
  }
  return `'${v.replace(/'/g, "''")}'`;
}

export function inlineParams(sql: string, params?: Params): string {
  if (!params) return sql;
  return sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name?: string) => {
    if (name === undefined) return whole;
    if (!Object.prototype.hasOwnProperty.call(params, name)) throw new Error(`no value for parameter $${name}`);
    return sqlLiteral(name, params[name]!);
  });
}
