import { DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertCsv, convertInstance, plainScanFields } from '../../src/feeds/canonical-csv/convert.js';
import { FieldWatch } from '../../src/feeds/canonical-csv/field-watch.js';
import { KeyHashSet } from '../../src/feeds/canonical-csv/key-set.js';
import { scanPlainCsv } from '../../src/feeds/canonical-csv/plain-scan.js';
import { collectionActions, invoices } from '../../src/schema/index.js';
import type { PriorBatch } from '../../src/feeds/prior-versions.js';

// Issue 16 item 4: a plain canonical CSV is staged by DuckDB straight from the file (no normalizing
// pass); anything else must still take the normalizing path, and both must quarantine the same rows
// with the same file lines.
const dir = mkdtempSync(join(tmpdir(), 'plain-csv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string | Buffer) => {
  const p = join(dir, `f${++n}.csv`);
  writeFileSync(p, text);
  return p;
};
const scan = (text: string | Buffer) => scanPlainCsv(file(text), { maxLineBytes: 1 << 20 });

describe('scanPlainCsv', () => {
  it.each([
    ['LF lines', 'a,b\n1,2\n3,4\n', 2],
    ['CRLF lines', 'a,b\r\n1,2\r\n3,4\r\n', 2],
    ['no line break at the end', 'a,b\n1,2\n3,4', 2],
    ['a UTF-8 byte-order mark and accents', '\uFEFFa,b\n1,Café\n', 1],
    ['quoted fields with commas and doubled quotes', 'a,b\n"x, y","say ""hi"""\n"",2\n', 2],
  ])('takes %s as plain', async (_what, text, rows) => {
    const r = await scan(text);
    expect(r).toMatchObject({ plain: true, header: ['a', 'b'], dataLines: rows, physicalLines: rows + 1 });
  });

  it.each([
    ['a blank line', 'a,b\n1,2\n\n3,4\n'],
    ['a line of only delimiters', 'a,b\n1,2\n,\n'],
    ['a quoted value spanning lines', 'a,b\n"x\ny",2\n'],
    ['a quote inside an unquoted value', 'a,b\nx"y,2\n'],
    ['text after a closing quote', 'a,b\n"x"y,2\n'],
    ['mixed line breaks', 'a,b\r\n1,2\n'],
    ['a CR inside a line', 'a,b\n1\r2,3\n'],
    ['a quoted header', '"a",b\n1,2\n'],
    ['an empty file', ''],
    ['a header only, blank', '\n1,2\n'],
  ])('sends %s to the normalizing path', async (_what, text) => {
    expect((await scan(text)).plain).toBe(false);
  });

  it('sends bytes that are not UTF-8 and NUL bytes to the normalizing path', async () => {
    expect((await scan(Buffer.from([...Buffer.from('a,b\n1,'), 0xff, 0x0a]))).plain).toBe(false);
    expect((await scan(Buffer.from([...Buffer.from('a,b\n1,'), 0x00, 0x0a]))).plain).toBe(false);
  });

  it('hashes every byte of the file in the same read, also past a verdict of not plain', async () => {
    const line = 'INV0000001,C1,invoice,2024-01-02,2024-02-01,EUR,10.00\n';
    const body = line.repeat(Math.ceil((3 << 20) / line.length));
    for (const text of [`\uFEFFh1,h2\n${body}`, `h1,h2\n1,2\n\n${body}`, `h1,h2\n${body}x`, 'h1,h2', '']) {
      const p = file(text);
      const hash = createHash('sha256');
      const r = await scanPlainCsv(p, { maxLineBytes: 1 << 20, hash });
      expect(hash.digest('hex')).toBe(createHash('sha256').update(readFileSync(p)).digest('hex'));
      expect(r.plain).toBe((await scanPlainCsv(p, { maxLineBytes: 1 << 20 })).plain);
    }
  });

  it('proves keys distinct by the values DuckDB reads, and typed values in their forms', async () => {
    const fields = { keyColumns: ['a', 'c'], forms: { d: 'date', m: 'money' } } as const;
    const watched = (text: string, keySet?: KeyHashSet) => scanPlainCsv(file(text), { maxLineBytes: 1 << 20, fields, keySet });
    const h = 'a,b,c,d,m\n';
    expect(await watched(`${h}x,1,y,2024-01-02,-12.50\nx,2,z,,7\n"x,y",3,z,2024-12-31,0.5\n`)).toMatchObject({ plain: true, keysUnique: true, formsPlain: true });
    // The key's columns are two fields apart: ("ab", "c") is not ("a", "bc").
    expect(await watched(`${h}ab,1,c,,\na,1,bc,,\n`)).toMatchObject({ plain: true, keysUnique: true });
    // Quoted or not, with a comma or a doubled quote inside, a value is the same key.
    expect(await watched(`${h}x,1,y,,\n"x",2,y,,\n`)).toMatchObject({ plain: true, keysUnique: false });
    expect(await watched(`${h}"x,""q""",1,y,,\n"x,""q""",2,"y",,\n`)).toMatchObject({ plain: true, keysUnique: false });
    expect(await watched(`${h}"x,""q""",1,y,,\n"x,""q",2,y,,\n`)).toMatchObject({ plain: true, keysUnique: true });
    // Commas inside quotes before the key are no field breaks.
    expect(await watched(`b,x,a,c\n"1,2",",",k,1\n"1,2",",",k,1\n`)).toMatchObject({ plain: true, keysUnique: false });
    expect(await watched(`b,x,a,c\n"1,2",",",k,1\n"1,2",",",k,2\n`)).toMatchObject({ plain: true, keysUnique: true });
    // A short line proves nothing.
    expect(await watched(`${h}x,1\n`)).toMatchObject({ plain: true, keysUnique: false, formsPlain: false });
    // Forms DuckDB's own readers take (or round), but canonical CSV does not.
    for (const bad of ['2024/01/02', '2024-1-2', ' 2024-01-02', '2024-01-02 10:00', 'epoch', '2024-01-0x']) {
      expect(await watched(`${h}x,1,y,${bad},1.00\n`)).toMatchObject({ plain: true, formsPlain: false });
    }
    for (const bad of ['12.345', '+1', '1e3', ' 1', '1.', '.5', '12345678901234567', '--1', '"1,5"']) {
      expect(await watched(`${h}x,1,y,2024-01-02,${bad}\n`)).toMatchObject({ plain: true, formsPlain: false });
    }
    expect(await watched(`${h}x,1,y,"2024-01-02","1234567890123456.99"\n`)).toMatchObject({ plain: true, formsPlain: true });
    // A set too small for the file gives up: not proven.
    expect(await watched(`${h}1,,1,,\n2,,2,,\n3,,3,,\n`, new KeyHashSet(2))).toMatchObject({ plain: true, keysUnique: false, formsPlain: true });
    // Without fields to watch, nothing is proven.
    expect(await scan(`${h}x,1,y,2024-01-02,1.00\n`)).toMatchObject({ plain: true, keysUnique: false, formsPlain: false });
  });

  it('reads a line without quotes four bytes at a time with the verdicts and key hashes of the byte-by-byte reading', () => {
    // The walk of a line without quotes (FieldWatch.plainLine) against the reading of the same line
    // with one value quoted (quotedLine, byte by byte) and against the forms written as patterns:
    // values with bytes below a comma (blanks, tabs, ! # $ % & ( ) * +), non-ASCII text, values
    // ending at any offset within a word, the line's end at the buffer's end.
    class Recorded extends KeyHashSet {
      keys: string[] = [];
      override add(h1: number, h2: number): boolean {
        this.keys.push(`${h1}:${h2}`);
        return super.add(h1, h2);
      }
    }
    let seed = 7;
    const rand = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
    const pick = <T,>(xs: readonly T[]) => xs[rand(xs.length)]!;
    const text = () => Array.from({ length: rand(10) }, () => pick([...'abcXYZ019 \t!#$%&()*+-./é€'])).join('');
    const dates = ['2024-01-02', '1999-12-31', '', '2024-1-02', '2024/01/02', ' 2024-01-02', '2024-01-02 ', '2024-01-0x', '20240-01-02', 'é024-01-02', '2024-01-:2', '2024-0/-02', '2024x01-02', '2024-01x02', '202--01-02', '2024-01-02x'];
    const amounts = ['1.00', '-12.5', '0', '1234567890123456.99', '', '12.345', '+1', '1e3', ' 1', '1.', '.5', '12345678901234567', '--1', '1.0.0'];
    const dateForm = /^(\d{4}-\d{2}-\d{2})?$/;
    const moneyForm = /^(-?\d{1,16}(\.\d{1,2})?)?$/;
    const header = ['k', 'x', 'd', 'm', 'y', 'z'];
    const spec = { keyColumns: ['k', 'y'], forms: { d: 'date', m: 'money' } } as const;
    const read = (line: string, quoted: boolean) => {
      const keys = new Recorded();
      const w = new FieldWatch(header, spec, keys);
      // The line alone in its buffer with its LF: a word read near the end must not run past it.
      const buf = Buffer.from(`${line}\n`);
      w.line(buf, 0, buf.length - 1, quoted);
      return { forms: w.formsPlain, keys: keys.keys };
    };
    for (let i = 0; i < 3000; i++) {
      const v = [text(), text(), pick(dates), pick(amounts), text(), text()];
      // Some lines end early (a short line proves nothing).
      const line = v.slice(0, i % 50 === 0 ? 1 + rand(5) : 6).join(',');
      const plain = read(line, false);
      const quoted = read(line.replace(/^([^,]*),([^,]*)/, '$1,"$2"'), true);
      expect(plain, line).toEqual(quoted);
      if (line.split(',').length === 6) expect(plain.forms, line).toBe(dateForm.test(v[2]!) && moneyForm.test(v[3]!));
    }
  });

  it('gives the verdicts of a straightforward reading on random files (quotes, CRLF, line breaks in quotes, chunk cuts)', async () => {
    // The scan (chunked reads, one indexOf per line, the field walk, key hashes) against the rules read
    // off whole lines of the decoded text, on random files with quoted values (commas and doubled
    // quotes inside), LF or CRLF, a byte-order mark or not, and at most one defect each: every shape
    // that makes a file not plain, a repeated key, a date or amount out of its form. A few are larger
    // than a read (1 MB), so lines are cut between chunks. (Checked by breaking the scan's checks one
    // at a time: mixed breaks, a quote inside a value, a CR inside a line, a blank line, a short line,
    // a date's end, 16 integer digits: each fails this test.)
    let seed = 11;
    const rand = (k: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
    const pick = <T,>(xs: readonly T[]) => xs[rand(xs.length)]!;
    const fields = { keyColumns: ['k'], forms: { d: 'date', m: 'money' } } as const;
    // A column nobody watches between the key and the typed ones: the walk skips it.
    const header = ['k', 'x', 'd', 'm'];
    // Each file has at most one defect, at a random line (past the first megabyte in the large ones).
    const DEFECTS = ['none', 'none', 'none', 'blank', 'delimiters', 'short', 'cr', 'quoteInside', 'afterQuote', 'newlineInQuotes', 'mixed', 'lastCr', 'quotedHeader', 'repeatKey', 'badDate', 'badAmount', 'noFinalBreak'] as const;
    const value = (col: string, i: number): string => {
      const v = col === 'k' ? `K${i}` : col === 'd' ? pick(['2024-01-02', '1999-12-31', '']) : col === 'm' ? pick(['1.00', '-12.5', '', '7']) : pick(['a', 'b c', '', 'é', 'x\ty', '!#']);
      const r = rand(12);
      if (r === 0) return `"${v}"`;
      // Dates and amounts keep their form: only a defect line breaks it.
      if (col === 'd' || col === 'm') return v;
      if (r === 1) return `"${v},${v}"`;
      if (r === 2) return `"${v}""q"""`;
      return v;
    };
    const makeFile = (rows: number, defect: (typeof DEFECTS)[number], variant: number): string => {
      // Every variant of each defect in turn.
      const cycle = <T,>(xs: readonly T[]) => xs[variant % xs.length]!;
      const crlf = rand(3) === 0;
      const at = 1 + rand(rows);
      const lines = [defect === 'quotedHeader' ? '"k",x,d,m' : header.join(',')];
      for (let i = 1; i <= rows; i++) {
        let line = header.map((c) => value(c, i)).join(',');
        if (i === at) {
          if (defect === 'blank') line = '';
          else if (defect === 'delimiters') line = cycle([',,', ' , ', '""', ',"",']);
          else if (defect === 'short') line = cycle([`K${i}`, `K${i},a`, `K${i},a,2024-01-02`]);
          else if (defect === 'cr') line = `K${i},a\rb,2024-01-02,1.00`;
          else if (defect === 'quoteInside') line = `K${i},${cycle(['x"y', 'x"y"'])},2024-01-02,1.00`;
          else if (defect === 'afterQuote') line = `K${i},"x"y,2024-01-02,1.00`;
          else if (defect === 'newlineInQuotes') line = `K${i},"a\nb",2024-01-02,1.00`;
          else if (defect === 'repeatKey') line = `${cycle(['K1', '"K1"'])},a,2024-01-02,1.00`;
          else if (defect === 'badDate') line = `K${i},a,${cycle(['2024-1-02', ' 2024-01-02', '"2024/01/02"', '2024-01-02 10:00', '2024-01-023'])},1.00`;
          else if (defect === 'badAmount') line = `K${i},a,2024-01-02,${cycle(['12.345', '+1', '"1,5"', '12345678901234567', '1.'])}`;
        }
        lines.push(line);
      }
      const eol = crlf ? '\r\n' : '\n';
      let text = lines.join(eol) + (defect === 'noFinalBreak' ? '' : eol);
      if (defect === 'mixed') text = lines.slice(0, at).join(eol) + (crlf ? '\n' : '\r\n') + lines.slice(at).join(eol) + eol;
      if (defect === 'lastCr') text = `${lines.join(eol)}\r`;
      return rand(8) === 0 ? `\uFEFF${text}` : text;
    };
    const unquote = (f: string) => (f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f);
    const reference = (text: string) => {
      if (text.startsWith('\uFEFF')) text = text.slice(1);
      if (text === '') return { plain: false };
      const parts = text.split('\n');
      const last = parts.pop()!;
      if (last !== '') parts.push(last);
      const endsCr = parts.map((l, i) => l.endsWith('\r') && (i < parts.length - 1 || last === ''));
      if (last !== '' && last.endsWith('\r')) return { plain: false };
      const crlf = endsCr[0];
      if (endsCr.some((c) => c !== crlf)) return { plain: false };
      const lines = parts.map((l, i) => (endsCr[i] ? l.slice(0, -1) : l));
      // One quoted field at a time: quotes around whole fields, doubled inside, closed on the line.
      const field = /^(?:"(?:[^"]|"")*"|[^",]*)(?:,|$)/;
      const splitLine = (l: string): string[] | undefined => {
        const out: string[] = [];
        let rest = l;
        for (;;) {
          const m = field.exec(rest);
          if (!m || (m[0] === '' && rest !== '')) return undefined;
          const f = m[0].endsWith(',') ? m[0].slice(0, -1) : m[0];
          out.push(f);
          rest = rest.slice(m[0].length);
          if (!m[0].endsWith(',')) return rest === '' ? out : undefined;
        }
      };
      const keys = new Set<string>();
      let keysOk = true;
      let formsOk = true;
      for (const [i, l] of lines.entries()) {
        if (l.includes('\r')) return { plain: false };
        if (/^[, \t"]*$/.test(l)) return { plain: false };
        if (i === 0 && l.includes('"')) return { plain: false };
        const f = splitLine(l);
        if (!f) return { plain: false };
        if (i === 0) continue;
        if (f.length < 4) {
          keysOk = formsOk = false;
          continue;
        }
        const [k, d, m] = [unquote(f[0]!), unquote(f[2]!), unquote(f[3]!)];
        if (keys.has(k)) keysOk = false;
        keys.add(k);
        if (!/^(\d{4}-\d{2}-\d{2})?$/.test(d) || !/^(-?\d{1,16}(\.\d{1,2})?)?$/.test(m)) formsOk = false;
      }
      return { plain: true, header, dataLines: lines.length - 1, physicalLines: lines.length, keysUnique: keysOk, formsPlain: formsOk };
    };
    let plainSeen = 0;
    let bigPlain = 0;
    for (let i = 0; i < 200; i++) {
      const big = i % 25 === 24;
      const text = makeFile(big ? 60_000 : 1 + rand(40), i % 100 === 49 ? 'none' : DEFECTS[i % DEFECTS.length]!, Math.floor(i / DEFECTS.length));
      const got = await scanPlainCsv(file(text), { maxLineBytes: 1 << 20, fields });
      const want = reference(text);
      const seen = got.plain ? { plain: true, header: got.header, dataLines: got.dataLines, physicalLines: got.physicalLines, keysUnique: got.keysUnique, formsPlain: got.formsPlain } : { plain: false };
      expect(seen, JSON.stringify(text.slice(0, 400))).toEqual(want);
      if (got.plain) plainSeen++;
      if (got.plain && big) bigPlain++;
    }
    // Both verdicts occur often enough for the comparison to mean something.
    expect(plainSeen).toBeGreaterThan(50);
    expect(plainSeen).toBeLessThan(170);
    expect(bigPlain).toBeGreaterThan(0);
  }, 60_000);

  it('finds a problem past the first megabyte (lines cut between chunks)', async () => {
    const line = 'INV0000001,C1,invoice,2024-01-02,2024-02-01,EUR,10.00\n';
    const body = line.repeat(Math.ceil((3 << 20) / line.length));
    expect(await scan(`h1,h2,h3,h4,h5,h6,h7\n${body}`)).toMatchObject({ plain: true, dataLines: body.length / line.length });
    expect((await scan(`h1,h2,h3,h4,h5,h6,h7\n${body}\n${body}`)).plain).toBe(false);
  });
});

describe('convertCsv takes the same rows and lines on both paths', () => {
  const HEADER = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id';
  const good = (i: number) => `INV${i},C1,invoice,2024-01-02,2024-02-01,EUR,${i}.00,,`;
  const rows = [good(1), 'INV2,C1,invoice,2024-01-02,2024-02-01,EUR,12.345,,', good(3), good(1), '"INV5","C1",invoice,2024-01-02,2024-02-01,EUR,"5.00",,', good(6)];

  async function quarantined(text: string, prior?: PriorBatch[], shared = false, keySet?: KeyHashSet): Promise<{ loaded: number; lines: [number, string][]; normalized: boolean; path?: string }> {
    const scratchDir = join(dir, `s${++n}`);
    const p = file(text);
    // `shared`: the scan the ingest runs (and hashes the file with), handed to the converter; `keySet`:
    // the set its keys go to.
    const scan = shared ? scanPlainCsv(p, { maxLineBytes: 1 << 20, hash: createHash('sha256'), fields: plainScanFields(invoices), keySet }) : undefined;
    const r = await convertCsv({ file: p, table: invoices, scratchDir, outputName: 'batch', prior: Promise.resolve(prior ?? []), scan });
    // The normalizing pass leaves its copy of the file in the scratch folder; the plain path writes none.
    const normalized = existsSync(join(scratchDir, 'batch.normalized.csv'));
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      const q = r.quarantineFile
        ? ((await conn.runAndReadAll(`SELECT line, reason FROM '${r.quarantineFile}' ORDER BY line`)).getRowObjectsJson() as { line: string; reason: string }[])
        : [];
      return { loaded: r.rowsLoaded, lines: q.map((x) => [Number(x.line), x.reason]), normalized, path: r.path };
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  }

  it('takes the same path and quarantine with the scan the ingest shares as with its own', async () => {
    const body = (...extra: string[]) => `${HEADER}\n${[good(1), good(2), good(3), ...extra].join('\n')}\n`;
    for (const text of [
      body(),
      `${HEADER}\n${rows.join('\n')}\n`,
      `${HEADER}\n${rows.slice(0, 2).join('\n')}\n\n${rows.slice(2).join('\n')}\n`,
      body('INV7,C1,invoice,epoch,2024-02-01,EUR,7.00,,'),
      body('"INV8\nX",C1,invoice,2024-01-02,2024-02-01,EUR,8.00,,'),
    ]) {
      expect(await quarantined(text, undefined, true)).toEqual(await quarantined(text));
    }
  });

  it('quarantines by file line on the plain path as on the normalizing one', async () => {
    const plain = await quarantined(`${HEADER}\n${rows.join('\n')}\n`);
    expect(plain).toEqual({ loaded: 4, lines: [[3, 'more than 2 decimals'], [5, 'duplicate key']], normalized: false, path: 'staged' });
    // `epoch` is a date to DuckDB, not to canonical CSV: the plain staging sees it and normalizes instead.
    const epoch = await quarantined(`${HEADER}\n${rows.join('\n')}\nINV7,C1,invoice,epoch,2024-02-01,EUR,7.00,,\n`);
    expect(epoch).toEqual({ loaded: 4, lines: [[3, 'more than 2 decimals'], [5, 'duplicate key'], [8, 'not a valid DATE']], normalized: true, path: 'normalized' });
    // A blank line makes the file not plain; the lines after it keep their numbers.
    const blank = await quarantined(`${HEADER}\n${rows.slice(0, 2).join('\n')}\n\n${rows.slice(2).join('\n')}\n`);
    expect(blank).toEqual({ loaded: 4, lines: [[3, 'more than 2 decimals'], [6, 'duplicate key']], normalized: true, path: 'normalized' });
    // An impossible date DuckDB rejects while reading: normalized, same lines.
    const feb30 = await quarantined(`${HEADER}\n${rows.join('\n')}\nINV7,C1,invoice,2024-02-30,2024-03-01,EUR,7.00,,\n`);
    expect(feb30).toEqual({ loaded: 4, lines: [[3, 'more than 2 decimals'], [5, 'duplicate key'], [8, 'not a valid DATE']], normalized: true, path: 'normalized' });
  });

  // The direct path (one COPY from the file) keeps its output only when nothing needs a quarantine;
  // any row that would be quarantined sends the file to staging, which names it by line.
  it('falls back from the direct path on any row that needs a quarantine, one cause at a time', async () => {
    const clean = [good(1), good(2), good(3)];
    const body = (...extra: string[]) => `${HEADER}\n${[...clean, ...extra].join('\n')}\n`;
    expect(await quarantined(body())).toEqual({ loaded: 3, lines: [], normalized: false, path: 'direct' });
    // A check that fails (sign rule), a repeated key, a blank required value, a date outside the window.
    expect(await quarantined(body('INV4,C1,invoice,2024-01-02,2024-02-01,EUR,-4.00,,'))).toMatchObject({ loaded: 3, lines: [[5, 'invoice amount not positive']], path: 'staged' });
    expect(await quarantined(body(good(2)))).toMatchObject({ loaded: 3, lines: [[5, 'duplicate key']], path: 'staged' });
    expect(await quarantined(body('INV4, ,invoice,2024-01-02,2024-02-01,EUR,4.00,,'))).toMatchObject({ loaded: 3, lines: [[5, 'required value missing']], path: 'staged' });
    const old = await quarantined(body('INV4,C1,invoice,1980-01-02,2024-02-01,EUR,4.00,,'));
    expect(old).toMatchObject({ loaded: 3, path: 'staged' });
    expect(old.lines).toEqual([[5, expect.stringMatching(/^date outside 1990-01-01 to /)]]);
    // A day that does not exist (in an optional column, which a failed cast would silently empty) is a
    // reject of the direct path's typed read, and the file is read the careful way.
    const feb30 = await quarantined(body('INV4,C1,invoice,2024-01-02,2024-02-01,EUR,4.00,2024-02-30,'));
    expect(feb30).toMatchObject({ loaded: 3, lines: [[5, 'not a valid DATE']] });
    expect(feb30.path).not.toBe('direct');
    // Dates and amounts DuckDB's own typed readers would take (or round), which the direct path reads
    // typed: the scan finds them not in their form, and the file is read the careful way.
    for (const [row, reason] of [
      ['INV4,C1,invoice,2024/01/02,2024-02-01,EUR,4.00,,', 'not a valid DATE'],
      ['INV4,C1,invoice,2024-01-02,2024-2-1,EUR,4.00,,', 'not a valid DATE'],
      ['INV4,C1,invoice,2024-01-02,2024-02-01 00:00:00,EUR,4.00,,', 'not a valid DATE'],
      ['INV4,C1,invoice,2024-01-02,2024-02-01,EUR,4.005,,', 'more than 2 decimals'],
      ['INV4,C1,invoice,2024-01-02,2024-02-01,EUR,+4.00,,', 'not a decimal amount'],
      ['INV4,C1,invoice,2024-01-02,2024-02-01,EUR,4e2,,', 'not a decimal amount'],
    ] as const) {
      const r = await quarantined(body(row));
      expect(r, row).toMatchObject({ loaded: 3, lines: [[5, reason]] });
      expect(r.path, row).not.toBe('direct');
    }
    // A repeated key the scan's hashes must see through quoting, and one past a key set that gave up
    // (DuckDB then counts the written keys).
    expect(await quarantined(body('"INV2",C1,invoice,2024-01-02,2024-02-01,EUR,2.00,,'))).toMatchObject({ loaded: 3, lines: [[5, 'duplicate key']], path: 'staged' });
    expect(await quarantined(body(good(2)), undefined, true, new KeyHashSet(2))).toMatchObject({ loaded: 3, lines: [[5, 'duplicate key']], path: 'staged' });
    expect(await quarantined(body(good(4)), undefined, true, new KeyHashSet(2))).toMatchObject({ loaded: 4, lines: [], path: 'direct' });
    // A due date before the invoice date.
    expect(await quarantined(body('INV4,C1,invoice,2024-01-02,2023-12-31,EUR,4.00,,'))).toMatchObject({ loaded: 3, lines: [[5, 'due_date before invoice_date']], path: 'staged' });
    // A credit note numbered like an earlier batch's invoice: staged, and quarantined.
    const earlier = join(dir, `prior${++n}.parquet`);
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      await conn.run(`COPY (SELECT 'INV9' AS document_id, 'C1' AS customer_id, 'invoice' AS document_type, DATE '2024-01-02' AS invoice_date) TO '${earlier}' (FORMAT parquet)`);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
    const prior = [{ path: earlier, batchId: 'B1', sourceFile: 'old.csv' }];
    expect(await quarantined(body(), prior)).toMatchObject({ loaded: 3, lines: [], path: 'direct' });
    expect(await quarantined(body('INV9,C1,credit_note,2024-01-02,2024-02-01,EUR,-9.00,,INV1'), prior)).toMatchObject({
      loaded: 3,
      lines: [[5, 'invoice and credit note share a document number']],
      path: 'staged',
    });
  });

  it("keeps the file's row order on the direct path, with a long list of allowed values too", async () => {
    // DuckDB made a join of an IN list of seven action types, and the multi-threaded COPY then wrote
    // row groups out of the file's order: the file must be long enough for several row groups.
    const types = ['reminder', 'dunning_letter', 'phone_call', 'email', 'payment_link', 'collection_agency', 'legal'];
    const rows = 300_000;
    const lines = ['action_id,customer_id,document_id,action_date,action_type,channel,cost'];
    for (let i = 1; i <= rows; i++) lines.push(`ACT${String(i).padStart(9, '0')},C1,INV1,2025-02-10,${types[i % 7]},email,0.25`);
    const r = await convertCsv({ file: file(`${lines.join('\n')}\n`), table: collectionActions, scratchDir: join(dir, `s${++n}`), outputName: 'batch', threads: 2 });
    expect(r).toMatchObject({ path: 'direct', rowsLoaded: rows });
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      const out = (
        await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE prev > action_id) AS back, count(*) AS n FROM (
          SELECT action_id, lag(action_id) OVER (ORDER BY file_row_number) AS prev FROM read_parquet('${r.dataFile}', file_row_number = true))`)
      ).getRowObjectsJson()[0]!;
      expect(out).toEqual({ back: '0', n: String(rows) });
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  }, 60_000);

  it("leaves a shared instance's background purge as it found it after the direct statement", async () => {
    // Under a memory limit the instance purges in the background; the direct statement runs without
    // (convert.ts withoutBackgroundPurge) and must hand the instance back with the purge on.
    const instance = await convertInstance(join(dir, `purge${++n}`), 1, '256MB');
    const conn = await instance.connect();
    try {
      const purge = async () => (await conn.runAndReadAll(`SELECT current_setting('allocator_background_threads') AS p`)).getRowObjectsJson()[0]!.p;
      expect(await purge()).toBe(true);
      const r = await convertCsv({ file: file(`${HEADER}\n${good(1)}\n${good(2)}\n`), table: invoices, scratchDir: join(dir, `s${++n}`), outputName: 'batch', instance });
      expect(r).toMatchObject({ path: 'direct', rowsLoaded: 2 });
      expect(await purge()).toBe(true);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('writes on the direct path what staging would: canonical types, file order, quoted values', async () => {
    const lines = [
      'INV3,C1,invoice,2024-01-02,2024-02-01,EUR,3.5,,,x',
      '"INV1","C,2",credit_note,2024-01-03,2024-02-02,EUR,-1.00,2024-03-01,"INV3","say ""hi"""',
      `${good(2)},`,
    ];
    const text = `\uFEFF${HEADER},notes\r\n${lines.join('\r\n')}\r\n`;
    const scratchDir = join(dir, `s${++n}`);
    const r = await convertCsv({ file: file(text), table: invoices, scratchDir, outputName: 'batch' });
    expect(r).toMatchObject({ path: 'direct', rowsRead: 3, rowsLoaded: 3, rowsRejected: 0, sourceLines: 4, warnings: ['ignoring unknown column "notes"'] });
    expect(r.header).toEqual([...HEADER.split(','), 'notes']);
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      const rows = (
        await conn.runAndReadAll(`SELECT document_id, customer_id, CAST(amount AS VARCHAR) AS amount, typeof(amount) AS t,
          CAST(settled_date AS VARCHAR) AS settled, typeof(settled_date) AS d, corrects_document_id AS c FROM '${r.dataFile}'`)
      ).getRowObjectsJson();
      expect(rows).toEqual([
        { document_id: 'INV3', customer_id: 'C1', amount: '3.50', t: 'DECIMAL(18,2)', settled: null, d: 'DATE', c: null },
        { document_id: 'INV1', customer_id: 'C,2', amount: '-1.00', t: 'DECIMAL(18,2)', settled: '2024-03-01', d: 'DATE', c: 'INV3' },
        { document_id: 'INV2', customer_id: 'C1', amount: '2.00', t: 'DECIMAL(18,2)', settled: null, d: 'DATE', c: null },
      ]);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
