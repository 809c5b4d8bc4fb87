import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { Readable } from 'node:stream';
import { openZip, XlsxError, type ZipArchive } from './zip.js';

/**
 * A streaming xlsx reader: the sheet XML is inflated and SAX-parsed chunk by chunk, so memory holds
 * one row at a time (plus the shared-string table), whatever the size of the workbook. Cells come out
 * as text: shared and inline strings as they are, numbers as written (decimal point), and numbers in
 * a date format as ISO dates (YYYY-MM-DD), so the mapping stage sees the same text a CSV would give.
 */

export { XlsxError };

export interface SheetRow {
  /** The row number Excel shows (1-based). */
  row: number;
  /** Cell texts by 0-based column index; holes are empty. */
  cells: string[];
}

const MAX_SMALL_PART = 64 * 1024 * 1024;

/**
 * Limits a hostile workbook hits long before memory or disk runs out, each checked while the parts
 * stream (a 3 KB bad cell reference or a 5 MB shared-strings bomb once took the process down).
 * Excel's own limits where it has them: 1,048,576 rows, 16,384 columns, 32,767 characters a cell.
 */
export interface XlsxLimits {
  /** Inflated bytes of one part (sheet, shared strings). */
  maxPartBytes: number;
  /** Inflated / compressed size of a part; a zip bomb compresses far better than any sheet. */
  maxRatio: number;
  maxSharedStrings: number;
  /** Characters of all shared strings together. */
  maxSharedChars: number;
  maxRows: number;
  maxColumns: number;
  maxCellChars: number;
  /** Characters of one row (all its cells): a CSV line has the same bound. */
  maxRowChars: number;
  maxEntries: number;
}

export const XLSX_LIMITS: XlsxLimits = {
  maxPartBytes: 1024 * 1024 * 1024,
  maxRatio: 200,
  maxSharedStrings: 4_000_000,
  maxSharedChars: 64 * 1024 * 1024,
  maxRows: 1_048_576,
  maxColumns: 16_384,
  maxCellChars: 32_767,
  maxRowChars: 1024 * 1024,
  maxEntries: 10_000,
};

/** Refuses a part whose declared sizes are over the limits (yauzl then holds the stream to them). */
function checkPart(zip: ZipArchive, name: string, limits: XlsxLimits): void {
  const e = zip.entries.get(name);
  if (!e) return;
  if (e.uncompressedSize > limits.maxPartBytes) {
    throw new XlsxError(`workbook part ${name} inflates to ${e.uncompressedSize} bytes, over the limit of ${limits.maxPartBytes}`);
  }
  // Small parts may compress well (a sheet of empty styled cells); the ratio matters once it is big.
  if (e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
    throw new XlsxError(
      `workbook part ${name} inflates ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}× (${e.compressedSize} → ${e.uncompressedSize} bytes), over the limit of ${limits.maxRatio}×: a zip bomb, not a spreadsheet`,
    );
  }
}
/** Built-in number formats that are dates (ECMA-376 18.8.30). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57]);

const local = (name: string) => name.slice(name.indexOf(':') + 1);

async function sax(stream: Readable, on: (p: SaxesParser) => void): Promise<void> {
  const parser = new SaxesParser();
  parser.on('doctype', () => {
    throw new XlsxError('DOCTYPE in a workbook part: refused (risk of entity expansion)');
  });
  on(parser);
  stream.setEncoding('utf8');
  for await (const chunk of stream) parser.write(chunk as string);
  parser.close();
}

function streamOf(zip: ZipArchive, name: string): Promise<Readable> {
  return zip.stream(name);
}

async function sheetPath(zip: ZipArchive, sheet?: string): Promise<{ path: string; name: string }> {
  const sheets: { name: string; rid: string }[] = [];
  await sax(await streamOf(zip, 'xl/workbook.xml'), (p) =>
    p.on('opentag', (t) => {
      if (local(t.name) === 'sheet') {
        const a = (t as SaxesTagPlain).attributes;
        sheets.push({ name: String(a.name), rid: String(a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1]) });
      }
    }),
  );
  if (sheets.length === 0) throw new XlsxError('the workbook has no sheets');
  const chosen = sheet === undefined ? sheets[0]! : sheets.find((s) => s.name === sheet);
  if (!chosen) throw new XlsxError(`no sheet "${sheet}"; sheets: ${sheets.map((s) => s.name).join(', ')}`);
  const targets = new Map<string, string>();
  await sax(await streamOf(zip, 'xl/_rels/workbook.xml.rels'), (p) =>
    p.on('opentag', (t) => {
      const a = (t as SaxesTagPlain).attributes;
      if (local(t.name) === 'Relationship') targets.set(String(a.Id), String(a.Target));
    }),
  );
  const target = targets.get(chosen.rid);
  if (!target) throw new XlsxError(`sheet "${chosen.name}" has no part in the workbook relationships`);
  const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  return { path: path.replace(/\/\.\//g, '/'), name: chosen.name };
}

async function sharedStrings(zip: ZipArchive, limits: XlsxLimits): Promise<string[]> {
  if (!zip.entries.has('xl/sharedStrings.xml')) return [];
  checkPart(zip, 'xl/sharedStrings.xml', limits);
  const out: string[] = [];
  let chars = 0;
  let cur: string[] | undefined;
  let inT = false;
  let inRph = false;
  await sax(await streamOf(zip, 'xl/sharedStrings.xml'), (p) => {
    p.on('opentag', (t) => {
      const n = local(t.name);
      if (n === 'si') cur = [];
      else if (n === 't') inT = true;
      else if (n === 'rPh') inRph = true; // phonetic hints are not part of the value
    });
    p.on('text', (s) => {
      if (inT && !inRph && cur) {
        chars += s.length;
        if (chars > limits.maxSharedChars) throw new XlsxError(`the shared strings hold over ${limits.maxSharedChars} characters: refused`);
        cur.push(s);
      }
    });
    p.on('closetag', (t) => {
      const n = local(t.name);
      if (n === 'si' && cur) {
        if (out.length >= limits.maxSharedStrings) throw new XlsxError(`over ${limits.maxSharedStrings} shared strings: refused`);
        out.push(cur.join(''));
        cur = undefined;
      } else if (n === 't') inT = false;
      else if (n === 'rPh') inRph = false;
    });
  });
  return out;
}

function isDateFormatCode(code: string): boolean {
  const stripped = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[dy]/i.test(stripped) || /m{1,4}[^a-z]*[dy]|[dy][^a-z]*m/i.test(stripped);
}

/** Per style index (the cell's `s`): does it format the number as a date? */
async function dateStyles(zip: ZipArchive): Promise<boolean[]> {
  const text = await zip.readText('xl/styles.xml', MAX_SMALL_PART);
  if (!text) return [];
  const custom = new Map<number, string>();
  const xfs: boolean[] = [];
  let inCellXfs = false;
  const p = new SaxesParser();
  p.on('doctype', () => {
    throw new XlsxError('DOCTYPE in a workbook part: refused');
  });
  p.on('opentag', (t) => {
    const a = (t as SaxesTagPlain).attributes;
    const n = local(t.name);
    if (n === 'numFmt') custom.set(Number(a.numFmtId), String(a.formatCode ?? ''));
    else if (n === 'cellXfs') inCellXfs = true;
    else if (n === 'xf' && inCellXfs) {
      const id = Number(a.numFmtId ?? 0);
      xfs.push(BUILTIN_DATE_FORMATS.has(id) || (custom.has(id) && isDateFormatCode(custom.get(id)!)));
    }
  });
  p.on('closetag', (t) => {
    if (local(t.name) === 'cellXfs') inCellXfs = false;
  });
  p.write(text).close();
  return xfs;
}

async function uses1904(zip: ZipArchive): Promise<boolean> {
  const text = (await zip.readText('xl/workbook.xml', MAX_SMALL_PART)) ?? '';
  return /date1904\s*=\s*["'](1|true)["']/.test(text);
}

/** Excel serial day → ISO date (the 1900 system counts from 1899-12-30, past its phantom 29 Feb 1900). */
export function serialToIso(serial: number, date1904 = false): string | undefined {
  if (!Number.isFinite(serial) || serial < 1) return undefined;
  const days = Math.floor(serial) + (date1904 ? 1462 : 0);
  return new Date(Date.UTC(1899, 11, 30) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Plain decimal text for a number cell (Excel writes 1E-3 style for very small or large values). */
export function numberText(v: string): string {
  if (!/e/i.test(v)) return v;
  const n = Number(v);
  return Number.isFinite(n) ? n.toFixed(10).replace(/\.?0+$/, '') : v;
}

export function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
    // Past XFD (16,384) already: stop before the number grows without bound.
    if (n > 1_000_000) return n;
  }
  return n - 1;
}

export interface SheetInfo {
  sheet: string;
}

/** Streams the rows of a sheet to `onRow` (awaited, so a slow writer slows the reader). */
export async function readSheet(
  path: string,
  sheet: string | undefined,
  onRow: (r: SheetRow) => void | Promise<void>,
  onProgress?: (fraction: number) => void,
  limits: XlsxLimits = XLSX_LIMITS,
): Promise<SheetInfo> {
  const zip = await openZip(path, limits.maxEntries);
  try {
    const { path: part, name } = await sheetPath(zip, sheet);
    checkPart(zip, part, limits);
    const strings = await sharedStrings(zip, limits);
    const dates = await dateStyles(zip);
    const d1904 = await uses1904(zip);
    const total = zip.entries.get(part)?.uncompressedSize ?? 0;
    const parser = new SaxesParser();
    parser.on('doctype', () => {
      throw new XlsxError('DOCTYPE in a sheet: refused');
    });
    let row: SheetRow | undefined;
    let nextRow = 1;
    let cell: { col: number; type: string; style: number } | undefined;
    let nextCol = 0;
    let value: string[] = [];
    let inValue = false;
    const rows: SheetRow[] = [];
    parser.on('opentag', (t) => {
      const n = local(t.name);
      const a = (t as SaxesTagPlain).attributes;
      if (n === 'row') {
        const r = a.r === undefined ? nextRow : Number(a.r);
        if (!Number.isInteger(r) || r < 1 || r > limits.maxRows) {
          throw new XlsxError(`row number ${String(a.r ?? r).slice(0, 20)} is outside 1..${limits.maxRows}: not a sheet Excel wrote`);
        }
        if (r <= lastRow) throw new XlsxError(`row ${r} comes after row ${lastRow}: rows repeat or go back, not a sheet Excel wrote`);
        lastRow = r;
        row = { row: r, cells: [] };
        rowChars = 0;
        nextRow = r + 1;
        nextCol = 0;
      } else if (n === 'c' && row) {
        const col = a.r === undefined ? nextCol : columnIndex(String(a.r));
        if (col < 0 || col >= limits.maxColumns) {
          throw new XlsxError(`cell reference ${String(a.r ?? col).slice(0, 20)} in row ${row.row} is outside columns A..XFD: not a sheet Excel wrote`);
        }
        cell = { col, type: String(a.t ?? 'n'), style: Number(a.s ?? 0) };
        nextCol = col + 1;
        value = [];
        cellChars = 0;
      } else if ((n === 'v' || n === 't') && cell) inValue = true;
    });
    let rowChars = 0;
    let cellChars = 0;
    let lastRow = 0;
    parser.on('text', (s) => {
      if (!inValue) return;
      cellChars += s.length;
      rowChars += s.length;
      if (cellChars > limits.maxCellChars) throw new XlsxError(`a cell in row ${row?.row ?? '?'} holds over ${limits.maxCellChars} characters (Excel's limit): refused`);
      if (rowChars > limits.maxRowChars) throw new XlsxError(`row ${row?.row ?? '?'} holds over ${limits.maxRowChars} characters: refused`);
      value.push(s);
    });
    parser.on('closetag', (t) => {
      const n = local(t.name);
      if (n === 'v' || n === 't') inValue = false;
      else if (n === 'c' && cell && row) {
        const raw = value.join('');
        let text = raw;
        if (cell.type === 's') text = strings[Number(raw)] ?? '';
        rowChars += cell.type === 's' ? text.length : 0;
        if (rowChars > limits.maxRowChars) throw new XlsxError(`row ${row.row} holds over ${limits.maxRowChars} characters: refused`);
        else if (cell.type === 'b') text = raw === '1' ? 'TRUE' : 'FALSE';
        else if (cell.type === 'n' && raw !== '') {
          text = dates[cell.style] ? (serialToIso(Number(raw), d1904) ?? raw) : numberText(raw);
        }
        row.cells[cell.col] = text;
        cell = undefined;
      } else if (n === 'row' && row) {
        for (let i = 0; i < row.cells.length; i++) row.cells[i] ??= '';
        rows.push(row);
        row = undefined;
      }
    });
    let seen = 0;
    const stream = await zip.stream(part);
    stream.setEncoding('utf8');
    for await (const chunk of stream) {
      parser.write(chunk as string);
      seen += Buffer.byteLength(chunk as string);
      for (const r of rows.splice(0)) await onRow(r);
      if (total) onProgress?.(Math.min(1, seen / total));
    }
    parser.close();
    for (const r of rows.splice(0)) await onRow(r);
    return { sheet: name };
  } finally {
    zip.close();
  }
}
