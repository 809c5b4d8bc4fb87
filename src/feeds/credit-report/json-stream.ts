import { createReadStream } from 'node:fs';
import { splitJsonRecords, type JsonChunk } from './json-records.js';

/**
 * A provider JSON file's records (json-records.ts) read a piece at a time, so the credit-report feed's
 * memory follows the piece (about `size` characters), not the file: read whole, a Creditsafe export
 * of a million reports was one string past V8's longest (about 512 MB) before it was a problem of RSS.
 *
 * The records and their line numbers are exactly what splitJsonRecords gives for the whole text:
 *   - a top-level array is cut after an element, at a comma outside strings at depth 1, and each piece
 *     goes through splitJsonRecords as an array of its own (an element that never closes runs to the
 *     end of the file, as it does there);
 *   - NDJSON (the first non-blank line a complete value) is read line by line;
 *   - anything else (one pretty-printed report, or text that is no JSON) is read whole: one report.
 */
export async function* jsonRecordBatches(path: string, size = 1 << 20, readSize = 1 << 18): AsyncGenerator<JsonChunk[]> {
  let buf = '';
  /** File line of buf[0]. */
  let line = 1;
  let mode: 'start' | 'array' | 'ndjson' | 'whole' = 'start';
  let first = true;
  // Array scanning state over buf[0, scanned).
  let scanned = 0;
  let depth = 1;
  let inString = false;
  let escape = false;
  let cut = -1;
  const newlines = (s: string, end: number) => {
    let n = 0;
    for (let i = s.indexOf('\n'); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) n++;
    return n;
  };
  const shift = (chunks: JsonChunk[], by: number) => {
    if (by) for (const c of chunks) c.line += by;
    return chunks;
  };
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: readSize }) as AsyncIterable<string> & { destroy(): void };
  try {
    for await (const part of stream) {
      buf += first && part.charCodeAt(0) === 0xfeff ? part.slice(1) : part;
      first = false;
      if (mode === 'start') {
        const at = buf.search(/\S/);
        if (at < 0) continue;
        if (buf[at] === '[') {
          mode = 'array';
          line += newlines(buf, at);
          buf = buf.slice(at + 1);
        } else {
          const end = buf.indexOf('\n', at);
          if (end < 0) continue;
          let firstLine = buf.slice(at, end);
          if (firstLine.endsWith('\r')) firstLine = firstLine.slice(0, -1);
          mode = parses(firstLine) ? 'ndjson' : 'whole';
        }
      }
      if (mode === 'array') {
        let closed = -1;
        for (let i = scanned; i < buf.length; i++) {
          const c = buf.charCodeAt(i);
          if (inString) {
            if (escape) escape = false;
            else if (c === 92) escape = true;
            else if (c === 34) inString = false;
            continue;
          }
          if (c === 34) inString = true;
          else if (c === 91 || c === 123) depth++;
          else if (c === 93 || c === 125) {
            depth--;
            if (depth === 0) {
              closed = i;
              break;
            }
          } else if (c === 44 && depth === 1) cut = i;
        }
        scanned = buf.length;
        if (closed >= 0) {
          // The array ends here; what follows it is not read (as splitJsonRecords ignores it).
          yield shift(splitJsonRecords(`[${buf.slice(0, closed + 1)}`).chunks, line - 1);
          return;
        }
        if (buf.length >= size && cut >= 0) {
          yield shift(splitJsonRecords(`[${buf.slice(0, cut)}]`).chunks, line - 1);
          line += newlines(buf, cut + 1);
          buf = buf.slice(cut + 1);
          scanned = buf.length;
          cut = -1;
        }
      } else if (mode === 'ndjson') {
        const end = buf.lastIndexOf('\n');
        if (end < 0 || end + 1 < size) continue;
        yield ndjson(buf.slice(0, end), line);
        line += newlines(buf, end + 1);
        buf = buf.slice(end + 1);
      }
    }
  } finally {
    stream.destroy();
  }
  if (mode === 'array') yield shift(splitJsonRecords(`[${buf}`).chunks, line - 1);
  else if (mode === 'ndjson') yield ndjson(buf, line);
  else if (buf.trim() !== '') yield splitJsonRecords(buf).chunks;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** NDJSON lines as splitJsonRecords reads them: one record per non-blank line. */
function ndjson(text: string, firstLine: number): JsonChunk[] {
  const out: JsonChunk[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      out.push({ line: firstLine + i, text: l.trim(), value: JSON.parse(l) });
    } catch (e) {
      out.push({ line: firstLine + i, text: l.trim(), error: (e as Error).message });
    }
  });
  return out;
}
