import type { ResultColumn, Row } from '../warehouse/engine.js';

export const FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof FORMATS)[number];

const NUMERIC = /^(DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL)/i;

const FLOATING = /^(FLOAT|DOUBLE|REAL)$/i;

/**
 * A binary float for a person to read: two decimals from 1 up, four significant digits below
 * (a ratio of 0.0053 must not print as 0.01). Only the table format rounds; csv and json keep every
 * digit for programs.
 */
export function readableFloat(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1) return v.toFixed(2);
  return String(Number(v.toPrecision(4)));
}

function cell(v: Row[string] | undefined, type = ''): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number' && FLOATING.test(type)) return readableFloat(v);
  return String(v);
}

/**
 * Aligned text table for people: numbers right-aligned, floats rounded for reading, a rule under the
 * header, a row count at the end.
 */
export function formatTable(columns: readonly ResultColumn[], rows: readonly Row[], opts: { maxCellWidth?: number } = {}): string {
  const max = opts.maxCellWidth ?? 60;
  const clip = (s: string) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  const body = rows.map((r) => columns.map((c) => clip(cell(r[c.name], c.type))));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...body.map((b) => b[i]!.length)));
  const right = columns.map((c) => NUMERIC.test(c.type));
  const fmt = (vals: string[]) =>
    vals.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = [fmt(columns.map((c) => c.name)), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  lines.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${lines.join('\n')}\n`;
}

function csvField(v: Row[string] | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row; NULL is an empty field. */
export function formatCsv(columns: readonly ResultColumn[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvField(c.name)).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c.name])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** A JSON array of row objects; DECIMAL and BIGINT stay exact strings. */
export function formatJson(columns: readonly ResultColumn[], rows: readonly Row[]): string {
  if (!rows.length) return '[]\n';
  const ordered = rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, r[c.name] ?? null]))));
  return `[\n${ordered.join(',\n')}\n]\n`;
}

export function formatRows(format: OutputFormat, columns: readonly ResultColumn[], rows: readonly Row[]): string {
  if (format === 'csv') return formatCsv(columns, rows);
  if (format === 'json') return formatJson(columns, rows);
  return formatTable(columns, rows);
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
