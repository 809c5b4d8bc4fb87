import writeXlsxFile, { type Cell as XlsxCell, type SheetData } from 'write-excel-file/universal';
import type { Cell, ValueKind } from './contract.js';

/**
 * Tables as Excel workbooks with real types: amounts, counts and rates are numbers (formatted, not
 * text), dates are dates. Shared by the API's full export and the browser's per-table download,
 * so both write the same cells. Pure apart from the library (no Node, no DOM).
 */
export interface SheetColumn {
  key: string;
  header: string;
  kind: ValueKind;
}

const FORMATS: Partial<Record<ValueKind, string>> = {
  money: '#,##0.00',
  int: '#,##0',
  number: '#,##0.0##',
  pct: '0.0%',
  ratio: '0.00%',
  days: '0.0',
  signed: '+0.##;-0.##;0',
  date: 'yyyy-mm-dd',
  month: 'mmm yyyy',
  quarter: 'yyyy-mm-dd',
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})/;
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/** One cell: null stays empty, numbers from exact decimal strings, dates as UTC dates. */
export function xlsxCell(v: Cell | undefined, kind: ValueKind): XlsxCell {
  if (v === null || v === undefined || v === '') return null;
  const format = FORMATS[kind];
  switch (kind) {
    case 'money': case 'int': case 'number': case 'pct': case 'ratio': case 'days': case 'signed': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && DECIMAL.test(v.trim()) ? Number(v) : null;
      if (n === null) return String(v);
      // Marts store percentages on 0-100; Excel's % format multiplies by 100.
      return { value: kind === 'pct' ? n / 100 : n, type: Number, format };
    }
    case 'date': case 'month': case 'quarter': {
      const m = typeof v === 'string' ? ISO.exec(v) : null;
      if (!m) return String(v);
      return { value: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))), type: Date, format };
    }
    case 'bool':
      return typeof v === 'boolean' ? v : String(v);
    default:
      return String(v);
  }
}

export function sheetData(columns: SheetColumn[], rows: Record<string, Cell>[]): SheetData {
  return [
    columns.map((c) => ({ value: c.header, fontWeight: 'bold' as const })),
    ...rows.map((r) => columns.map((c) => xlsxCell(r[c.key], c.kind))),
  ];
}

/** The workbook as a Blob (one sheet, header row frozen). */
export function xlsxBlob(columns: SheetColumn[], rows: Record<string, Cell>[], sheet = 'Creditlake'): Promise<Blob> {
  return writeXlsxFile(sheetData(columns, rows), {
    // Excel refuses sheet names over 31 characters or with []:*?/\
    sheet: sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Creditlake',
    stickyRowsCount: 1,
    columns: columns.map((c) => ({ width: c.kind === 'text' || c.kind === 'enum' ? 28 : 14 })),
  }).toBlob();
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
