/**
 * Date and number notations of real exports, as DuckDB expressions. Pure string building: the
 * sniffing that decides between them runs in DuckDB over the whole column (see ../mapping/sniff.ts).
 */

/** Human date patterns (dd-mm-yyyy, d-m-yy, mm/dd/yyyy, yyyymmdd, …) → DuckDB strptime format. */
export function toStrptime(pattern: string): string {
  if (pattern.includes('%')) return pattern; // already a strptime format
  const out = pattern.replace(/yyyy|yy|mm|m|dd|d/gi, (tok) => {
    switch (tok.toLowerCase()) {
      case 'yyyy':
        return '%Y';
      case 'yy':
        return '%y';
      case 'mm':
      case 'm':
        return '%m';
      default:
        return '%d';
    }
  });
  if (!/%Y|%y/.test(out) || !/%m/.test(out) || !/%d/.test(out)) {
    throw new Error(`date format "${pattern}" needs a day, a month and a year (e.g. dd-mm-yyyy, d-m-yy, yyyymmdd)`);
  }
  return out;
}

/**
 * Candidates tried when a date format is `auto`. Day-first and month-first variants of the same
 * shape are both present on purpose: when both fit every value of a column, the column is ambiguous
 * and the ingest stops instead of guessing.
 */
export const AUTO_DATE_FORMATS = [
  'yyyy-mm-dd',
  'dd-mm-yyyy',
  'mm-dd-yyyy',
  'dd/mm/yyyy',
  'mm/dd/yyyy',
  'dd.mm.yyyy',
  'yyyymmdd',
  'dd-mm-yy',
  'mm-dd-yy',
  'dd/mm/yy',
  'mm/dd/yy',
  'dd.mm.yy',
  'yyyy/mm/dd',
] as const;

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function dateParseSql(textSql: string, pattern: string, extraPatterns: readonly string[] = []): string {
  const formats = [pattern, ...extraPatterns].map((p) => sqlString(toStrptime(p)));
  const arg = formats.length === 1 ? formats[0]! : `[${formats.join(', ')}]`;
  return `CAST(try_strptime(${textSql}, ${arg}) AS DATE)`;
}

export interface NumberNotation {
  decimal: ',' | '.';
  /** Characters allowed as thousands separators ('' = none). */
  thousands: string;
}

export function notationFor(decimal: ',' | '.', thousands?: string): NumberNotation {
  return { decimal, thousands: thousands ?? (decimal === ',' ? '.' : ',') };
}

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Regular expression (for DuckDB's RE2) a well-formed amount matches in this notation: optional
 * sign in front or behind (SAP writes `1.234,56-`), optional parentheses, a currency symbol, grouped
 * or ungrouped digits. A value with the other notation's grouping fails it, so `1,234.56` read with a
 * decimal comma is a reject, not 1.23456.
 */
export function amountPattern(n: NumberNotation): string {
  const d = reEscape(n.decimal);
  const seps = [...new Set(n.thousands.split('').concat(n.thousands ? [' '] : []))];
  const int = seps.length ? `(\\d{1,3}([${seps.map(reEscape).join('')}]\\d{3})+|\\d+)` : '\\d+';
  return `^\\(?\\s*(€|EUR)?\\s*[+-]?\\s*(${int}(${d}\\d*)?|${d}\\d+)\\s*-?\\s*\\)?$`;
}

/** SQL turning a well-formed amount text (see amountPattern) into a plain `-1234.56` string. */
export function amountNormalizeSql(textSql: string, n: NumberNotation): string {
  const strip = `[\\s€A-Z()${n.thousands.split('').map(reEscape).join('')}+-]`;
  let digits = `regexp_replace(${textSql}, ${sqlString(strip)}, '', 'g')`;
  if (n.decimal === ',') digits = `replace(${digits}, ',', '.')`;
  const negative = `(${textSql} LIKE '%-%' OR ${textSql} LIKE '(%)')`;
  return `(CASE WHEN ${negative} THEN '-' ELSE '' END || ${digits})`;
}
