import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync, writeSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { LINE_TOO_LONG, LineSplitter, RecordReader, isBlankRecord, type CsvEvent } from './records.js';
import { DialectError, decoderFor, detectEncoding, firstInvalidUtf8, sniffDelimiter, type Encoding, type EncodingGuess } from './sniff.js';
import { compileLinePattern } from './line-pattern.js';

/**
 * One streaming pass over a real-world CSV export that turns it into a clean UTF-8 CSV DuckDB can read
 * strictly: byte-order mark and encoding resolved, preamble above the header, blank rows and declared
 * skip lines dropped, every field re-quoted, and a leading `__line` column with the ORIGINAL line
 * number of every record so rejects point into the file the user has. Records whose field count
 * differs from the header, quotes that never close and over-long lines go to a rejects CSV with their
 * reason; nothing is silently repaired or dropped.
 *
 * Every physical line is accounted for, and the sum is checked against a line count made apart from
 * the record logic: a file whose lines do not add up fails whole instead of losing rows quietly.
 */

export interface NormalizeOptions {
  delimiter: string; // 'auto' or one character
  encoding: 'auto' | Encoding;
  headerRow: number;
  /** Lines matching this pattern (RE2 syntax, linear time) are skipped: declared footers, sub-totals. */
  skipLinesMatching?: string;
  maxRecordChars?: number;
  /**
   * What to do with bytes that are not valid in the (guessed or set) encoding: `fail` the file (an
   * export whose encoding was guessed wrong) or `reject-line` (canonical CSV, which is UTF-8 by
   * definition: a damaged line is one reject).
   */
  invalidBytes?: 'fail' | 'reject-line';
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Checked between chunks: an aborted pass stops with the signal's reason. */
  signal?: AbortSignal;
  /** Per-column text checks (by header name): a failing value rejects its line with `reason`. */
  fieldRules?: readonly { column: string; valid: (value: string) => boolean; reason: string }[];
}

export interface NormalizeResult {
  /** Column names made unique (`x`, `x_2`) and never empty (`column3`). */
  header: string[];
  /** Column names as the file has them, trimmed. */
  rawHeader: string[];
  delimiter: string;
  encoding: Encoding;
  /** Data records written to the normalized file. */
  rows: number;
  /** Records (lines) rejected while normalizing. */
  rejected: number;
  blankLines: number;
  /** Lines above the header or matching the skip pattern. */
  skippedLines: number;
  /** Physical lines of the file, counted independently of the record parser. */
  physicalLines: number;
  /** Physical lines covered by the data records (more than `rows` when quoted values hold line breaks). */
  dataLines: number;
  notes: string[];
  /** How the file is written, to write its rejected records back the same way (`rejects --export`). */
  layout: SourceLayout;
}

/**
 * The form of a CSV export as its reader found it: enough to write lines back that the same mapping
 * reads the same way (encoding, byte-order mark, line break, delimiter, and every line up to and
 * including the header, verbatim, so a preamble the mapping skips by `header_row` is still there).
 */
export interface SourceLayout {
  encoding: Encoding;
  bom: boolean;
  line_break: '\r\n' | '\n' | '\r';
  delimiter: string;
  /** The lines above the first data record (preamble and header) as they stand, joined by `line_break`. */
  head: string;
}

export const LINE_COLUMN = '__line';
export const TOO_FEW_COLUMNS = 'too few columns';
export const TOO_MANY_COLUMNS = 'too many columns';
export const INVALID_UTF8 = 'invalid UTF-8';
const SAMPLE_BYTES = 64 * 1024;

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

/** Counts line breaks in decoded text: the independent side of the line accounting. */
class LineCounter {
  private breaks = 0;
  private last = '';
  constructor(private readonly crOnly: boolean) {}
  push(text: string): void {
    if (!text.length) return;
    const ch = this.crOnly ? '\r' : '\n';
    for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) this.breaks++;
    this.last = text[text.length - 1]!;
  }
  /** A last line without a line break counts too (a lone CR at the very end ends a line). */
  get lines(): number {
    return this.breaks + (this.last === '' || this.last === (this.crOnly ? '\r' : '\n') ? 0 : 1);
  }
}

/** Byte offset of the first invalid UTF-8 byte of a chunk, skipping the tail of a character cut by the previous chunk. */
function invalidOffset(chunk: Uint8Array): number {
  let skip = 0;
  while (skip < 3 && skip < chunk.length && (chunk[skip]! & 0xc0) === 0x80) skip++;
  return skip + firstInvalidUtf8(chunk.subarray(skip));
}

/** What the first bytes decide: encoding, byte-order mark, line breaks, delimiter. */
interface Dialect {
  enc: EncodingGuess;
  crOnly: boolean;
  lineBreak: SourceLayout['line_break'];
  delimiter: string;
  notes: string[];
}

function readDialect(input: string, opts: NormalizeOptions): Dialect {
  const sample = readSample(input);
  const enc = detectEncoding(sample, opts.encoding);
  const notes = [enc.note];
  const sampleText = decoderFor(enc.encoding === 'utf-8' ? 'windows-1252' : enc.encoding).decode(sample.subarray(enc.bomLength));
  const crOnly = !sampleText.includes('\n') && sampleText.includes('\r');
  if (crOnly) notes.push('line breaks are CR only (classic Mac)');
  let delimiter = opts.delimiter;
  if (delimiter === 'auto') {
    const sniffed = sniffDelimiter(sampleText, opts.headerRow);
    delimiter = sniffed.delimiter;
    notes.push(sniffed.note);
  }
  const lineBreak = crOnly ? '\r' : sampleText.includes('\r\n') ? '\r\n' : '\n';
  return { enc, crOnly, lineBreak, delimiter, notes };
}

export async function normalizeCsv(input: string, output: string, rejectsOut: string, opts: NormalizeOptions): Promise<NormalizeResult> {
  const total = statSync(input).size;
  if (total === 0) throw new DialectError('the file is empty');
  const maxRecordChars = opts.maxRecordChars ?? 1 << 20;
  const { enc, crOnly, lineBreak, delimiter, notes } = readDialect(input, opts);
  const skip = opts.skipLinesMatching ? compileLinePattern(opts.skipLinesMatching, 'skip_lines_matching') : undefined;
  const rejectBadBytes = opts.invalidBytes === 'reject-line';
  const head: string[] = [];

  const out = new BufferedWriter(createWriteStream(output));
  const rej = new BufferedWriter(createWriteStream(rejectsOut));
  await rej.write('line,column,reason,detail,raw\n');
  const result: NormalizeResult = {
    header: [],
    rawHeader: [],
    delimiter,
    encoding: enc.encoding,
    rows: 0,
    rejected: 0,
    blankLines: 0,
    skippedLines: 0,
    physicalLines: 0,
    dataLines: 0,
    notes,
    layout: { encoding: enc.encoding, bom: enc.bomLength > 0, line_break: lineBreak, delimiter, head: '' },
  };
  let headerFields = 0;
  let headerLines = 0;
  let rules: { index: number; column: string; valid: (v: string) => boolean; reason: string }[] = [];
  const queue: Promise<void>[] = [];
  const show = delimiter === '\t' ? 'tab' : delimiter;

  const reject = (line: number, reason: string, detail: string, raw: string, column = '') => {
    result.rejected++;
    // The whole line (a record is at most maxRecordChars): `rejects --export` hands it back as it was.
    queue.push(rej.write(`${line},${csvQuote(column)},${csvQuote(reason)},${csvQuote(detail)},${csvQuote(raw)}\n`));
  };

  const onEvent = (e: CsvEvent) => {
    if (e.kind === 'reject' && headerFields === 0 && e.reject.reason === LINE_TOO_LONG) {
      throw new DialectError(`line ${e.reject.line} is ${e.reject.detail.replace(' characters,', ' characters long,')}: not a CSV export, or a quote that never closes`);
    }
    if (e.kind === 'reject') {
      reject(e.reject.line, e.reject.reason, e.reject.detail, e.reject.raw);
      return;
    }
    const r = e.record;
    if (headerFields === 0) head.push(r.text);
    if (headerFields === 0 && r.line < opts.headerRow) {
      result.skippedLines += r.lines;
      return;
    }
    if (isBlankRecord(r.text, delimiter)) {
      result.blankLines += r.lines;
      return;
    }
    if (skip?.(r.text)) {
      result.skippedLines += r.lines;
      return;
    }
    if (rejectBadBytes && r.text.includes('\uFFFD')) {
      // Lines are all-or-nothing: one line of a multi-line record is as bad as all of them.
      if (headerFields === 0) throw new DialectError(`the header (line ${r.line}) is not valid UTF-8`);
      for (let k = 0; k < r.lines; k++) reject(r.line + k, INVALID_UTF8, 'bytes that are not UTF-8 (save the file as UTF-8)', r.text.split('\n')[k] ?? '');
      return;
    }
    if (headerFields === 0) {
      result.header = uniqueNames(r.fields);
      result.rawHeader = r.fields.map((f) => f.trim());
      headerFields = r.fields.length;
      headerLines = r.lines;
      result.layout.head = head.join(lineBreak);
      reader.expectFields(headerFields);
      rules = (opts.fieldRules ?? []).flatMap((f) => {
        const index = result.rawHeader.indexOf(f.column);
        return index >= 0 ? [{ ...f, index }] : [];
      });
      // DuckDB reads the columns by position (their names are given to read_csv), but a CR in a
      // header name makes its reader take CR for the line break and read no rows at all.
      queue.push(out.write(`${LINE_COLUMN}${delimiter}${result.header.map((h) => `"${h.replace(/[\r\n]/g, ' ').replace(/"/g, '""')}"`).join(delimiter)}\n`));
      return;
    }
    if (r.fields.length !== headerFields) {
      reject(
        r.line,
        r.fields.length < headerFields ? TOO_FEW_COLUMNS : TOO_MANY_COLUMNS,
        `line has ${r.fields.length} fields where the header has ${headerFields} (a cut-off line, shifted columns, or an unquoted "${show}" in a value)`,
        r.text,
        // The first column the line lacks, as DuckDB's reader names it.
        r.fields.length < headerFields ? result.header[r.fields.length] : '',
      );
      return;
    }
    for (const f of rules) {
      const v = r.fields[f.index]!;
      if (!f.valid(v)) {
        for (let k = 0; k < r.lines; k++) reject(r.line + k, f.reason, JSON.stringify(v.slice(0, 100)), r.text.split('\n')[k] ?? '', f.column);
        return;
      }
    }
    result.rows++;
    result.dataLines += r.lines;
    // Lines without quotes or stray CRs are already clean: copied as they are (the common case).
    const clean = r.lines === 1 && r.text.indexOf('"') < 0 && r.text.indexOf('\r') < 0;
    queue.push(out.write(`${r.line}${delimiter}${clean ? r.text : r.fields.map(csvQuote).join(delimiter)}\n`));
  };

  const reader = new RecordReader(delimiter, onEvent, { maxRecordChars });
  const splitter = new LineSplitter(crOnly, maxRecordChars);
  const counter = new LineCounter(crOnly);
  const decoder = decoderFor(enc.encoding, !rejectBadBytes);
  const feed = (text: string) => {
    counter.push(text);
    splitter.push(text, (t, line, length) => reader.push(t, line, length));
  };
  let bytesRead = 0;
  let first = true;
  try {
    for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
      opts.signal?.throwIfAborted();
      let bytes = chunk as Buffer;
      if (first && enc.bomLength) bytes = bytes.subarray(enc.bomLength);
      first = false;
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        const at = bytesRead + (bytesRead === 0 ? enc.bomLength : 0) + invalidOffset(bytes);
        throw new DialectError(
          `the byte at offset ${at} is not valid UTF-8 although the file starts as UTF-8; set source.encoding (e.g. windows-1252)`,
        );
      }
      feed(text);
      bytesRead += (chunk as Buffer).length;
      for (const p of queue.splice(0)) await p;
      opts.onProgress?.(bytesRead, total);
    }
    try {
      feed(decoder.decode());
    } catch {
      throw new DialectError(`the file ends in the middle of a UTF-8 character (offset ${total - 1}); set source.encoding (e.g. windows-1252)`);
    }
    splitter.end((t, line, length) => reader.push(t, line, length));
    reader.end();
    if (headerFields === 0) throw new DialectError(`no header row found (looked from line ${opts.headerRow})`);
    if (reader.multiLineDisabled) notes.push('too many quotes that never close: from some point on, quoted values were not allowed to span lines');
    for (const p of queue.splice(0)) await p;
  } finally {
    await Promise.all([out.close(), rej.close()]);
  }
  result.physicalLines = counter.lines;
  const accounted = result.skippedLines + result.blankLines + headerLines + result.dataLines + result.rejected;
  if (accounted !== result.physicalLines || splitter.count !== result.physicalLines) {
    throw new DialectError(
      `line accounting does not add up (${result.physicalLines} lines in the file, ${accounted} read): nothing was loaded; please report this file`,
    );
  }
  return result;
}

/**
 * The source text of the records that start on `lines` (sorted ascending), read again from the file
 * exactly as normalizeCsv read it (same encoding, line breaks, header and multi-line rules), so a
 * rejected record can be written back as it stood: quotes, delimiters inside quoted values and line
 * breaks included. A second pass over the file, made only when a later stage rejected records: the
 * first pass keeps no copy of every line (which would double what an ingest writes).
 */
export async function recordTexts(input: string, opts: NormalizeOptions, lines: readonly number[], onRecord: (line: number, text: string) => void): Promise<void> {
  if (!lines.length) return;
  const maxRecordChars = opts.maxRecordChars ?? 1 << 20;
  const { enc, crOnly, delimiter } = readDialect(input, opts);
  const skip = opts.skipLinesMatching ? compileLinePattern(opts.skipLinesMatching, 'skip_lines_matching') : undefined;
  let next = 0;
  let header = false;
  const reader = new RecordReader(
    delimiter,
    (e) => {
      if (e.kind !== 'record') return;
      const r = e.record;
      if (!header) {
        // The header is found by the same rules as in normalizeCsv: expectFields then governs multi-line records.
        if (r.line >= opts.headerRow && !isBlankRecord(r.text, delimiter) && !skip?.(r.text)) {
          header = true;
          reader.expectFields(r.fields.length);
        }
        return;
      }
      while (next < lines.length && lines[next]! < r.line) next++;
      if (lines[next] === r.line) onRecord(r.line, r.text);
    },
    { maxRecordChars },
  );
  const splitter = new LineSplitter(crOnly, maxRecordChars);
  const decoder = decoderFor(enc.encoding, false);
  const last = lines[lines.length - 1]!;
  let first = true;
  const stream = createReadStream(input, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      const bytes = first && enc.bomLength ? (chunk as Buffer).subarray(enc.bomLength) : (chunk as Buffer);
      first = false;
      splitter.push(decoder.decode(bytes, { stream: true }), (t, line, length) => reader.push(t, line, length));
      // A record spans at most maxSpanLines lines: well past the last one wanted, the rest is not needed.
      if (splitter.count > last + 1000) return;
    }
    splitter.push(decoder.decode(), (t, line, length) => reader.push(t, line, length));
    splitter.end((t, line, length) => reader.push(t, line, length));
    reader.end();
  } finally {
    stream.destroy();
  }
}

/** recordTexts written to a CSV file `line,raw` (for DuckDB to read back), in bounded memory. */
export async function writeRecordTexts(
  read: (lines: readonly number[], onRecord: (line: number, text: string) => void) => Promise<void>,
  lines: readonly number[],
  file: string,
): Promise<void> {
  const fd = openSync(file, 'w');
  try {
    let buf = ['line,raw\n'];
    let size = 0;
    await read(lines, (line, text) => {
      buf.push(`${line},${csvQuote(text)}\n`);
      size += text.length;
      if (size > 1 << 20) {
        writeSync(fd, buf.join(''));
        buf = [];
        size = 0;
      }
    });
    writeSync(fd, buf.join(''));
  } finally {
    closeSync(fd);
  }
}

/** DuckDB SQL reading a writeRecordTexts file as (line BIGINT, raw_line VARCHAR). */
export function recordTextsSql(file: string): string {
  return `SELECT CAST(line AS BIGINT) AS line, coalesce(raw, '') AS raw_line FROM read_csv('${file.replace(/'/g, "''")}',
       header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {'line': 'VARCHAR', 'raw': 'VARCHAR'}, max_line_size = 4194304)`;
}
