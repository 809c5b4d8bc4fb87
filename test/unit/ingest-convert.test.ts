import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertCsv } from '../../src/feeds/canonical-csv/convert.js';
import { defaultDateWindow, rowChecks } from '../../src/feeds/canonical-csv/rules.js';
import { customers, invoices, payments } from '../../src/schema/index.js';

const FIX = resolve(__dirname, '../fixtures/ingest');
const scratch = mkdtempSync(join(tmpdir(), 'ingest-convert-test-'));
/** The columns an invoices export of these tests carries; the optional ones after them stay NULL. */
const INVOICES_HEADER = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id';
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** Data records of a fixture, counted from the text itself (fixtures have no quoted newlines). */
function recordCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length - 1;
}

let n = 0;
const convert = (name: string, table = invoices) =>
  convertCsv({ file: join(FIX, name), table, scratchDir: join(scratch, String(++n)), outputName: 'batch' });

describe('convertCsv on bad invoices', () => {
  // Expected reason per line of bad-invoices.csv, written from the fixture by hand.
  const expected: [number, string, string][] = [
    [3, 'amount', 'too few columns'],
    [4, 'invoice_date', 'not a valid DATE'],
    [5, 'due_date', 'due_date before invoice_date'],
    [6, 'document_type', 'unknown value'],
    [7, 'document_id', 'duplicate key'],
    [8, 'amount', 'more than 2 decimals'],
    [9, 'amount', 'not a decimal amount'],
    [10, 'amount', 'invoice amount not positive'],
    [11, 'amount', 'credit note amount not negative'],
    [12, '', 'too many columns'],
    [13, 'customer_id', 'required value missing'],
  ];

  it('quarantines each bad row with file, line, column and reason, and keeps the good rows', async () => {
    const r = await convert('bad-invoices.csv');
    expect(r.status).toBe('converted');
    const q = await rows(`SELECT source_file, line, column_name, reason, detail, raw_line FROM '${r.quarantineFile}' ORDER BY line`);
    expect(q.map((x) => [Number(x.line), x.column_name, x.reason])).toEqual(expected);
    expect(new Set(q.map((x) => x.source_file))).toEqual(new Set(['bad-invoices.csv']));
    const fileLines = readFileSync(join(FIX, 'bad-invoices.csv'), 'utf8').split('\n');
    // The raw line of a read_csv reject is the file's own line; check rejects carry the row's values.
    expect(q.find((x) => Number(x.line) === 3)!.raw_line).toBe(fileLines[2]);
    expect(String(q.find((x) => Number(x.line) === 8)!.raw_line)).toContain('12.345');
    expect(q.find((x) => Number(x.line) === 8)!.detail).toBe('"12.345"');

    const good = await rows(`SELECT document_id, CAST(amount AS VARCHAR) AS amount FROM '${r.dataFile}' ORDER BY document_id`);
    expect(good).toEqual([
      { document_id: 'INV-101', amount: '500.00' },
      { document_id: 'INV-111', amount: '250.50' },
    ]);
  });

  it('reconciles: every record read is loaded or rejected', async () => {
    const r = await convert('bad-invoices.csv');
    const records = recordCount(join(FIX, 'bad-invoices.csv'));
    const loaded = (await rows(`SELECT count(*) AS loaded FROM '${r.dataFile}'`))[0]!.loaded;
    const rejected = (await rows(`SELECT count(DISTINCT line) AS rejected FROM '${r.quarantineFile}'`))[0]!.rejected;
    expect(r.rowsRead).toBe(records);
    expect(Number(loaded)).toBe(r.rowsLoaded);
    expect(Number(rejected)).toBe(r.rowsRejected);
    expect(r.rowsLoaded + r.rowsRejected).toBe(r.rowsRead);
    // Top reasons are capped at 10 and sorted by count.
    expect(r.topReasons).toHaveLength(10);
    expect(r.topReasons.map((t) => t.rows)).toEqual([...r.topReasons.map((t) => t.rows)].sort((a, b) => b - a));
  });

  it('never rounds money: 12.345 is rejected, not stored as 12.35', async () => {
    const r = await convert('bad-invoices.csv');
    const got = await rows(`SELECT count(*) AS n FROM '${r.dataFile}' WHERE document_id = 'INV-106'`);
    expect(Number(got[0]!.n)).toBe(0);
  });
});

describe('convertCsv on file-level problems', () => {
  it('writes the canonical Parquet schema for good rows', async () => {
    const r = await convert('good-invoices.csv');
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected, r.quarantineFile]).toEqual([3, 3, 0, undefined]);
    const schema = await rows(`SELECT name, type FROM parquet_schema('${r.dataFile}') WHERE name <> 'duckdb_schema'`);
    expect(schema.map((s) => s.name)).toEqual(invoices.columns.map((c) => c.name));
    const [cn] = await rows(`SELECT CAST(amount AS VARCHAR) AS a, corrects_document_id FROM '${r.dataFile}' WHERE document_id = 'CN-001'`);
    expect(cn).toEqual({ a: '-210.00', corrects_document_id: 'INV-001' });
  });

  it('reports an empty file as an error without crashing', async () => {
    const r = await convert('empty.csv');
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/^file is empty/);
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([0, 0, 0]);
  });

  it('accepts a header-only file as zero rows', async () => {
    const r = await convert('header-only.csv');
    expect([r.status, r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual(['converted', 0, 0, 0]);
    expect(Number((await rows(`SELECT count(*) AS n FROM '${r.dataFile}'`))[0]!.n)).toBe(0);
  });

  it('rejects every row when a required column is missing from the header, naming the column', async () => {
    const r = await convert('missing-columns.csv');
    expect([r.rowsRead, r.rowsLoaded, r.rowsRejected]).toEqual([2, 0, 2]);
    expect(r.topReasons).toEqual([
      expect.objectContaining({ reason: 'column missing from header', column: 'due_date', rows: 2, sample: expect.objectContaining({ line: 2 }) }),
    ]);
  });

  it('loads files whose header omits optional columns or orders columns differently', async () => {
    const r = await convert('optional-columns-absent.csv');
    expect([r.rowsLoaded, r.rowsRejected]).toEqual([1, 0]);
    const [row] = await rows(`SELECT customer_id, document_id, settled_date FROM '${r.dataFile}'`);
    expect(row).toEqual({ customer_id: 'C001', document_id: 'INV-301', settled_date: null });
  });

  it('counts rows correctly when rejects and check failures interleave (line mapping)', async () => {
    const header = INVOICES_HEADER;
    const lines = [header];
    // Every 3rd row has too few columns, every 5th an unknown type: lines must still be exact.
    for (let i = 0; i < 40; i++) {
      if (i % 3 === 0) lines.push(`X${i},C1,invoice`);
      else lines.push(`X${i},C1,${i % 5 === 0 ? 'bogus' : 'invoice'},2024-01-01,2024-01-31,EUR,1.00,,`);
    }
    const file = join(scratch, 'interleaved.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await convertCsv({ file, table: invoices, scratchDir: join(scratch, 'il'), outputName: 'b' });
    const q = await rows(`SELECT line, reason FROM '${r.quarantineFile}' ORDER BY line`);
    const expectLines = [...Array(40).keys()].filter((i) => i % 3 === 0 || i % 5 === 0).map((i) => i + 2);
    expect(q.map((x) => Number(x.line))).toEqual(expectLines);
    for (const x of q) {
      const i = Number(x.line) - 2;
      expect(x.reason).toBe(i % 3 === 0 ? 'too few columns' : 'unknown value');
    }
    expect(r.rowsLoaded + r.rowsRejected).toBe(40);
  });

  it('checks other tables with their own rules', async () => {
    const file = join(scratch, 'payments.csv');
    writeFileSync(file, 'payment_id,customer_id,payment_date,amount,currency\nP1,C1,2024-01-01,10.00,EUR\nP2,C1,2024-01-01,0.00,EUR\nP3,C1,2024-01-01,5,EURO\n');
    const r = await convertCsv({ file, table: payments, scratchDir: join(scratch, 'pay'), outputName: 'b' });
    expect(r.topReasons.map((t) => [t.reason, t.sample.line])).toEqual([
      ['currency not a 3-letter ISO 4217 code', 4],
      ['payment amount is zero', 3],
    ]);
    const cfile = join(scratch, 'customers.csv');
    writeFileSync(cfile, `customer_id,name,kvk_number,vat_number,country,sbi_code,segment,size_class,credit_limit,currency,payment_terms_days,account_manager\nK1,Acme BV,12345678,,NL,4711,smb,small,1000.00,EUR,14.5,\n`);
    const c = await convertCsv({ file: cfile, table: customers, scratchDir: join(scratch, 'cus'), outputName: 'b' });
    expect(c.topReasons.map((t) => [t.reason, t.column])).toEqual([['not a whole number', 'payment_terms_days']]);
  });

  it('derives one check per enumerated column from the schema metadata', () => {
    const enumChecks = rowChecks(invoices).filter((c) => c.reason === 'unknown value');
    expect(enumChecks.map((c) => c.column)).toEqual(['document_type', 'delivery_channel']);
    expect(enumChecks[0]!.failWhen).toContain("'credit_note'");
  });
});

describe('one reason per bad value', () => {
  it('does not add a sign reason to an amount whose format already failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-onereason-'));
    const file = join(dir, 'x.csv');
    writeFileSync(file, `${INVOICES_HEADER}\nI1,C1,invoice,2024-01-01,2024-01-31,EUR,0.004,,\nI2,C1,invoice,2024-01-01,2024-01-31,EUR,0.00,,\n`);
    const r = await convertCsv({ file, table: invoices, scratchDir: join(dir, 's'), outputName: 'b' });
    const q = await rows(`SELECT line, reason FROM '${r.quarantineFile}' ORDER BY line`);
    rmSync(dir, { recursive: true, force: true });
    expect(q).toEqual([
      { line: '2', reason: 'more than 2 decimals' },
      { line: '3', reason: 'invoice amount not positive' },
    ]);
  });
});

describe('plausible date window', () => {
  it('rejects a date typo outside 1990-01-01 to five years ahead, naming line, column and value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-window-'));
    const file = join(dir, 'x.csv');
    const header = INVOICES_HEADER;
    const to = defaultDateWindow().to;
    writeFileSync(
      file,
      `${header}\nI1,C1,invoice,1924-05-01,2024-01-31,EUR,10.00,,\nI2,C1,invoice,2024-01-01,2024-01-31,EUR,10.00,,\n` +
        `I3,C1,invoice,2024-01-01,2999-01-31,EUR,10.00,,\nI4,C1,invoice,1990-01-01,${to},EUR,10.00,,\n`,
    );
    const r = await convertCsv({ file, table: invoices, scratchDir: join(dir, 's'), outputName: 'b' });
    const q = await rows(`SELECT line, column_name, reason, detail FROM '${r.quarantineFile}' ORDER BY line`);
    rmSync(dir, { recursive: true, force: true });
    expect(r.rowsLoaded).toBe(2);
    expect(q).toEqual([
      { line: '2', column_name: 'invoice_date', reason: `date outside 1990-01-01 to ${to}`, detail: '1924-05-01' },
      { line: '4', column_name: 'due_date', reason: `date outside 1990-01-01 to ${to}`, detail: '2999-01-31' },
    ]);
  });

  it('is five years after today by default', () => {
    expect(defaultDateWindow(new Date('2026-02-28T12:00:00Z'))).toEqual({ from: '1990-01-01', to: '2031-02-28' });
  });
});
