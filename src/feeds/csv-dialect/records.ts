/**
 * Splits decoded CSV text into records without materialising fields: a record ends at a line break
 * outside double quotes, so quoted fields may hold line breaks. Each record keeps the physical line it
 * starts on (what a user sees in an editor) and its field count, which is all the normalising pass
 * needs; DuckDB parses the fields afterwards.
 *
 * Streaming: text arrives in chunks of any size and memory stays bounded by `maxRecordChars`. A record
 * longer than that (a 100 MB line, a quote that never closes) is reported as oversized and the
 * splitter resynchronises at the next line break, ignoring quotes, instead of buffering the rest of
 * the file.
 */

export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  line: number;
  /** Record text without its line break; empty when `oversized`. */
  text: string;
  fields: number;
  oversized: boolean;
  /** Length in characters (also for oversized records, whose text is dropped). */
  length: number;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

export class RecordSplitter {
  private readonly delim: number;
  private parts: string[] = [];
  private partsLength = 0;
  private inQuotes = false;
  private fields = 1;
  private line = 1;
  private startLine = 1;
  private oversized = false;
  private oversizedLength = 0;

  constructor(
    delimiter: string,
    private readonly maxRecordChars = 1 << 20,
  ) {
    if (delimiter.length !== 1) throw new Error(`delimiter must be one character, got ${JSON.stringify(delimiter)}`);
    this.delim = delimiter.charCodeAt(0);
  }

  /** Feeds a chunk; complete records go to `emit` in file order. */
  push(chunk: string, emit: (r: CsvRecord) => void): void {
    const n = chunk.length;
    let start = 0;
    const delim = this.delim;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === LF) {
        if (this.inQuotes && !this.oversized) {
          this.line++;
          continue;
        }
        this.finish(chunk, start, i, emit);
        this.line++;
        start = i + 1;
        this.startLine = this.line;
      } else if (this.oversized) {
        continue;
      } else if (c === QUOTE) {
        this.inQuotes = !this.inQuotes;
      } else if (c === delim && !this.inQuotes) {
        this.fields++;
      }
    }
    if (start < n) this.append(chunk.slice(start));
  }

  /** Flushes the last record (a file need not end with a line break). */
  end(emit: (r: CsvRecord) => void): void {
    if (this.partsLength > 0 || this.oversized) this.finish('', 0, 0, emit);
  }

  private append(piece: string): void {
    if (this.oversized) {
      this.oversizedLength += piece.length;
      return;
    }
    this.parts.push(piece);
    this.partsLength += piece.length;
    if (this.partsLength > this.maxRecordChars) {
      this.oversized = true;
      this.oversizedLength = this.partsLength;
      this.parts = [];
      this.partsLength = 0;
    }
  }

  private finish(chunk: string, from: number, to: number, emit: (r: CsvRecord) => void): void {
    if (this.oversized) {
      emit({ line: this.startLine, text: '', fields: 0, oversized: true, length: this.oversizedLength + (to - from) });
    } else {
      let text: string;
      if (this.parts.length) {
        this.parts.push(chunk.slice(from, to));
        text = this.parts.join('');
      } else {
        text = chunk.slice(from, to);
      }
      if (text.charCodeAt(text.length - 1) === CR) text = text.slice(0, -1);
      if (text.length > this.maxRecordChars) {
        emit({ line: this.startLine, text: '', fields: 0, oversized: true, length: text.length });
      } else {
        emit({ line: this.startLine, text, fields: this.fields, oversized: false, length: text.length });
      }
    }
    this.parts = [];
    this.partsLength = 0;
    this.inQuotes = false;
    this.fields = 1;
    this.oversized = false;
    this.oversizedLength = 0;
  }
}

/** Splits one record into field values (quotes removed, `""` unescaped); used for headers and samples. */
export function splitFields(text: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A record of nothing but delimiters and spaces: the blank row spreadsheets leave behind. */
export function isBlankRecord(text: string, delimiter: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== delimiter && ch !== ' ' && ch !== '\t' && ch !== '"') return false;
  }
  return true;
}
