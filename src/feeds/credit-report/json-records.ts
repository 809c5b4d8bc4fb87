/**
 * Splits a JSON report file into records without trusting it to be valid as a whole: a single
 * object, a top-level array, or NDJSON (one object per line). Array elements are located by a small
 * scanner (strings, escapes, nesting), so one malformed element is rejected alone with its line number
 * while its neighbours still load.
 */
export interface JsonChunk {
  line: number;
  text: string;
  value?: unknown;
  error?: string;
}

/**
 * Line numbers of offsets asked for in increasing order, counting each character once: asking
 * `lineAt` from the start for every array element made a 10,000-report file take minutes.
 */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    if (offset < at) {
      at = 0;
      line = 1;
    }
    for (let i = text.indexOf('\n', at); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    at = offset;
    return line;
  };
}

/** Malformed elements after which the scanner no longer looks for the next element inside one. */
const MAX_RESYNCS = 1000;

function tryParse(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * Elements of a top-level array as source spans, scanning from `from` (just inside the `[`). An
 * unbalanced element runs to the end; see `resync`.
 */
function arraySpans(text: string, from: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 1;
  let inString = false;
  let start = from;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        spans.push({ start, end: i });
        return spans.filter((s) => text.slice(s.start, s.end).trim() !== '');
      }
    } else if (ch === ',' && depth === 1) {
      spans.push({ start, end: i });
      start = i + 1;
    }
  }
  spans.push({ start, end: text.length });
  return spans.filter((s) => text.slice(s.start, s.end).trim() !== '');
}

/**
 * Where the next element probably starts inside a malformed one: the next line that opens an object
 * at the same indentation as the malformed element did (pretty-printed arrays line elements up).
 */
function resync(text: string, start: number, end: number): number | undefined {
  const open = start + text.slice(start, end).search(/\S/);
  const indent = open - (text.lastIndexOf('\n', open - 1) + 1);
  const re = /\n([ \t]*)\{/g;
  re.lastIndex = open;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    if (m[1]!.length === indent) return m.index + 1;
  }
  return undefined;
}

function arrayChunks(text: string, from: number, lineAt: (offset: number) => number, resyncs = { n: 0 }): JsonChunk[] {
  const out: JsonChunk[] = [];
  for (const { start, end } of arraySpans(text, from)) {
    const lead = text.slice(start, end).search(/\S/);
    const body = text.slice(start, end).trim();
    const chunk = { line: lineAt(start + Math.max(0, lead)), text: body, ...tryParse(body) };
    const next = chunk.error !== undefined && resyncs.n++ < MAX_RESYNCS ? resync(text, start, end) : undefined;
    if (next === undefined) {
      out.push(chunk);
      continue;
    }
    const bad = text.slice(start, next).trim().replace(/,$/, '');
    out.push({ line: chunk.line, text: bad, error: tryParse(bad).error ?? chunk.error });
    for (const c of arrayChunks(text, next, lineAt, resyncs)) out.push(c);
    break;
  }
  return out;
}

export function splitJsonRecords(input: string): { chunks: JsonChunk[]; format: 'object' | 'array' | 'ndjson' | 'empty' } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const first = text.search(/\S/);
  if (first < 0) return { chunks: [], format: 'empty' };

  if (text[first] === '[') {
    return { chunks: arrayChunks(text, first + 1, lineCounter(text)), format: 'array' };
  }

  const whole = tryParse(text);
  if (whole.value !== undefined) return { chunks: [{ line: lineCounter(text)(first), text: text.trim(), value: whole.value }], format: 'object' };

  // NDJSON when the first non-blank line is a complete JSON value on its own.
  const lines = text.split(/\r?\n/);
  const firstLine = lines.findIndex((l) => l.trim() !== '');
  if (tryParse(lines[firstLine]!).value !== undefined) {
    const chunks: JsonChunk[] = [];
    lines.forEach((l, i) => {
      if (l.trim() !== '') chunks.push({ line: i + 1, text: l.trim(), ...tryParse(l) });
    });
    return { chunks, format: 'ndjson' };
  }
  return { chunks: [{ line: lineCounter(text)(first), text: text.trim().slice(0, 2000), error: whole.error }], format: 'object' };
}
