import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { splitJsonRecords } from '../../src/feeds/credit-report/json-records.js';
import { inlineRows, xlsx } from '../support/zip-writer.js';

/** Issue 10 item 4, through the CLI: hostile workbooks, report files and dates are bounded and refused clearly. */

const work = mkdtempSync(join(tmpdir(), 'creditlake-hostile-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = cliIn(work);

const STACK = /\n\s+at [^\n]+:\d+:\d+/;
const HEADER = ['AccountCode', 'AccountName', 'InvoiceNumber', 'InvoiceDate', 'DueDate', 'CurrencyCode', 'Amount', 'AmountInTransit', 'Description', 'EntryNumber', 'JournalCode', 'YourRef'];
const ROW = ['1001', 'Klant B.V.', '2024001', '15-01-2024', '14-02-2024', 'EUR', '100.50', '0.00', 'x', '1', '70', 'PO'];

async function ingestXlsx(name: string, data: Buffer) {
  const file = join(work, name);
  writeFileSync(file, data);
  return cli(['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-03-01', file, '--lake', join(work, `lake-${name}`)]);
}

describe('hostile xlsx workbooks are refused while streaming, with the reason', () => {
  it('a normal workbook still loads', async () => {
    const r = await ingestXlsx('ok.xlsx', xlsx(inlineRows([HEADER, ROW])));
    expect(r.err).not.toMatch(STACK);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 loaded, 0 rejected of 1 source rows');
  });

  it.each([
    ['a bad cell reference (once a JavaScript out-of-memory)', () => xlsx(inlineRows([HEADER]) + '<row r="2"><c r="XFDXFDXFDXFD2" t="inlineStr"><is><t>x</t></is></c></row>'), /cell reference XFDXFDXFDXFD2 in row 2 is outside columns A\.\.XFD/],
    ['a row number past Excel\'s last row', () => xlsx(inlineRows([HEADER]) + '<row r="99999999999"><c t="inlineStr"><is><t>x</t></is></c></row>'), /row number 99999999999 is outside 1\.\.1048576/],
    ['a shared-strings bomb', () => xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', { sharedStrings: `<sst>${'<si><t>bomb bomb bomb bomb bomb bomb bomb bomb bomb bomb</t></si>'.repeat(400_000)}</sst>` }), /sharedStrings\.xml inflates \d+× .* a zip bomb/],
    ['a sheet bomb', () => xlsx(inlineRows([HEADER]) + `<row r="2">${'<c><v>1</v></c>'.repeat(100)}</row>`.repeat(30_000)), /sheet1\.xml inflates \d+× .* a zip bomb/],
    ['a cell over Excel\'s 32,767 characters', () => xlsx(inlineRows([HEADER, ['x'.repeat(40_000)]])), /holds over 32767 characters/],
  ])('%s', async (_what, build, reason) => {
    const r = await ingestXlsx(`bomb-${Math.random().toString(36).slice(2)}.xlsx`, build());
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(reason);
    expect(r.err).not.toMatch(STACK);
  });
});

describe('credit-report JSON', () => {
  it('splits a large array in linear time (was quadratic: 10,000 reports took minutes)', () => {
    const report = readFileSync(resolve(__dirname, '../fixtures/credit-reports/creditsafe-reports.json'), 'utf8');
    const first = report.slice(report.indexOf('{'), report.indexOf('\n  {', 5)).trim().replace(/,$/, '');
    const time = (n: number) => {
      const text = `[\n${Array.from({ length: n }, () => first).join(',\n')}\n]`;
      // CPU time, not wall time: on a busy machine the wall clock of the small run can be a
      // fraction of the large one's for reasons unrelated to the algorithm.
      const started = process.cpuUsage();
      const { chunks } = splitJsonRecords(text);
      expect(chunks).toHaveLength(n);
      expect(chunks[n - 1]!.line).toBeGreaterThan(n);
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1000;
    };
    time(500);
    const small = time(2_500);
    const large = time(20_000);
    // 8× the records: linear is ~8× the time, quadratic 64×.
    expect(large).toBeLessThan(Math.max(small * 25, 2_000));
  });
});

describe('impossible dates are rejected, not loaded as 1900-01-01 or 1 BC', () => {
  it('canonical CSV: infinity, -infinity, epoch, year 0 and 1850', async () => {
    const file = join(work, 'dates.csv');
    writeFileSync(
      file,
      'document_id,customer_id,document_type,invoice_date,due_date,currency,amount\n' +
        ['infinity', '-infinity', 'epoch', '0000-01-01', '1850-01-01', '2024-01-15'].map((d, i) => `I${i},C1,invoice,${d},2024-02-14,EUR,1.00`).join('\n') +
        '\n',
    );
    const r = await cli(['ingest', file, '--table', 'invoices', '--lake', join(work, 'lake-dates'), '--max-reject-rate', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 loaded, 5 rejected');
    expect(r.out).toMatch(/3 × not a valid DATE \[invoice_date\]/);
    expect(r.out).toMatch(/2 × date out of range \[invoice_date\]/);
  });
});
