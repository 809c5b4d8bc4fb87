import { fmix32, KeyHashSet } from './key-set.js';

/**
 * The text form a typed column's value must have for DuckDB's own typed reader to read it exactly as
 * the checked path does: `date` YYYY-MM-DD (DuckDB's date reader also takes `2024-1-5`, `2024/01/05`,
 * ` 2024-01-05`, `epoch`, `infinity`, and a time after the date), `money` an amount with at most 2
 * decimals (`-?[0-9]{1,16}(.[0-9]{1,2})?`: DuckDB's DECIMAL(18,2) reader rounds `12.345` and takes
 * `+1`, `1e3`, blanks). An empty field (NULL) has every form.
 */
export type FieldForm = 'date' | 'money';

export interface FieldWatchSpec {
  /** The table's key: proves (by 64-bit hashes, key-set.ts) that no two data lines carry the same key. */
  keyColumns?: readonly string[];
  /** Columns whose every value must have its form. */
  forms?: Readonly<Record<string, FieldForm>>;
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/** Seeds of the two 32-bit halves of a key's hash (FNV-1a's offset basis and another). */
const H1_SEED = 0x811c9dc5 | 0;
const H2_SEED = 0x9747b28c | 0;

const KEY = 1;
const DATE = 2;
const MONEY = 4;

/**
 * Watches a few fields of every data line of a plain CSV (plain-scan.ts), which the scan reads
 * anyway: the key columns (keysUnique) and the columns that must have a form (formsPlain). Lines are
 * split here by the plain file's rules (quotes only around whole fields, doubled inside).
 */
export class FieldWatch {
  /** Watched column positions, ascending, and what each is watched for. */
  private readonly at: number[];
  private readonly roles: number[];
  private keys: KeyHashSet | undefined;
  private readonly watchesForms: boolean;
  /** False once a line's key could not be added (a repeat, a short line, the set full). */
  private keysOk: boolean;
  /** False once a value lacked its form (or a line was too short to have the field). */
  formsPlain = true;
  private dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private dvOf: Buffer | undefined;

  constructor(header: readonly string[], spec: FieldWatchSpec, keySet?: KeyHashSet) {
    const roles = new Map<number, number>();
    const keyAt = (spec.keyColumns ?? []).map((c) => header.indexOf(c));
    this.keysOk = keyAt.length > 0 && keyAt.every((i) => i >= 0);
    if (this.keysOk) for (const i of keyAt) roles.set(i, KEY);
    for (const [name, form] of Object.entries(spec.forms ?? {})) {
      const i = header.indexOf(name);
      // A column the file does not have is NULL on every row: it has its form.
      if (i >= 0) roles.set(i, (roles.get(i) ?? 0) | (form === 'date' ? DATE : MONEY));
    }
    this.watchesForms = [...roles.values()].some((r) => r !== KEY);
    this.at = [...roles.keys()].sort((a, b) => a - b);
    this.roles = this.at.map((i) => roles.get(i)!);
    if (this.keysOk) this.keys = keySet ?? new KeyHashSet();
  }

  /** True when the keys of the `dataLines` lines seen are proven distinct. */
  keysUnique(dataLines: number): boolean {
    return this.keysOk && this.keys!.size === dataLines && this.keys!.distinct();
  }

  /**
   * One data line, [start, stop) of `buf` without its line break; `quoted`: it holds a quote.
   * `buf[stop]` must be the line's CR or LF, or past the end of `buf`: no byte above a comma, which
   * the walk of a line without quotes uses to end a field with one comparison per byte.
   */
  line(buf: Buffer, start: number, stop: number, quoted: boolean): void {
    if (quoted) this.quotedLine(buf, start, stop);
    else this.plainLine(buf, start, stop);
  }

  /**
   * A line without a quote, the common case (every comma a field break): the same verdicts and key
   * hashes as quotedLine, reading four bytes at a time where it can (fieldEnd, isDateAt).
   */
  private plainLine(buf: Buffer, start: number, stop: number): void {
    const formsLeft = this.watchesForms && this.formsPlain;
    const keysOn = this.keysOk;
    if (!keysOn && !formsLeft) return;
    const dv = this.viewOf(buf);
    // the last position a word can be read from
    const lastWord = buf.length - 4;
    const at = this.at;
    const roles = this.roles;
    let h1 = H1_SEED;
    let h2 = H2_SEED;
    let n = 0;
    let i = start;
    let col = 0;
    for (let k = 0; k < at.length; k++) {
      // Past the line's end: it has fewer fields than the header.
      if (i > stop) return this.short();
      const want = at[k]!;
      for (; col < want; col++) {
        i = fieldEnd(buf, dv, lastWord, i, stop);
        if (i === stop) return this.short();
        // past the comma
        i++;
      }
      const role = roles[k]!;
      const from = i;
      if (formsLeft && role & DATE) {
        // The common date: its 10 bytes, then a comma or the line's end.
        if (i + 10 <= stop && (i + 10 === stop || buf[i + 10] === COMMA) && isDateAt(dv, i)) i += 10;
        else if ((i = fieldEnd(buf, dv, lastWord, i, stop)) > from) this.formsPlain = false;
      } else {
        i = fieldEnd(buf, dv, lastWord, i, stop);
        if (formsLeft && role & MONEY && i > from && !isMoney(buf, from, i)) this.formsPlain = false;
      }
      if (role & KEY && keysOn) {
        for (let j = from; j < i; j++) {
          const b = buf[j]!;
          h1 = Math.imul(h1 ^ b, 0x01000193);
          h2 = Math.imul(h2 ^ b, 0x5bd1e995);
          h2 ^= h2 >>> 15;
        }
        n += i - from;
        h1 = Math.imul(h1 ^ COMMA, 0x01000193);
        h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995);
        n++;
      }
      // past the field's comma
      i++;
      col++;
    }
    if (keysOn && !this.keys!.add(fmix32(h1 ^ n), fmix32(h2 ^ Math.imul(n, 0x9e3779b1)))) this.keysOk = false;
  }

  /**
   * A DataView of exactly `buf`, made once per buffer object: the scan passes every line of a chunk
   * in the same one. (Comparing `buf.buffer` per line cost more than the walk it serves.)
   */
  private viewOf(buf: Buffer): DataView<ArrayBufferLike> {
    if (buf !== this.dvOf) {
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
      this.dvOf = buf;
    }
    return this.dv;
  }

  /** A line with a quote: a quoted value is read unquoted, and a comma inside it is no field break. */
  private quotedLine(buf: Buffer, start: number, stop: number): void {
    const formsLeft = this.watchesForms && this.formsPlain;
    if (!this.keysOk && !formsLeft) return;
    const at = this.at;
    const roles = this.roles;
    let h1 = H1_SEED;
    let h2 = H2_SEED;
    let n = 0;
    let i = start;
    let col = 0;
    for (let k = 0; k < at.length; k++) {
      if (i > stop) return this.short();
      const want = at[k]!;
      // Skip to the field (a comma inside quotes is not a field break).
      while (col < want) {
        if (i >= stop) return this.short();
        const b = buf[i++]!;
        if (b === COMMA) col++;
        else if (b === QUOTE) i = closingQuote(buf, i, stop) + 1;
      }
      const role = roles[k]!;
      let from = i;
      let to: number;
      let escaped = false;
      // Whether the value's form is still to be checked.
      let check = formsLeft && (role & (DATE | MONEY)) !== 0;
      if (i < stop && buf[i] === QUOTE) {
        to = closingQuote(buf, i + 1, stop);
        from = i + 1;
        escaped = buf.indexOf(QUOTE, from) < to;
        i = to + 1;
      } else if (check && role === DATE && i + 10 <= stop && (i + 10 === stop || buf[i + 10] === COMMA) && isDate(buf, i, i + 10)) {
        // The common date needs no search for its end: the 10 bytes and a comma after them.
        to = i += 10;
        check = false;
      } else {
        while (i < stop && buf[i] !== COMMA) i++;
        to = i;
      }
      if (role & KEY && this.keysOk) {
        for (let j = from; j < to; j++) {
          const b = buf[j]!;
          // A doubled quote inside a quoted value is one quote of the value.
          if (escaped && b === QUOTE) j++;
          h1 = Math.imul(h1 ^ b, 0x01000193);
          h2 = Math.imul(h2 ^ b, 0x5bd1e995);
          h2 ^= h2 >>> 15;
          n++;
        }
        // A separator that no value holds unquoted, so ("ab", "c") and ("a", "bc") differ.
        h1 = Math.imul(h1 ^ COMMA, 0x01000193);
        h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995);
        n++;
      }
      if (check && to > from && !(role & DATE ? isDate(buf, from, to) : isMoney(buf, from, to))) this.formsPlain = false;
      // past the field's comma
      i++;
      col++;
    }
    if (this.keysOk && !this.keys!.add(fmix32(h1 ^ n), fmix32(h2 ^ Math.imul(n, 0x9e3779b1)))) this.keysOk = false;
  }

  private short(): void {
    this.keysOk = false;
    this.formsPlain = false;
  }
}

/**
 * End of the unquoted field starting at `i`: its comma, or `stop`. It looks for the first byte not
 * above a comma (the bytes of most values are above it), four bytes at a time: `buf[stop]`, the
 * line's CR or LF (or undefined past the buffer), is such a byte, so no bounds test per byte.
 * `dv` views the same bytes as `buf`.
 */
function fieldEnd(buf: Buffer, dv: DataView<ArrayBufferLike>, lastWord: number, i: number, stop: number): number {
  for (;;) {
    for (;;) {
      if (i > lastWord) {
        while (buf[i]! > COMMA) i++;
        break;
      }
      const w = dv.getInt32(i, true);
      // The high bit of each byte lane: set when the byte is above a comma (0x2c) or not ASCII. The
      // lanes subtract without borrowing from each other, each being at least 0x80 before.
      const above = (((w | 0x80808080) - 0x2d2d2d2d) | w) & 0x80808080;
      if (above === (0x80808080 | 0)) {
        i += 4;
        continue;
      }
      // One of these four bytes is not above a comma: find it byte by byte (cheaper here than
      // computing its lane from the word).
      while (buf[i]! > COMMA) i++;
      break;
    }
    if (i >= stop || buf[i] === COMMA) return i;
    i++;
  }
}

/** YYYY-MM-DD in the 10 bytes at `i` of `dv`, read as two words and a half-word. */
function isDateAt(dv: DataView<ArrayBufferLike>, i: number): boolean {
  const y = dv.getInt32(i, true);
  const md = dv.getInt32(i + 4, true);
  const d = dv.getUint16(i + 8, true);
  // Every lane 0x30-0x39: the high nibble is 3, and adding 6 leaves it 3 (no lane carries into the next).
  return (
    (y & 0xf0f0f0f0) === 0x30303030 &&
    ((y + 0x06060606) & 0xf0f0f0f0) === 0x30303030 &&
    // `-MM-`
    (md & 0xfff0f0ff) === 0x2d30302d &&
    ((md + 0x00060600) & 0xfff0f0ff) === 0x2d30302d &&
    (d & 0xf0f0) === 0x3030 &&
    ((d + 0x0606) & 0xf0f0) === 0x3030
  );
}

/** Position of the quote closing a quoted value whose text starts at `i` (the line was checked to close it). */
function closingQuote(buf: Buffer, i: number, stop: number): number {
  for (; i < stop; i++) {
    if (buf[i] !== QUOTE) continue;
    if (i + 1 < stop && buf[i + 1] === QUOTE) i++;
    else return i;
  }
  return stop;
}

/** An ASCII digit (a byte below '0' wraps around to a large number). */
const digit = (b: number) => (b - ZERO) >>> 0 <= 9;

/** YYYY-MM-DD (unrolled: it runs for every date of every line). */
function isDate(buf: Buffer, from: number, to: number): boolean {
  return (
    to - from === 10 &&
    buf[from + 4] === MINUS &&
    buf[from + 7] === MINUS &&
    digit(buf[from]!) &&
    digit(buf[from + 1]!) &&
    digit(buf[from + 2]!) &&
    digit(buf[from + 3]!) &&
    digit(buf[from + 5]!) &&
    digit(buf[from + 6]!) &&
    digit(buf[from + 8]!) &&
    digit(buf[from + 9]!)
  );
}

/** `-?[0-9]{1,16}(\.[0-9]{1,2})?` */
function isMoney(buf: Buffer, from: number, to: number): boolean {
  let j = from;
  if (buf[j] === MINUS) j++;
  const intFrom = j;
  while (j < to && digit(buf[j]!)) j++;
  const intDigits = j - intFrom;
  if (intDigits < 1 || intDigits > 16) return false;
  if (j === to) return true;
  if (buf[j] !== DOT) return false;
  const decimals = to - j - 1;
  if (decimals < 1 || decimals > 2) return false;
  for (j++; j < to; j++) if (!digit(buf[j]!)) return false;
  return true;
}
