import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { RecordSplitter, splitFields, isBlankRecord, type CsvRecord } from './records.js';
import { DialectError, decoderFor, detectEncoding, sniffDelimiter, type Encoding } from './sniff.js';

/**
 * One streaming pass over a real-world CSV export that turns it into a clean UTF-8 CSV DuckDB can read
 * strictly: byte-order mark and encoding resolved, preamble above the header, blank rows and footers
 * dropped, and a leading `__line` column with the ORIGINAL line number of every record so rejects
 * point into the file the user has. Records whose field count differs from the header (columns shifted
 * mid-file) and oversized records go to a rejects CSV instead; nothing is silently repaired.
 */

export interface NormalizeOptions {
  delimiter: string; // 'auto' or one character
  encoding: 'auto' | Encoding;
  headerRow: number;
  skipLinesMatching?: string;
  maxRecordChars?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface NormalizeResult {
  header: string[];
  delimiter: string;
  encoding: Encoding;
  /** Data records written to the normalized file. */
  rows: number;
  rejected: number;
  blankLines: number;
  skippedLines: number;
  /** Trailing short lines dropped as footers (line numbers). */
  footerLines: number[];
  notes: string[];
}

export const LINE_COLUMN = '__line';
const SAMPLE_BYTES = 64 * 1024;
/** Short records held back in case they are the file's footer; past this many they are rejects. */
const MAX_FOOTER_LINES = 20;

export function csvQuote(s: string): string {
  return /[",\r\n;|\t]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}

class BufferedWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly ws: WriteStream) {}
  async write(s: string): Promise<void> {
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const ok = this.ws.write(this.buf.join(''));
    this.buf = [];
    this.size = 0;
    if (!ok) await once(this.ws, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.ws.end();
    await once(this.ws, 'finish');
  }
}

function readSample(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const n = readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function uniqueNames(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((r, i) => {
    const base = r.trim() || `column${i + 1}`;
    const n = seen.get(base.toLowerCase()) ?? 0;
    seen.set(base.toLowerCase(), n + 1);
    return n === 0 ? base : `${base}_${n + 1}`;
  });
}

export async function normalizeCsv(input: string, output: string, rejectsOut: string, opts: NormalizeOptions): Promise<NormalizeResult> {
  const total = statSync(input).size;
  if (total === 0) throw new DialectError('the file is empty');
  const maxRecordChars = opts.maxRecordChars ?? 1 << 20;
  const sample = readSample(input);
  const enc = detectEncoding(sample, opts.encoding);
  const notes = [enc.note];
  let delimiter = opts.delimiter;
  if (delimiter === 'auto') {
    const sniffed = sniffDelimiter(decoderFor(enc.encoding === 'utf-8' ? 'windows-1252' : enc.encoding).decode(sample.subarray(enc.bomLength)), opts.headerRow);
    delimiter = sniffed.delimiter;
    notes.push(sniffed.note);
  }
  const skip = opts.skipLinesMatching ? new RegExp(opts.skipLinesMatching) : undefined;

  const out = new BufferedWriter(createWriteStream(output));
  const rej = new BufferedWriter(createWriteStream(rejectsOut));
  await rej.write('line,reason,raw\n');
  const result: NormalizeResult = {
    header: [],
    delimiter,
    encoding: enc.encoding,
    rows: 0,
    rejected: 0,
    blankLines: 0,
    skippedLines: 0,
    footerLines: [],
    notes,
  };
  let headerFields = 0;
  let pending: CsvRecord[] = [];
  const queue: Promise<void>[] = [];

  const reject = (line: number, reason: string, raw: string) => {
    result.rejected++;
    queue.push(rej.write(`${line},${csvQuote(reason)},${csvQuote(raw.slice(0, 200))}\n`));
  };
  const shortReason = (r: CsvRecord) =>
    `line has ${r.fields} fields where the header has ${headerFields} (columns shifted, or an unquoted "${delimiter === '\t' ? 'tab' : delimiter}" in a value)`;
  const flushPendingAsRejects = () => {
    for (const p of pending) reject(p.line, shortReason(p), p.text);
    pending = [];
  };

  const onRecord = (r: CsvRecord) => {
    if (r.line < opts.headerRow && headerFields === 0) {
      result.skippedLines++;
      return;
    }
    if (r.oversized) {
      if (headerFields === 0) {
        throw new DialectError(`line ${r.line} is ${r.length} characters long, over the limit of ${maxRecordChars}: not a CSV export, or a quote that never closes`);
      }
      flushPendingAsRejects();
      reject(r.line, `record is ${r.length} characters long, over the limit of ${maxRecordChars} (a quote that never closes?)`, '');
      return;
    }
    if (isBlankRecord(r.text, delimiter)) {
      result.blankLines++;
      return;
    }
    if (skip?.test(r.text)) {
      result.skippedLines++;
      return;
    }
    if (headerFields === 0) {
      result.header = uniqueNames(splitFields(r.text, delimiter));
      headerFields = r.fields;
      queue.push(out.write(`${LINE_COLUMN}${delimiter}${result.header.map((h) => `"${h.replace(/"/g, '""')}"`).join(delimiter)}\n`));
      return;
    }
    if (r.fields === headerFields) {
      flushPendingAsRejects();
      result.rows++;
      queue.push(out.write(`${r.line}${delimiter}${r.text}\n`));
      return;
    }
    if (r.fields < headerFields && pending.length < MAX_FOOTER_LINES) {
      pending.push(r);
      return;
    }
    flushPendingAsRejects();
    reject(r.line, shortReason(r), r.text);
  };

  const splitter = new RecordSplitter(delimiter, maxRecordChars);
  const decoder = decoderFor(enc.encoding);
  let bytesRead = 0;
  let first = true;
  try {
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
      let bytes = chunk as Buffer;
      if (first && enc.bomLength) bytes = bytes.subarray(enc.bomLength);
      first = false;
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        throw new DialectError(
          `bytes near offset ${bytesRead} are not valid UTF-8 although the file starts as UTF-8; set source.encoding (e.g. windows-1252)`,
        );
      }
      splitter.push(text, onRecord);
      bytesRead += (chunk as Buffer).length;
      for (const p of queue.splice(0)) await p;
      opts.onProgress?.(bytesRead, total);
    }
    splitter.push(decoder.decode(), onRecord);
    splitter.end(onRecord);
    if (headerFields === 0) throw new DialectError(`no header row found (looked from line ${opts.headerRow})`);
    result.footerLines = pending.map((p) => p.line);
    if (pending.length) notes.push(`dropped ${pending.length} footer line(s) at the end: line ${result.footerLines.join(', ')}`);
    pending = [];
    for (const p of queue.splice(0)) await p;
  } finally {
    await Promise.all([out.close(), rej.close()]);
  }
  return result;
}
