import type { Row } from '../engine.js';

/**
 * Trino's type names → the names the DuckDB engine reports and the mart schemas declare, so one schema
 * check and one row contract serve every engine: `decimal(18,2)` → `DECIMAL(18,2)`, `varchar(20)` →
 * `VARCHAR`, `real` → `FLOAT`, `array(date)` → `DATE[]`.
 */
export function engineType(trinoType: string): string {
  const t = trinoType.trim().toLowerCase();
  const array = /^array\((.*)\)$/.exec(t);
  if (array) return `${engineType(array[1]!)}[]`;
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  if (t.startsWith('varchar') || t.startsWith('char')) return 'VARCHAR';
  if (t === 'real') return 'FLOAT';
  if (t.startsWith('timestamp(') && t.endsWith('with time zone')) return 'TIMESTAMP WITH TIME ZONE';
  if (t.startsWith('timestamp')) return 'TIMESTAMP';
  return t.toUpperCase();
}

const NUMBER_TYPES = new Set(['INTEGER', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT']);

/**
 * One JSON value from Trino's protocol → the engine's JSON-safe row contract: DECIMAL and BIGINT as
 * exact strings, DATE as `YYYY-MM-DD`, 32-bit integers and floats as numbers (NaN/Infinity stay text,
 * as Trino sends them), booleans as booleans.
 */
export function rowValue(value: unknown, type: string): Row[string] {
  if (value === null || value === undefined) return null;
  if (type === 'BIGINT') {
    // Trino sends BIGINT as a JSON number; beyond 2^53 JSON.parse has already rounded it.
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`BIGINT ${value} is beyond exact JSON range`);
    return String(value);
  }
  if (NUMBER_TYPES.has(type)) return typeof value === 'number' ? value : Number.isFinite(Number(value)) ? Number(value) : String(value);
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return type.startsWith('DECIMAL') ? String(value) : value;
  return JSON.stringify(value);
}
