import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, join } from 'node:path';
import { csvQuote, LINE_COLUMN } from '../csv-dialect/normalize.js';
import { DialectError } from '../csv-dialect/sniff.js';
import type { Mapping } from '../mapping/schema.js';
import type { NormalizedSource } from '../mapping/stage.js';
import { readSheet, XlsxError } from './read.js';

/**
 * An xlsx sheet becomes the same normalized source as a CSV export (`__line` = the Excel row number),
 * so it takes the same mapping path. Rows above the header row are a preamble; empty rows are skipped;
 * a value right of the last header column is a reject (the row does not fit the header).
 */
export async function prepareXlsx(mapping: Mapping, file: string, scratchDir: string, onProgress?: (fraction: number) => void): Promise<NormalizedSource> {
  const out = join(scratchDir, 'normalized.csv');
  const rejects = join(scratchDir, 'pre-rejects.csv');
  const ws = createWriteStream(out);
  const rs = createWriteStream(rejects);
  const write = async (s: WritableStreamLike, text: string) => {
    if (!s.write(text)) await once(s as never, 'drain');
  };
  await write(rs, 'line,column,reason,detail,raw\n');
  let header: string[] | undefined;
  let rows = 0;
  let rejected = 0;
  let blank = 0;
  const headerRow = mapping.source.header_row;
  let sheet = '';
  try {
    const info = await readSheet(
      file,
      mapping.source.sheet,
      async (r) => {
        if (r.row < headerRow) return;
        if (r.cells.every((c) => c.trim() === '')) {
          if (header) blank++;
          return;
        }
        if (!header) {
          const seen = new Map<string, number>();
          header = r.cells.map((c, i) => {
            const base = c.trim() || `column${i + 1}`;
            const n = seen.get(base.toLowerCase()) ?? 0;
            seen.set(base.toLowerCase(), n + 1);
            return n ? `${base}_${n + 1}` : base;
          });
          await write(ws, `${LINE_COLUMN},${header.map((h) => `"${h.replace(/"/g, '""')}"`).join(',')}\n`);
          return;
        }
        const extra = r.cells.slice(header.length).findIndex((c) => c.trim() !== '');
        if (extra >= 0) {
          rejected++;
          await write(rs, `${r.row},,${csvQuote('value right of the last header column')},${csvQuote(`column ${header.length + extra + 1}`)},${csvQuote(r.cells.join(';').slice(0, 200))}\n`);
          return;
        }
        rows++;
        const cells = header.map((_, i) => csvQuote(r.cells[i] ?? ''));
        await write(ws, `${r.row},${cells.join(',')}\n`);
      },
      onProgress,
    );
    sheet = info.sheet;
  } catch (e) {
    if (e instanceof XlsxError) throw new DialectError(e.message);
    throw new DialectError(`not a readable xlsx workbook: ${(e as Error).message}`);
  } finally {
    ws.end();
    rs.end();
    await Promise.all([once(ws, 'finish'), once(rs, 'finish')]);
  }
  if (!header) throw new DialectError(`sheet "${sheet}" has no header row (looked from row ${headerRow})`);
  const notes = [`sheet "${sheet}"`];
  if (blank) notes.push(`skipped ${blank} empty row(s)`);
  return { file: out, delimiter: ',', header, rejectsFile: rejects, rows, rejected, sourceName: basename(file), xlsx: true, notes };
}

type WritableStreamLike = { write(s: string): boolean };
