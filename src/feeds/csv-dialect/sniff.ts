import { DELIMITERS } from '../mapping/dialect-options.js';
import { LineSplitter, RecordReader, isBlankRecord, type CsvRecord } from './records.js';

/**
 * Guesses about a CSV file made from its first bytes. Every guess is reported back (`notes`) so the
 * user sees what was assumed, and a guess that cannot be made safely is an error naming the setting
 * that resolves it.
 */

export type Encoding = 'utf-8' | 'windows-1252' | 'latin1' | 'utf-16le' | 'utf-16be';

export class DialectError extends Error {}

export interface EncodingGuess {
  encoding: Encoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  note: string;
}

export function detectEncoding(sample: Uint8Array, requested: 'auto' | Encoding): EncodingGuess {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
    if (requested !== 'auto' && requested !== 'utf-8') {
      throw new DialectError(`the file starts with a UTF-8 byte-order mark but the mapping says encoding ${requested}`);
    }
    return { encoding: 'utf-8', bomLength: 3, note: 'encoding utf-8 (byte-order mark)' };
  }
  if (sample[0] === 0xff && sample[1] === 0xfe) {
    return { encoding: 'utf-16le', bomLength: 2, note: 'encoding utf-16le (byte-order mark): converted to UTF-8' };
  }
  if (sample[0] === 0xfe && sample[1] === 0xff) {
    return { encoding: 'utf-16be', bomLength: 2, note: 'encoding utf-16be (byte-order mark): converted to UTF-8' };
  }
  if (requested !== 'utf-16le' && requested !== 'utf-16be') {
    // UTF-16 without a byte-order mark (or a binary file): every other byte of ASCII text is NUL.
    const nul = sample.indexOf(0);
    if (nul >= 0) {
      throw new DialectError(
        `byte ${nul} is NUL: this is UTF-16 without a byte-order mark or not a text file; save it as UTF-8 (or set source.encoding utf-16le)`,
      );
    }
  }
  if (requested !== 'auto') return { encoding: requested, bomLength: 0, note: `encoding ${requested} (set)` };
  try {
    // stream:true tolerates a multi-byte character cut off at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return { encoding: 'utf-8', bomLength: 0, note: 'encoding utf-8 (guessed: the first bytes are valid UTF-8)' };
  } catch {
    const at = firstInvalidUtf8(sample);
    return {
      encoding: 'windows-1252',
      bomLength: 0,
      note: `encoding windows-1252 (guessed: byte 0x${sample[at]?.toString(16)} at offset ${at} is not UTF-8)`,
    };
  }
}

/** Offset of the first byte that cannot start or continue a UTF-8 sequence (a cut-off end is fine). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    const follow = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (follow < 0) return i;
    for (let k = 1; k <= follow; k++) {
      if (i + k >= bytes.length) return bytes.length;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += follow + 1;
  }
  return bytes.length;
}

/** TextDecoder label for an encoding; Node's full ICU decodes windows-1252 (€ at 0x80) natively. */
export function decoderFor(encoding: Encoding, fatal = encoding === 'utf-8'): InstanceType<typeof globalThis.TextDecoder> {
  return new TextDecoder(encoding === 'latin1' ? 'iso-8859-1' : encoding, { fatal: fatal && encoding === 'utf-8' });
}

function sampleRecords(text: string, delimiter: string, headerRow: number, max: number): CsvRecord[] {
  const out: CsvRecord[] = [];
  const reader = new RecordReader(delimiter, (e) => {
    if (e.kind !== 'record') return;
    const r = e.record;
    if (out.length < max && r.line >= headerRow && !isBlankRecord(r.text, delimiter)) out.push(r);
  });
  // The sample may end mid-line: only lines closed by a line break count (no end()).
  new LineSplitter(!text.includes('\n') && text.includes('\r')).push(text, (t, line) => reader.push(t, line));
  return out;
}

/**
 * Picks the delimiter under which the header has more than one column and the following records have
 * the same number of fields as the header. Two delimiters that both fit perfectly are ambiguous.
 */
export function sniffDelimiter(sampleText: string, headerRow: number): { delimiter: string; note: string } {
  const scored = DELIMITERS.map((d) => {
    const recs = sampleRecords(sampleText, d, headerRow, 50);
    const header = recs[0];
    if (!header || header.fields.length < 2) return { d, score: 0, cols: 0 };
    const rows = recs.slice(1);
    const consistent = rows.length === 0 ? 1 : rows.filter((r) => r.fields.length === header.fields.length).length / rows.length;
    return { d, score: consistent, cols: header.fields.length };
  }).sort((a, b) => b.score - a.score || b.cols - a.cols);
  const [best, second] = scored;
  const show = (d: string) => (d === '\t' ? 'tab' : `"${d}"`);
  if (!best || best.score === 0) {
    throw new DialectError('could not find the delimiter: no candidate (; , tab |) gives a header with more than one column');
  }
  if (second && second.score === best.score && second.cols === best.cols) {
    throw new DialectError(
      `ambiguous delimiter: both ${show(best.d)} and ${show(second.d)} split the header into ${best.cols} columns; set source.delimiter`,
    );
  }
  if (best.score < 0.5) {
    throw new DialectError(`could not find the delimiter: with ${show(best.d)} only ${Math.round(best.score * 100)}% of the first rows match the header; set source.delimiter`);
  }
  return { delimiter: best.d, note: `delimiter ${show(best.d)} (guessed from the first rows)` };
}
