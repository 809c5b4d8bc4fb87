import type { ColumnInfo, Row as AthenaRow } from '@aws-sdk/client-athena';
import type { ResultColumn, Row } from '../engine.js';

/**
 * Athena returns every value as text. These turn it back into the engine's JSON-safe row contract,
 * the same one the DuckDB engine honours: DECIMAL and BIGINT as exact strings, DATE as `YYYY-MM-DD`,
 * 32-bit integers and floating point as numbers, booleans as booleans, SQL NULL as null.
 */

/** Athena's lower-case type names → the upper-case names the DuckDB engine reports. */
export function resultColumn(info: ColumnInfo): ResultColumn {
  const t = (info.Type ?? 'varchar').toLowerCase();
  let type: string;
  switch (t) {
    case 'decimal':
      type = `DECIMAL(${info.Precision ?? 38},${info.Scale ?? 0})`;
      break;
    case 'integer':
    case 'int':
      type = 'INTEGER';
      break;
    case 'real':
    case 'float':
      type = 'FLOAT';
      break;
    case 'char':
    case 'varchar':
    case 'string':
      type = 'VARCHAR';
      break;
    default:
      type = t.toUpperCase();
  }
  return { name: info.Name ?? '', type };
}

const NUMBER_TYPES = new Set(['INTEGER', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT']);

export function parseValue(text: string | undefined, type: string): Row[string] {
  if (text === undefined) return null;
  if (type === 'BOOLEAN') return text === 'true';
  if (NUMBER_TYPES.has(type)) {
    const n = Number(text);
    // NaN and ±Infinity have no JSON number: keep Athena's text for them.
    return Number.isFinite(n) ? n : text;
  }
  // DECIMAL, BIGINT, DATE, TIMESTAMP, VARCHAR and anything structured stay text (exact, unambiguous).
  return text;
}

export function parseRows(columns: readonly ResultColumn[], rows: readonly AthenaRow[]): Row[] {
  return rows.map((r) => {
    const out: Row = {};
    columns.forEach((c, i) => {
      out[c.name] = parseValue(r.Data?.[i]?.VarCharValue, c.type);
    });
    return out;
  });
}

/** SELECT results repeat the column names as the first row of the first page. */
export function isHeaderRow(columns: readonly ResultColumn[], row: AthenaRow | undefined): boolean {
  if (!row?.Data || row.Data.length !== columns.length) return false;
  return columns.every((c, i) => row.Data![i]?.VarCharValue === c.name);
}
