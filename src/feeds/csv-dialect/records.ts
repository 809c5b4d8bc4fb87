/**
 * Quote-safe CSV records from decoded text, one physical line at a time, with every line accounted
 * for: each ends up in a record, a reject, or a skip the caller counts. Pure logic (no I/O), shared
 * by the canonical and the mapped ingest.
 *
 * The rules are those of RFC 4180 readers and Excel, made loss-proof for hostile exports:
 * - a `"` opens a quoted field only at the START of a field; anywhere else (`Monitor 27"`) it is a
 *   character, so one stray quote can never turn the rest of the file into one field;
 * - inside a quoted field `""` is a quote, and a `"` closes the field only before a delimiter, the
 *   end of the line or trailing blanks; any other `"` is a character;
 * - a quoted field may hold line breaks, but only when the record it ends then has exactly the
 *   header's field count and stays within `maxSpanLines`/`maxRecordChars`. Otherwise the quote never
 *   closed: the line that opened it is rejected with that reason and reading resumes at the next
 *   line, so a cut-off or stray quote costs one line, never the rest of the file;
 * - re-reading after a failed multi-line attempt is bounded by a work budget proportional to the
 *   file; past it, records no longer span lines (noted), which keeps hostile files linear.
 * - line breaks are LF, CRLF or (in a file that has no LF) CR; a CR inside a line is a character.
 */

export interface CsvRecord {
  /** 1-based physical line on which the record starts (what a user sees in an editor). */
  line: number;
  /** Physical lines the record covers (more than 1 when a quoted field holds line breaks). */
  lines: number;
  fields: string[];
  /** The record's source text (lines joined with `\n`), for quarantine and skip patterns. */
  text: string;
}

export interface CsvLineReject {
  line: number;
  /** Stable text (rejects are counted per reason). */
  reason: string;
  /** What exactly, for this line. */
  detail: string;
  raw: string;
}

export const UNCLOSED_QUOTE = 'quoted value never closes';
export const LINE_TOO_LONG = 'line too long';

export type CsvEvent = { kind: 'record'; record: CsvRecord } | { kind: 'reject'; reject: CsvLineReject };

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Splits decoded text into physical lines (without terminators), counting them itself. A line longer
 * than `maxLineChars` is not held in memory: it is emitted as its first 200 characters with its true
 * length, for the reader to reject.
 */
export class LineSplitter {
  private carry = '';
  private carryLength = 0;
  private pendingCr = false;
  /** Lines emitted so far. */
  count = 0;

  /** `crOnly`: the file breaks lines with CR alone (classic Mac exports, no LF anywhere). */
  constructor(
    private readonly crOnly = false,
    private readonly maxLineChars = Number.POSITIVE_INFINITY,
  ) {}

  push(chunk: string, emit: (text: string, line: number, length: number) => void): void {
    const brk = this.crOnly ? '\r' : '\n';
    let start = 0;
    if (this.pendingCr) {
      // A CR that ended the previous chunk: part of CRLF if this chunk starts with LF.
      this.pendingCr = false;
      if (!chunk.startsWith('\n')) this.add('\r');
    }
    for (;;) {
      const i = chunk.indexOf(brk, start);
      if (i < 0) break;
      this.add(chunk.slice(start, i));
      let piece = this.carry;
      let length = this.carryLength;
      if (!this.crOnly && length <= this.maxLineChars && piece.charCodeAt(piece.length - 1) === CR) {
        piece = piece.slice(0, -1);
        length--;
      }
      this.carry = '';
      this.carryLength = 0;
      this.count++;
      emit(piece, this.count, length);
      start = i + 1;
    }
    let rest = chunk.slice(start);
    if (!this.crOnly && rest.charCodeAt(rest.length - 1) === CR) {
      this.pendingCr = true;
      rest = rest.slice(0, -1);
    }
    this.add(rest);
  }

  private add(piece: string): void {
    if (!piece) return;
    this.carryLength += piece.length;
    if (this.carryLength > this.maxLineChars) {
      if (this.carry.length < 200) this.carry = (this.carry + piece).slice(0, 200);
    } else this.carry += piece;
  }

  /** The last line when the file does not end with a line break. */
  end(emit: (text: string, line: number, length: number) => void): void {
    // A trailing CR before end of file ends the line like CRLF would.
    if (this.pendingCr || this.carryLength > 0) {
      this.pendingCr = false;
      this.count++;
      emit(this.carry, this.count, this.carryLength);
      this.carry = '';
      this.carryLength = 0;
    }
  }
}

/** Field parser state carried across the lines of one record. */
interface ParseState {
  fields: string[];
  cur: string;
  inQuotes: boolean;
  /** Field index (0-based) of the quote that is open. */
  openedAt: number;
}

const newState = (): ParseState => ({ fields: [], cur: '', inQuotes: false, openedAt: -1 });

/** True when only blanks follow position `i` up to the next delimiter or the end of the line. */
function closesHere(text: string, i: number, delim: number): boolean {
  for (let k = i; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === delim) return true;
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/**
 * Parses one physical line into `st`, continuing a quoted field left open by the previous line.
 * Returns true when the record is complete (no quote open at the end of the line).
 */
function parseLine(text: string, delim: number, st: ParseState): boolean {
  const n = text.length;
  let i = 0;
  let fieldStart = !st.inQuotes && st.cur.length === 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (st.inQuotes) {
      if (c === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) {
          st.cur += '"';
          i += 2;
          continue;
        }
        if (closesHere(text, i + 1, delim)) {
          st.inQuotes = false;
          // Skip blanks between the closing quote and the delimiter.
          i++;
          while (i < n && text.charCodeAt(i) !== delim) i++;
          continue;
        }
        st.cur += '"';
        i++;
        continue;
      }
      // Copy the run up to the next quote in one go.
      const q = text.indexOf('"', i);
      const end = q < 0 ? n : q;
      st.cur += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === delim) {
      st.fields.push(st.cur);
      st.cur = '';
      fieldStart = true;
      i++;
      continue;
    }
    if (c === QUOTE && fieldStart) {
      st.inQuotes = true;
      st.openedAt = st.fields.length;
      fieldStart = false;
      i++;
      continue;
    }
    fieldStart = false;
    st.cur += text[i];
    i++;
  }
  if (st.inQuotes) return false;
  st.fields.push(st.cur);
  st.cur = '';
  return true;
}

/** Fields of one line on its own (headers, samples); an unclosed quote runs to the end of the line. */
export function splitFields(text: string, delimiter: string): string[] {
  const d = delimiter.charCodeAt(0);
  if (text.indexOf('"') < 0) return text.split(delimiter);
  const st = newState();
  if (!parseLine(text, d, st)) st.fields.push(st.cur);
  return st.fields;
}

/** A record of nothing but delimiters and blanks: the blank row spreadsheets leave behind. */
export function isBlankRecord(text: string, delimiter: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== delimiter && ch !== ' ' && ch !== '\t' && ch !== '"') return false;
  }
  return true;
}

export interface RecordReaderOptions {
  /** Longest record in characters; a longer line is a reject of that line. */
  maxRecordChars?: number;
  /** Most physical lines one record may span through a quoted field. */
  maxSpanLines?: number;
}

/**
 * Assembles physical lines into records. Until `expectFields` is set (the header is known) every
 * line is a record of its own; after that a quoted field may continue on the next lines under the
 * rules in the header comment of this file.
 */
export class RecordReader {
  private readonly delim: number;
  private readonly maxRecordChars: number;
  private readonly maxSpanLines: number;
  private expected = 0;
  /** Lines of a record in progress: the first opened a quote that is still open. */
  private held: { text: string; line: number }[] = [];
  private heldChars = 0;
  private st: ParseState = newState();
  /** Characters re-read after failed multi-line attempts, against `budget`. */
  private reread = 0;
  private seen = 0;
  multiLineDisabled = false;

  constructor(
    delimiter: string,
    private readonly emit: (e: CsvEvent) => void,
    opts: RecordReaderOptions = {},
  ) {
    if (delimiter.length !== 1) throw new Error(`delimiter must be one character, got ${JSON.stringify(delimiter)}`);
    this.delim = delimiter.charCodeAt(0);
    this.maxRecordChars = opts.maxRecordChars ?? 1 << 20;
    this.maxSpanLines = opts.maxSpanLines ?? 200;
  }

  /** From now on records must have this many fields to span lines (the header's count). */
  expectFields(n: number): void {
    this.expected = n;
  }

  push(text: string, line: number, length = text.length): void {
    this.seen += length + 1;
    if (length > this.maxRecordChars) {
      if (this.held.length > 0) this.failHeld(`before line ${line}, which is too long to read`);
      this.emit({ kind: 'reject', reject: { line, reason: LINE_TOO_LONG, detail: `${length} characters, over the limit of ${this.maxRecordChars}`, raw: text.slice(0, 200) } });
      return;
    }
    if (this.held.length > 0) {
      this.continueWith(text, line);
      return;
    }
    this.start(text, line);
  }

  /** End of input: a quote still open never closed. */
  end(): void {
    while (this.held.length > 0) this.failHeld('the file ends inside it');
  }

  private start(text: string, line: number): void {
    if (text.indexOf('"') < 0) {
      this.emit({ kind: 'record', record: { line, lines: 1, fields: text.split(String.fromCharCode(this.delim)), text } });
      return;
    }
    const st = newState();
    if (parseLine(text, this.delim, st)) {
      this.emit({ kind: 'record', record: { line, lines: 1, fields: st.fields, text } });
      return;
    }
    if (this.expected === 0 || this.multiLineDisabled) {
      // Before the header (or past the budget) a quote cannot open a multi-line field.
      if (this.expected === 0) {
        st.fields.push(st.cur);
        this.emit({ kind: 'record', record: { line, lines: 1, fields: st.fields, text } });
      } else this.emit({ kind: 'reject', reject: { line, reason: UNCLOSED_QUOTE, detail: unclosedDetail(st.openedAt, 'on this line'), raw: text } });
      return;
    }
    this.st = st;
    this.st.cur += '\n';
    this.held = [{ text, line }];
    this.heldChars = text.length;
  }

  private continueWith(text: string, line: number): void {
    this.held.push({ text, line });
    this.heldChars += text.length + 1;
    if (this.held.length > this.maxSpanLines || this.heldChars > this.maxRecordChars) {
      this.failHeld(`within ${this.held.length - 1} lines`);
      return;
    }
    if (!parseLine(text, this.delim, this.st)) {
      this.st.cur += '\n';
      return;
    }
    const held = this.held;
    const st = this.st;
    if (st.fields.length === this.expected) {
      this.held = [];
      this.heldChars = 0;
      this.st = newState();
      this.emit({ kind: 'record', record: { line: held[0]!.line, lines: held.length, fields: st.fields, text: held.map((h) => h.text).join('\n') } });
      return;
    }
    this.failHeld(`(it closes on line ${line}, but the record then has ${st.fields.length} fields where the header has ${this.expected})`);
  }

  /** Rejects the line that opened the quote and reads the lines after it again, on their own. */
  private failHeld(why: string): void {
    const [first, ...rest] = this.held;
    const openedAt = this.st.openedAt;
    this.held = [];
    this.heldChars = 0;
    this.st = newState();
    this.emit({ kind: 'reject', reject: { line: first!.line, reason: UNCLOSED_QUOTE, detail: unclosedDetail(openedAt, why), raw: first!.text } });
    for (const r of rest) this.reread += r.text.length + 1;
    if (!this.multiLineDisabled && this.reread > 4 * this.seen + (1 << 20)) this.multiLineDisabled = true;
    for (const r of rest) this.push2(r.text, r.line);
  }

  /** push() without counting the line as newly seen (it is being re-read). */
  private push2(text: string, line: number): void {
    if (this.held.length > 0) this.continueWith(text, line);
    else this.start(text, line);
  }
}

function unclosedDetail(field: number, why: string): string {
  return `the quote opening field ${field + 1} never closes ${why} (a stray " at the start of a value, or a cut-off line)`;
}
