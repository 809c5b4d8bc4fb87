import { createReadStream } from 'node:fs';

/**
 * A CSV file as pieces of about `size` characters, each ending at the end of a record: a line break
 * outside quotes (RFC 4180 doubles a quote inside a quoted field, so an even number of quotes before a
 * line break means it is not inside one). The credit-report feed parses and validates piece by piece,
 * so its memory follows the piece (`size` plus at most one read of `readSize`), not the file: a 4M-invoice ledger's 1.6M reports held as records
 * at once took 4.8 GB of RSS, and a file past V8's longest string (about 512 MB) could not be read.
 */
export async function* csvTextChunks(path: string, size = 1 << 20, readSize = 1 << 18): AsyncGenerator<string> {
  let carry = '';
  // Quote parity of carry[0, scanned): only the new part of each read is scanned.
  let scanned = 0;
  let inQuotes = false;
  let cut = -1;
  for await (const part of createReadStream(path, { encoding: 'utf8', highWaterMark: readSize }) as AsyncIterable<string>) {
    carry += part;
    for (let i = scanned; i < carry.length; i++) {
      const c = carry.charCodeAt(i);
      if (c === 34) inQuotes = !inQuotes;
      else if (c === 10 && !inQuotes) cut = i;
    }
    scanned = carry.length;
    if (carry.length >= size && cut >= 0) {
      yield carry.slice(0, cut + 1);
      carry = carry.slice(cut + 1);
      scanned = carry.length;
      // The rest starts after a line break outside quotes: rescan it from a clean state next time.
      inQuotes = false;
      cut = -1;
      for (let i = 0; i < carry.length; i++) {
        const c = carry.charCodeAt(i);
        if (c === 34) inQuotes = !inQuotes;
        else if (c === 10 && !inQuotes) cut = i;
      }
    }
  }
  if (carry.length > 0) yield carry;
}

/** The first line of a file (its CSV header), from at most its first `limit` bytes. */
export async function firstText(path: string, limit = 1 << 16): Promise<string> {
  let text = '';
  for await (const part of createReadStream(path, { encoding: 'utf8', start: 0, end: limit - 1 }) as AsyncIterable<string>) text += part;
  return text;
}
