import { describe, expect, it } from 'vitest';
import { LINE_TOO_LONG, LineSplitter, RecordReader, UNCLOSED_QUOTE, splitFields } from '../../src/feeds/csv-dialect/records.js';
import { DialectError, detectEncoding, sniffDelimiter } from '../../src/feeds/csv-dialect/sniff.js';
import { toStrptime } from '../../src/feeds/csv-dialect/formats.js';
import { parseMapping } from '../../src/feeds/mapping/load.js';
import { compileTargets, MappingError } from '../../src/feeds/mapping/compile.js';
import { fromScaled, toScaled, totalsProblem } from '../../src/feeds/ubl/einvoice.js';
import { columnIndex, numberText, serialToIso } from '../../src/feeds/xlsx/read.js';
import { decodeXmlText } from '../../src/feeds/ubl/secure-xml.js';

type Ev = [number, string | string[], number?];

/** Records and rejects of `text`, fed in chunks of `chunk` characters, with the header's field count. */
function read(text: string, chunk: number, delimiter = ';', max = 1 << 20): Ev[] {
  const out: Ev[] = [];
  let header = true;
  const reader = new RecordReader(
    delimiter,
    (e) => {
      if (e.kind === 'reject') out.push([e.reject.line, e.reject.reason]);
      else {
        out.push([e.record.line, e.record.fields, e.record.lines]);
        if (header) reader.expectFields(e.record.fields.length);
        header = false;
      }
    },
    { maxRecordChars: max },
  );
  const lines = new LineSplitter();
  for (let i = 0; i < text.length; i += chunk) lines.push(text.slice(i, i + chunk), (t, n) => reader.push(t, n));
  lines.end((t, n) => reader.push(t, n));
  reader.end();
  return out;
}

describe('RecordReader', () => {
  const text = 'a;b;c\r\n1;"x\r\ny";3\n\n"q""uote";";";z\nlast;1;2';

  it('keeps line breaks inside quoted values, the line each record starts on, and its line count', () => {
    expect(read(text, 1 << 16)).toEqual([
      [1, ['a', 'b', 'c'], 1],
      [2, ['1', 'x\ny', '3'], 2],
      [4, [''], 1],
      [5, ['q"uote', ';', 'z'], 1],
      [6, ['last', '1', '2'], 1],
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = read(text, 1 << 16);
    for (let n = 1; n <= text.length; n++) expect(read(text, n)).toEqual(whole);
  });

  it('reads a quote inside an unquoted value as a character (Monitor 27")', () => {
    expect(read('a;b\nMonitor 27";5\nx;y', 3)).toEqual([
      [1, ['a', 'b'], 1],
      [2, ['Monitor 27"', '5'], 1],
      [3, ['x', 'y'], 1],
    ]);
  });

  it('rejects only the line whose quote never closes, and reads on from the next line', () => {
    const t = 'a;b\n1;"open\n2;x\n3;y\n"cut;';
    expect(read(t, 4)).toEqual([
      [1, ['a', 'b'], 1],
      [2, UNCLOSED_QUOTE],
      [3, ['2', 'x'], 1],
      [4, ['3', 'y'], 1],
      [5, UNCLOSED_QUOTE],
    ]);
  });

  it('a quote in a quoted value that is not before a delimiter is a character', () => {
    expect(read('a;b\n"Monitor 27" wide";5', 64)[1]).toEqual([2, ['Monitor 27" wide', '5'], 1]);
  });

  it('rejects an over-long line and reads on', () => {
    const long = `h;i\n1;${'x'.repeat(100)}\n2;3\n`;
    expect(read(long, 7, ';', 50)).toEqual([
      [1, ['h', 'i'], 1],
      [2, LINE_TOO_LONG],
      [3, ['2', '3'], 1],
    ]);
  });

  it('stays linear on a file of quotes that never close', () => {
    const t = 'a;b\n' + '"x;1\n'.repeat(20_000);
    const started = performance.now();
    const ev = read(t, 1 << 16);
    expect(ev.filter((e) => e[1] === UNCLOSED_QUOTE)).toHaveLength(20_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('splits fields with quotes and doubled quotes', () => {
    expect(splitFields('"a;b";"c""d";e', ';')).toEqual(['a;b', 'c"d', 'e']);
  });
});

describe('dialect sniffing', () => {
  it('detects a BOM, valid UTF-8, and Windows-1252 with the offending byte', () => {
    expect(detectEncoding(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]), 'auto')).toMatchObject({ encoding: 'utf-8', bomLength: 3 });
    expect(detectEncoding(new TextEncoder().encode('Café'), 'auto').encoding).toBe('utf-8');
    const cp = Uint8Array.from([0x43, 0x61, 0x66, 0xe9, 0x3b, 0x80]);
    expect(detectEncoding(cp, 'auto')).toMatchObject({ encoding: 'windows-1252', note: expect.stringContaining('byte 0xe9 at offset 3') });
    expect(() => detectEncoding(Uint8Array.from([0xef, 0xbb, 0xbf]), 'windows-1252')).toThrow(DialectError);
    // A stray € (0x80) after a space: the € is reported, not the space before it.
    expect(detectEncoding(Uint8Array.from([0x61, 0x20, 0x80, 0x20]), 'auto').note).toContain('byte 0x80 at offset 2');
  });

  it('sniffs ; , tab and |, and refuses to choose between two that both fit', () => {
    expect(sniffDelimiter('a;b;c\n1;2,5;3\n4;5,5;6\n', 1).delimiter).toBe(';');
    expect(sniffDelimiter('a,b\n"1;2",3\n', 1).delimiter).toBe(',');
    expect(sniffDelimiter('a\tb\n1\t2\n', 1).delimiter).toBe('\t');
    expect(() => sniffDelimiter('a;b,c\n1;2,3\n', 1)).toThrow(/ambiguous delimiter/);
    expect(() => sniffDelimiter('just one column\nvalue\n', 1)).toThrow(/could not find the delimiter/);
  });

  it('turns human date patterns into strptime formats and refuses incomplete ones', () => {
    expect(toStrptime('dd-mm-yyyy')).toBe('%d-%m-%Y');
    expect(toStrptime('d-m-yy')).toBe('%d-%m-%y');
    expect(toStrptime('yyyymmdd')).toBe('%Y%m%d');
    expect(toStrptime('m/d/yyyy')).toBe('%m/%d/%Y');
    expect(() => toStrptime('mm-yyyy')).toThrow(/needs a day/);
  });
});

describe('mapping files', () => {
  const base = { name: 'x', description: 'x', tables: { invoices: { columns: {} } } };

  it('reports every problem of an invalid mapping with its path', () => {
    expect(() => parseMapping(JSON.stringify({ ...base, name: 'Bad Name', source: { delimiter: ':' } }), 'm.json')).toThrow(/name: .*\n.*source\.delimiter/s);
    expect(() => parseMapping('name: [unclosed', 'm.yaml')).toThrow(/not valid YAML/);
  });

  it('reads YAML as well as JSON', () => {
    const m = parseMapping('name: y\ndescription: d\ntables:\n  payments:\n    columns:\n      payment_id: nr\n', 'm.yaml');
    expect(m.tables.payments!.columns.payment_id).toBe('nr');
    expect(m.source.date_format).toBe('auto');
  });

  it('refuses unknown tables and columns and unmapped required columns', () => {
    const formats = { dates: {}, numbers: { decimal: '.' as const, thousands: '' } };
    const withTables = (tables: unknown) => parseMapping(JSON.stringify({ ...base, tables }), 'm.json');
    expect(() => compileTargets(withTables({ bills: { columns: {} } }), ['a'], formats, 's')).toThrow(/unknown table "bills"/);
    expect(() => compileTargets(withTables({ payments: { columns: { payment_idd: 'a' } } }), ['a'], formats, 's')).toThrow(MappingError);
    expect(() => compileTargets(withTables({ payments: { columns: { payment_id: 'a' } } }), ['a'], formats, 's')).toThrow(
      /leaves required column\(s\) customer_id, payment_date, amount, currency unmapped/,
    );
  });
});

describe('e-invoice arithmetic and XML text', () => {
  it('checks BR-CO-16 exactly, including rounding and prepaid amounts', () => {
    expect(totalsProblem({ taxInclusive: '1801.78', prepaid: '1000', rounding: '0.22', payable: '802.00' })).toBeUndefined();
    expect(totalsProblem({ taxInclusive: '0.1', rounding: '0.2', payable: '0.30' })).toBeUndefined();
    expect(totalsProblem({ taxInclusive: '100.00', payable: '100.01' })).toMatch(/PayableAmount 100\.01 ≠ .* = 100\.00/);
    expect(totalsProblem({ payable: '1' })).toBe('TaxInclusiveAmount is missing');
  });

  it('scales decimals without floats', () => {
    expect(toScaled('-1656.25')).toBe(-16562500n);
    expect(fromScaled(toScaled('729'))).toBe('729.00');
    expect(() => toScaled('1e3')).toThrow(/not a decimal/);
  });

  it('decodes only predefined entities and character references', () => {
    expect(decodeXmlText('A &amp; B &lt;&#233;&#x20AC;&gt; &custom;')).toBe('A & B <é€> &custom;');
  });
});

describe('xlsx cells', () => {
  it('converts serial dates (1900 and 1904 systems), column letters and scientific numbers', () => {
    expect(serialToIso(45306)).toBe('2024-01-15');
    expect(serialToIso(45306.75)).toBe('2024-01-15');
    expect(serialToIso(43844, true)).toBe('2024-01-15');
    expect(columnIndex('A12')).toBe(0);
    expect(columnIndex('AB3')).toBe(27);
    expect(numberText('1E-3')).toBe('0.001');
    expect(numberText('1234.5')).toBe('1234.5');
  });
});
