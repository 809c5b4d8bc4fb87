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

  /** One data line, [start, stop) of `buf` without its line break; `quoted`: it holds a quote. */
  line(buf: Buffer, start: number, stop: number, quoted: boolean): void {
    const formsLeft = this.watchesForms && this.formsPlain;
    if (!this.keysOk && !formsLeft) return;
    const at = this.at;
    const roles = this.roles;
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x9747b28c | 0;
    let n = 0;
    let i = start;
    let col = 0;
    for (let k = 0; k < at.length; k++) {
      const want = at[k]!;
      // Skip to the field (a comma inside quotes is not a field break).
      while (col < want) {
        if (i >= stop) return this.short();
        const b = buf[i++]!;
        if (b === COMMA) col++;
        else if (b === QUOTE && quoted) i = closingQuote(buf, i, stop) + 1;
      }
      const role = roles[k]!;
      let from = i;
      let to: number;
      let escaped = false;
      // Whether the value's form is still to be checked.
      let check = formsLeft && (role & (DATE | MONEY)) !== 0;
      if (quoted && i < stop && buf[i] === QUOTE) {
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
