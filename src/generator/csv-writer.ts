import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { TableDef } from '../schema/table.js';

type Cell = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 field: quoted only when it holds a comma, quote or line break; NULL is an empty field. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Writes one canonical table as CSV: header = the zod schema's columns in order, rows buffered in
 * memory up to `chunkBytes` and written with backpressure (awaiting 'drain'), so memory stays flat
 * however large the ledger is.
 */
export class CsvTableWriter {
  readonly columns: readonly string[];
  rows = 0;
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private pending = 0;

  constructor(
    readonly path: string,
    table: TableDef,
    private readonly chunkBytes = 1 << 20,
  ) {
    this.columns = table.columns.map((c) => c.name);
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
    this.push(`${this.columns.join(',')}\n`);
  }

  /** Adds a row; values are looked up by column name, missing or null ones become empty fields. */
  write(row: Readonly<Record<string, Cell>>): void {
    let line = '';
    for (let i = 0; i < this.columns.length; i++) {
      if (i > 0) line += ',';
      line += csvField(row[this.columns[i] as string]);
    }
    this.push(`${line}\n`);
    this.rows++;
  }

  /** Resolves once the buffer is handed to the stream and the stream is not over its high-water mark. */
  async flushIfFull(): Promise<void> {
    if (this.pending >= this.chunkBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  /** Closes the file without waiting (after an error elsewhere). */
  destroy(): void {
    this.stream.destroy();
  }

  private push(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
  }
}
