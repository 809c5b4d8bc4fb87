import type { Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { FieldWatch, type FieldWatchSpec } from './field-watch.js';
import type { KeyHashSet } from './key-set.js';

/**
 * Decides whether a canonical CSV is PLAIN: a file DuckDB's strict reader can read directly, with
 * every physical line one record, so a row's line number is its position plus one (the header is
 * line 1). Plain means: UTF-8 (a UTF-8 byte-order mark allowed), the header on the first line and
 * unquoted, no blank lines (nor lines of only delimiters, blanks and quotes), no NUL byte, line breaks
 * all LF or all CRLF, no line longer than `maxLineBytes`, and quotes only around whole fields with
 * doubled quotes inside, never open across a line break.
 *
 * Such a file needs nothing the normalizing pass (csv-dialect/normalize.ts) does, and that pass costs
 * several times DuckDB's own read. Anything else answers `plain: false` with the first reason, and
 * the converter takes the normalizing path, which handles (and reports) every irregularity. The scan
 * is one tight loop over the bytes, cheap enough to run beside DuckDB's read of the same file.
 */
export type PlainScan =
  | {
      plain: true;
      header: string[];
      bom: boolean;
      dataLines: number;
      physicalLines: number;
      /**
       * With `fields.keyColumns`: true when no two data lines carry the same key (the values DuckDB
       * reads: a quoted field unquoted), proven by 64-bit hashes (key-set.ts); false when not proven
       * (a key repeats, two hashes collide, a key column is missing, more keys than the set holds).
       */
      keysUnique: boolean;
      /** With `fields`: every value of the `forms` columns has its form (field-watch.ts), or is empty. */
      formsPlain: boolean;
    }
  | { plain: false; reason: string };

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/**
 * `hash`: updated with every byte of the file, also past a verdict of not plain (the ingest hashes
 * the file in the same read: one pass instead of two over a file of hundreds of megabytes).
 * `fields`: the table's key and the typed columns' forms, watched on every data line on the way
 * (PlainScan.keysUnique, formsPlain), so proving them costs no pass of its own. `keySet`: the set the
 * keys go to (tests pass a small one).
 */
export async function scanPlainCsv(
  file: string,
  opts: { maxLineBytes: number; signal?: AbortSignal; hash?: Hash; fields?: FieldWatchSpec; keySet?: KeyHashSet },
): Promise<PlainScan> {
  const no = (reason: string): PlainScan => ({ plain: false, reason });
  let lines = 0;
  let crlf: boolean | undefined;
  let header: string | undefined;
  let bom = false;
  let first = true;
  let sawBytes = false;
  // The key and typed columns watched on every data line (field-watch.ts), from the header on.
  let watch: FieldWatch | undefined;

  /**
   * One complete line (without its LF): undefined when plain, else the reason. `cr` and `q`: the
   * buffer's next CR and quote at or after `start` (-1: none), found once per buffer, not per line.
   */
  const line = (buf: Buffer, start: number, end: number, cr: number, q: number): string | undefined => {
    let stop = end;
    if (cr >= 0 && cr < end) {
      if (cr !== end - 1) return 'a CR inside a line';
      stop = end - 1;
    }
    const isCrlf = stop !== end;
    if (crlf === undefined) crlf = isCrlf;
    else if (crlf !== isCrlf) return 'mixed line breaks';
    if (stop - start > opts.maxLineBytes) return 'a line longer than the limit';
    // Blank to the normalizing reader: only delimiters, blanks and quotes. Most lines show at their
    // first byte that they are not.
    const b0 = stop > start ? buf[start]! : COMMA;
    if (b0 === COMMA || b0 === SPACE || b0 === TAB || b0 === QUOTE) {
      let blank = true;
      for (let i = start; i < stop && blank; i++) {
        const b = buf[i]!;
        blank = b === COMMA || b === SPACE || b === TAB || b === QUOTE;
      }
      if (blank) return lines === 0 ? 'no header on the first line' : 'a blank line';
    }
    if (q >= 0 && q < stop) {
      if (lines === 0) return 'a quoted header';
      // Quotes only around whole fields, doubled inside, closed before the line ends.
      let quoted = false;
      let fieldStart = true;
      for (let i = start; i < stop; i++) {
        const b = buf[i]!;
        if (quoted) {
          if (b !== QUOTE) continue;
          if (buf[i + 1] === QUOTE && i + 1 < stop) {
            i++;
            continue;
          }
          quoted = false;
          if (i + 1 < stop && buf[i + 1] !== COMMA) return 'text after a closing quote';
          continue;
        }
        if (b === QUOTE) {
          if (!fieldStart) return 'a quote inside an unquoted value';
          quoted = true;
        }
        fieldStart = b === COMMA;
      }
      if (quoted) return 'a quoted value spanning lines';
    }
    if (lines === 0) {
      header = buf.toString('utf8', start, stop);
      if (opts.fields) watch = new FieldWatch(header.split(',').map((h) => h.trim()), opts.fields, opts.keySet);
    } else watch?.line(buf, start, stop, q >= 0 && q < stop);
    lines++;
    return undefined;
  };

  // One buffer for the whole file, the incomplete last line of each read moved to its front: a
  // stream allocated a fresh megabyte per read and the carry was concatenated onto every chunk
  // (about half the scan's CPU time on a 271 MB file).
  const size = CHUNK + opts.maxLineBytes + 2;
  const buf = Buffer.allocUnsafe(size);
  let carried = 0;
  let verdict: PlainScan | undefined;
  const fh = await open(file, 'r');
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, carried, Math.min(CHUNK, size - carried), null);
      if (bytesRead === 0) break;
      opts.hash?.update(buf.subarray(carried, carried + bytesRead));
      if (verdict) {
        // Not plain: the rest of the file is only hashed.
        continue;
      }
      let from = 0;
      if (first) {
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf && bytesRead >= 3) {
          bom = true;
          from = 3;
        }
      }
      const end = carried + bytesRead;
      if (end > from) sawBytes = true;
      const view = buf.subarray(0, end);
      const lastLf = view.lastIndexOf(LF);
      if (lastLf < from) {
        if (end - from > opts.maxLineBytes + 1) verdict = no('a line longer than the limit');
        else carried = from === 0 ? end : (buf.copyWithin(0, from, end), end - from);
        continue;
      }
      const complete = view.subarray(from, lastLf + 1);
      // A character is never cut at a LF: the complete lines are checked whole.
      if (!isUtf8(complete)) verdict = no('bytes that are not UTF-8');
      else if (complete.includes(0)) verdict = no('a NUL byte');
      else {
        let cr = view.indexOf(CR, from);
        let q = view.indexOf(QUOTE, from);
        for (let start = from; start <= lastLf; ) {
          const stop = view.indexOf(LF, start);
          if (cr >= 0 && cr < start) cr = view.indexOf(CR, start);
          if (q >= 0 && q < start) q = view.indexOf(QUOTE, start);
          const why = line(view, start, stop, cr, q);
          if (why) {
            verdict = no(why);
            break;
          }
          start = stop + 1;
        }
      }
      if (verdict) continue;
      carried = end - (lastLf + 1);
      if (carried > opts.maxLineBytes + 1) verdict = no('a line longer than the limit');
      else if (carried) buf.copyWithin(0, lastLf + 1, end);
    }
  } finally {
    await fh.close();
  }
  if (verdict) return verdict;
  // The last line's bytes, then a LF past them that is no part of the file: the field walk
  // (field-watch.ts) ends every line at its line break.
  const carry = carried ? buf.subarray(0, carried) : undefined;
  if (carried) buf[carried] = LF;
  if (!sawBytes) return no('an empty file');
  if (carry?.length) {
    // A last line without a line break.
    if (!isUtf8(carry)) return no('bytes that are not UTF-8');
    if (carry.includes(0)) return no('a NUL byte');
    if (carry[carry.length - 1] === CR) return no('a CR that does not end a line');
    if (crlf === true) return no('mixed line breaks');
    const why = line(buf.subarray(0, carried + 1), 0, carried, carry.indexOf(CR), carry.indexOf(QUOTE));
    if (why) return no(why);
  }
  if (header === undefined) return no('no header line');
  return {
    plain: true,
    header: header.split(',').map((h) => h.trim()),
    bom,
    dataLines: lines - 1,
    physicalLines: lines,
    keysUnique: watch?.keysUnique(lines - 1) ?? false,
    // Without `fields` nothing was watched, so nothing is proven.
    formsPlain: watch?.formsPlain ?? false,
  };
}

/**
 * The header of a file whose first line could be a plain header (UTF-8, no quotes, no NUL, a LF
 * within `maxLineBytes`): its fields, trimmed. Undefined when the normalizing path must read it.
 */
export async function readPlainHeader(file: string, maxLineBytes: number): Promise<string[] | undefined> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(maxLineBytes + 4, 1 << 16));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let bytes = buf.subarray(0, bytesRead);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    let end = bytes.indexOf(LF);
    if (end < 0) return undefined;
    if (end > 0 && bytes[end - 1] === CR) end--;
    const line = bytes.subarray(0, end);
    if (line.includes(QUOTE) || line.includes(0) || line.includes(CR) || !isUtf8(line)) return undefined;
    const fields = line.toString('utf8').split(',').map((h) => h.trim());
    return fields.every((f) => f === '') ? undefined : fields;
  } finally {
    await fh.close();
  }
}
