import { MART_TABLES } from '../../src/schema/marts/index.js';
import { quoteIdent, type TableDef } from '../../src/schema/index.js';
import type { Row, WarehouseEngine } from '../../src/warehouse/engine.js';

/** DOUBLE columns are ratios, days and rates computed in floating point: equal to 1e-9 relative. */
export const DOUBLE_RELATIVE_TOLERANCE = 1e-9;

export function sameValue(a: Row[string], b: Row[string], type: string): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (type === 'DOUBLE' || type === 'FLOAT') {
    const x = Number(a);
    const y = Number(b);
    return Math.abs(x - y) <= DOUBLE_RELATIVE_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y));
  }
  return String(a) === String(b);
}

/** First differences between two row lists, as readable lines (empty = equal). */
export function diffRows(left: Row[], right: Row[], types: Record<string, string>, names = ['DuckDB', 'Trino'], limit = 5): string[] {
  const out: string[] = [];
  if (left.length !== right.length) out.push(`row count ${left.length} (${names[0]}) vs ${right.length} (${names[1]})`);
  for (let i = 0; i < Math.min(left.length, right.length) && out.length < limit; i++) {
    for (const col of Object.keys(types)) {
      if (!sameValue(left[i]![col] ?? null, right[i]![col] ?? null, types[col]!)) {
        out.push(`row ${i} ${col}: ${names[0]} ${JSON.stringify(left[i]![col])} vs ${names[1]} ${JSON.stringify(right[i]![col])}`);
      }
    }
  }
  return out;
}

/**
 * Every mart on two engines, row by row and column by column in key order: exact for DECIMAL, DATE,
 * text, integers and booleans, DOUBLE within the stated tolerance. Returns readable problems (empty =
 * equal); a mart with no rows on the left proves nothing and is a problem too.
 */
export async function diffMarts(left: WarehouseEngine, right: WarehouseEngine, names = ['DuckDB', 'Trino'], marts: readonly TableDef[] = MART_TABLES): Promise<string[]> {
  const problems: string[] = [];
  for (const mart of marts) {
    const cols = mart.columns.map((c) => quoteIdent(c.name));
    const order = [...mart.key, ...mart.columns.map((c) => c.name).filter((c) => !mart.key.includes(c))]
      .map((c) => `${quoteIdent(c)} NULLS LAST`)
      .join(', ');
    const sql = `SELECT ${cols.join(', ')} FROM ${quoteIdent(mart.name)} ORDER BY ${order}`;
    const [l, r] = await Promise.all([left.query(sql), right.query(sql)]);
    const types = Object.fromEntries(mart.columns.map((c) => [c.name, c.sqlType as string]));
    const diff = diffRows(l.rows, r.rows, types, names);
    if (diff.length) problems.push(`${mart.name}:\n    ${diff.join('\n    ')}`);
    if (!l.rows.length) problems.push(`${mart.name}: no rows on ${names[0]}, so nothing is proven`);
  }
  return problems;
}
