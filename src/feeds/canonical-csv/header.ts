import { open } from 'node:fs/promises';

/** Longest header we look for; a canonical header is a few hundred bytes. */
const MAX_HEADER_BYTES = 64 * 1024;

export type HeaderResult =
  | { kind: 'empty' }
  | { kind: 'no-header'; reason: string }
  | { kind: 'ok'; names: string[]; raw: string };

/**
 * Reads and splits the first line of a canonical CSV. DuckDB's `read_csv` with an explicit column list
 * skips the header without checking it, so the names are checked here; the data rows never are.
 */
export async function readHeader(file: string): Promise<HeaderResult> {
  const fh = await open(file, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, MAX_HEADER_BYTES, 0);
    text = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') return { kind: 'empty' };
  const nl = text.indexOf('\n');
  if (nl < 0 && text.length >= MAX_HEADER_BYTES) {
    return { kind: 'no-header', reason: `no line break in the first ${MAX_HEADER_BYTES} bytes: not a CSV header` };
  }
  const raw = (nl < 0 ? text : text.slice(0, nl)).replace(/^\uFEFF/, '').replace(/\r$/, '');
  return { kind: 'ok', names: splitCsvLine(raw).map((n) => n.trim()), raw };
}

/** RFC 4180 split of one line (quotes doubled inside quoted fields). */
export function splitCsvLine(line: string, delim = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
