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

async function sharedStrings(zip: ZipArchive): Promise<string[]> {
  if (!zip.entries.has('xl/sharedStrings.xml')) return [];
  const out: string[] = [];
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
      if (inT && !inRph && cur) cur.push(s);
    });
    p.on('closetag', (t) => {
      const n = local(t.name);
      if (n === 'si' && cur) {
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
): Promise<SheetInfo> {
  const zip = await openZip(path);
  try {
    const { path: part, name } = await sheetPath(zip, sheet);
    const strings = await sharedStrings(zip);
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
        row = { row: r, cells: [] };
        nextRow = r + 1;
        nextCol = 0;
      } else if (n === 'c' && row) {
        const col = a.r === undefined ? nextCol : columnIndex(String(a.r));
        cell = { col, type: String(a.t ?? 'n'), style: Number(a.s ?? 0) };
        nextCol = col + 1;
        value = [];
      } else if ((n === 'v' || n === 't') && cell) inValue = true;
    });
    parser.on('text', (s) => {
      if (inValue) value.push(s);
    });
    parser.on('closetag', (t) => {
      const n = local(t.name);
      if (n === 'v' || n === 't') inValue = false;
      else if (n === 'c' && cell && row) {
        const raw = value.join('');
        let text = raw;
        if (cell.type === 's') text = strings[Number(raw)] ?? '';
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
