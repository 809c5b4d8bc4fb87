import type { TableData } from './charts/common.js';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote what would break the row, and what a spreadsheet would read as a formula.
  const guarded = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) || guarded !== s ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/**
 * A table as RFC 4180 CSV: header row of the column labels shown, then the exact values (decimal
 * strings with a dot, ISO dates), so a spreadsheet gets the numbers rather than their formatting.
 */
export function toCsv(table: TableData): string {
  const lines = [table.columns.map((c) => cell(c.label)).join(',')];
  for (const r of table.rows) lines.push(table.columns.map((c) => cell(r[c.key])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name for a download: slice, view and date, ASCII only. */
export function csvFileName(slice: string, asOf: string | null | undefined): string {
  return `creditlake-${slice}${asOf ? `-${asOf}` : ''}.csv`.replace(/[^A-Za-z0-9._-]/g, '_');
}
