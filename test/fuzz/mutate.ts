import { Rng } from '../../src/generator/random.js';

/**
 * Seeded mutators of the files users hand over: each takes a seed file and returns a damaged copy,
 * the way real exports get damaged (stray quotes, cut-off lines, concatenated exports with other line
 * endings, bad bytes, a re-save in UTF-16, hostile values), plus blind byte flips. The same seed
 * always gives the same file, so a failure is reproducible from (path, seed, case).
 */

export { Rng };

const HOSTILE_VALUES = [
  '"',
  '""',
  '"x',
  'x"',
  'Monitor 27"',
  '"a""b"',
  '',
  ' ',
  'infinity',
  '-infinity',
  'epoch',
  '0000-01-01',
  '9999-12-31',
  '2024-02-30',
  '1e309',
  '-0',
  '99999999999999999999.99',
  '12.345',
  'NaN',
  'NULL',
  '€ 1.234,56',
  '\t',
  '😀',
  'a\rb',
  '=cmd|\'/c calc\'!A1',
  '<script>',
  "'; DROP TABLE invoices; --",
];

type TextMutator = (text: string, rng: Rng, delim: string) => string;

const lines = (t: string) => t.split('\n');

function randomLineIndex(ls: string[], rng: Rng): number {
  return rng.int(0, Math.max(0, ls.length - 1));
}

const TEXT_MUTATORS: Record<string, TextMutator> = {
  quoteAtFieldStart: (t, rng, d) => {
    const ls = lines(t);
    const i = randomLineIndex(ls, rng);
    const fields = ls[i]!.split(d);
    const f = rng.int(0, fields.length - 1);
    fields[f] = `"${fields[f]}`;
    ls[i] = fields.join(d);
    return ls.join('\n');
  },
  quoteInsideValue: (t, rng) => {
    const at = rng.int(0, t.length);
    return `${t.slice(0, at)}"${t.slice(at)}`;
  },
  cutOff: (t, rng) => t.slice(0, rng.int(Math.floor(t.length / 3), t.length)),
  deleteRange: (t, rng) => {
    const a = rng.int(0, t.length);
    return t.slice(0, a) + t.slice(Math.min(t.length, a + rng.int(1, 40)));
  },
  duplicateLine: (t, rng) => {
    const ls = lines(t);
    const i = randomLineIndex(ls, rng);
    ls.splice(i, 0, ls[i]!);
    return ls.join('\n');
  },
  swapLines: (t, rng) => {
    const ls = lines(t);
    const a = randomLineIndex(ls, rng);
    const b = randomLineIndex(ls, rng);
    [ls[a], ls[b]] = [ls[b]!, ls[a]!];
    return ls.join('\n');
  },
  strayCr: (t, rng) => {
    const at = rng.int(0, t.length);
    return `${t.slice(0, at)}\r${t.slice(at)}`;
  },
  crlf: (t) => t.replace(/\n/g, '\r\n'),
  crOnly: (t) => t.replace(/\r?\n/g, '\r'),
  concatenatedExports: (t) => `${t.replace(/\n/g, '\r\n')}${t.endsWith('\n') ? '' : '\r\n'}${t.split('\n').slice(1).join('\n')}`,
  extraDelimiter: (t, rng, d) => {
    const ls = lines(t);
    const i = randomLineIndex(ls, rng);
    const at = rng.int(0, ls[i]!.length);
    ls[i] = ls[i]!.slice(0, at) + d + ls[i]!.slice(at);
    return ls.join('\n');
  },
  dropDelimiter: (t, rng, d) => {
    const ls = lines(t);
    const i = randomLineIndex(ls, rng);
    ls[i] = ls[i]!.replace(d, '');
    return ls.join('\n');
  },
  blankLines: (t, rng, d) => {
    const ls = lines(t);
    ls.splice(randomLineIndex(ls, rng), 0, rng.pick(['', '   ', d.repeat(5), '""']));
    return ls.join('\n');
  },
  hostileValue: (t, rng, d) => {
    const ls = lines(t);
    const i = rng.int(Math.min(1, ls.length - 1), Math.max(0, ls.length - 1));
    const fields = ls[i]!.split(d);
    fields[rng.int(0, fields.length - 1)] = rng.pick(HOSTILE_VALUES);
    ls[i] = fields.join(d);
    return ls.join('\n');
  },
  longValue: (t, rng, d) => {
    const ls = lines(t);
    const i = randomLineIndex(ls, rng);
    const fields = ls[i]!.split(d);
    fields[rng.int(0, fields.length - 1)] = 'x'.repeat(rng.int(1_000, 70_000));
    ls[i] = fields.join(d);
    return ls.join('\n');
  },
  headerTwice: (t, rng) => {
    const ls = lines(t);
    ls.splice(rng.int(1, Math.max(1, ls.length - 1)), 0, ls[0]!);
    return ls.join('\n');
  },
  noTrailingNewline: (t) => t.replace(/\n+$/, ''),
  manyNewlines: (t) => `${t}\n\n\n\n`,
};

type ByteMutator = (b: Buffer, rng: Rng) => Buffer;

const BYTE_MUTATORS: Record<string, ByteMutator> = {
  invalidUtf8: (b, rng) => {
    const at = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from([rng.pick([0xff, 0xc3, 0x80, 0xe9, 0xfe])]), b.subarray(at)]);
  },
  nulByte: (b, rng) => {
    const at = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from([0]), b.subarray(at)]);
  },
  utf8Bom: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
  utf16le: (b) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('utf8'), 'utf16le')]),
  utf16NoBom: (b) => Buffer.from(b.toString('utf8'), 'utf16le'),
  byteFlips: (b, rng) => {
    const out = Buffer.from(b);
    const n = rng.int(1, 8);
    for (let i = 0; i < n && out.length; i++) out[rng.int(0, out.length - 1)] = rng.int(0, 255);
    return out;
  },
  empty: () => Buffer.alloc(0),
};

export interface Mutation {
  bytes: Buffer;
  applied: string[];
}

/** 1-3 mutations of a text file: mostly textual (kept valid UTF-8), sometimes byte-level. */
export function mutateText(seed: string, rng: Rng, delimiter: string, encoding: BufferEncoding = 'utf8'): Mutation {
  const applied: string[] = [];
  let text = seed;
  const n = rng.int(1, 3);
  const names = Object.keys(TEXT_MUTATORS);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(names);
    applied.push(name);
    text = TEXT_MUTATORS[name]!(text, rng, delimiter);
  }
  let bytes: Buffer = Buffer.from(text, encoding);
  if (rng.chance(0.2)) {
    const name = rng.pick(Object.keys(BYTE_MUTATORS));
    applied.push(name);
    bytes = BYTE_MUTATORS[name]!(bytes, rng);
  }
  return { bytes, applied };
}

/** Mutations for structured text (XML, JSON): a character-level damage or a byte-level one. */
export function mutateStructured(seed: string, rng: Rng): Mutation {
  const applied: string[] = [];
  let text = seed;
  const ops: Record<string, () => void> = {
    deleteRange: () => (text = TEXT_MUTATORS.deleteRange!(text, rng, ',')),
    cutOff: () => (text = TEXT_MUTATORS.cutOff!(text, rng, ',')),
    duplicateLine: () => (text = TEXT_MUTATORS.duplicateLine!(text, rng, ',')),
    swapLines: () => (text = TEXT_MUTATORS.swapLines!(text, rng, ',')),
    insertChar: () => {
      const at = rng.int(0, text.length);
      text = text.slice(0, at) + rng.pick(['"', '<', '>', '&', '{', '}', '[', ']', ',', '\\', '\u0000', '&#0;', '&xxe;']) + text.slice(at);
    },
    hostileValue: () => {
      // Replace one string value or element text with a hostile value.
      const m = [...text.matchAll(/>([^<>\n]{1,40})</g), ...text.matchAll(/"([^"\n]{1,40})"/g)];
      if (!m.length) return;
      const hit = rng.pick(m);
      const v = rng.pick(HOSTILE_VALUES).replace(/[<>&]/g, '');
      text = text.slice(0, hit.index! + 1) + v + text.slice(hit.index! + 1 + hit[1]!.length);
    },
    doctype: () => {
      text = text.replace(/^(<\?xml[^>]*>)?/, '$1<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">]>');
    },
  };
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(Object.keys(ops));
    applied.push(name);
    ops[name]!();
  }
  let bytes: Buffer = Buffer.from(text, 'utf8');
  if (rng.chance(0.15)) {
    const name = rng.pick(['invalidUtf8', 'nulByte', 'utf8Bom', 'byteFlips', 'utf16le']);
    applied.push(name);
    bytes = BYTE_MUTATORS[name]!(bytes, rng);
  }
  return { bytes, applied };
}

/** Hostile values in place of 1-4 element texts, the structure left intact (xlsx cells, UBL fields). */
export function mutateValues(seed: string, rng: Rng): Mutation {
  let text = seed;
  const applied: string[] = [];
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const m = [...text.matchAll(/<t>([^<]{0,60})<\/t>/g)];
    if (!m.length) break;
    const hit = rng.pick(m);
    const v = rng.pick(HOSTILE_VALUES).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    applied.push(`value:${JSON.stringify(v).slice(0, 20)}`);
    text = text.slice(0, hit.index! + 3) + v + text.slice(hit.index! + 3 + hit[1]!.length);
  }
  return { bytes: Buffer.from(text, 'utf8'), applied };
}
