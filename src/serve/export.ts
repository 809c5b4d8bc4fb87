import type { SliceOk } from './contract.js';
import { XLSX_TYPE, xlsxBlob } from './sheet.js';

/** Full exports of a slice: every row that matched, not the page's cut list. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote what would break the row, and what a spreadsheet would read as a formula.
  const guarded = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) || guarded !== s ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** RFC 4180 with the column names as header and exact values (decimal strings, ISO dates). */
export function sliceCsv(ok: SliceOk): string {
  const names = ok.columns.map((c) => c.name);
  const lines = [names.map(csvCell).join(',')];
  for (const r of ok.rows) lines.push(names.map((n) => csvCell(r[n])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export async function exportFile(format: ExportFormat, ok: SliceOk): Promise<{ name: string; type: string; body: Buffer; binary: boolean }> {
  const name = `creditlake-${ok.slice}${ok.data_as_of ? `-${(ok.params.as_of as string | undefined) ?? ok.data_as_of}` : ''}.${format}`.replace(/[^A-Za-z0-9._-]/g, '_');
  if (format === 'csv') return { name, type: 'text/csv; charset=utf-8', body: Buffer.from(sliceCsv(ok), 'utf8'), binary: false };
  const blob = await xlsxBlob(ok.columns.map((c) => ({ key: c.name, header: c.name, kind: c.kind })), ok.rows, ok.slice);
  return { name, type: XLSX_TYPE, body: Buffer.from(await blob.arrayBuffer()), binary: true };
}
