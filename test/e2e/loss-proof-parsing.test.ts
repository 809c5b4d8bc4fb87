import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';

/**
 * Issue 10 item 1, through the CLI: the reproductions of rows lost to one stray quote, a cut-off last
 * line, stray CRs and UTF-16, each as a user would run it. Every file must come out as
 * `loaded + rejected = data lines of the file`, counted here from the raw text.
 */

const work = mkdtempSync(join(tmpdir(), 'creditlake-lossproof-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = cliIn(work);

/** --json keys in snake_case whichever way the CLI spells them (issue 15 moves it to snake_case). */
function snake(v: unknown): any {
  if (Array.isArray(v)) return v.map(snake);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(x)]));
  }
  return v;
}
const json = (out: string) => snake(JSON.parse(out));

async function scalar(sql: string): Promise<number> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    return Number((await conn.runAndReadAll(sql)).getRows()[0]![0]);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const EXACT_HEADER = 'AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef';

function exactRow(i: number, description = `Levering ${i}`): string {
  const day = String((i % 28) + 1).padStart(2, '0');
  return `${1000 + (i % 50)};Klant ${i % 50} B.V.;${2024000 + i};${day}-01-2024;${day}-02-2024;EUR;${i},50;0,00;${description};${24000000 + i};70;PO-${i}`;
}

const INVOICE_HEADER = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount';
const invoiceRow = (i: number, customer = `C${i % 40}`) => `INV-${i},${customer},invoice,2024-01-15,2024-02-14,EUR,${100 + i}.25`;

let n = 0;
const lake = () => join(work, `lake-${++n}`);

describe('loss-proof parsing through the CLI (issue 10)', () => {
  it('an Exact Online export with Monitor 27" in row 50 loads all 1,000 rows (the quote is a character)', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => exactRow(i + 1, i === 49 ? 'Monitor 27" breedbeeld' : undefined));
    const file = join(work, 'exact-1000.csv');
    writeFileSync(file, `${EXACT_HEADER}\r\n${rows.join('\r\n')}\r\n`, 'latin1');
    const l = lake();
    const r = await cli(['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-03-01', file, '--lake', l, '--json']);
    expect(r.code).toBe(0);
    const j = json(r.out);
    expect(j.files[0]).toMatchObject({ lines_read: 1000, lines_loaded: 1000, lines_rejected: 0 });
    expect(await scalar(`SELECT count(*) FROM '${l}/raw/open_item_snapshots/*/*.parquet' WHERE document_id = '2024050'`)).toBe(1);
  });

  it('a quote that opens a value and never closes costs that line only, and the exit code says so', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => exactRow(i + 1, i === 49 ? '"Monitor 27 breedbeeld' : undefined));
    const file = join(work, 'exact-open-quote.csv');
    writeFileSync(file, `${EXACT_HEADER}\n${rows.join('\n')}\n`, 'latin1');
    const l = lake();
    const r = await cli(['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-03-01', file, '--lake', l]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('299 loaded, 1 rejected of 300 source rows');
    expect(r.out).toMatch(/quoted value never closes.*line 51/);
    expect(await scalar(`SELECT count(*) FROM '${l}/raw/open_item_snapshots/*/*.parquet'`)).toBe(299);
  });

  it('a cut-off last line of an export is a reject, not a footer', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => exactRow(i + 1));
    const file = join(work, 'exact-cut.csv');
    writeFileSync(file, `${EXACT_HEADER}\n${rows.join('\n')}\n${exactRow(21).slice(0, 30)}`, 'latin1');
    const r = await cli(['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-03-01', file, '--lake', lake(), '--json']);
    expect(r.code).toBe(1);
    const f = json(r.out).files[0];
    expect(f).toMatchObject({ lines_read: 21, lines_loaded: 20, lines_rejected: 1 });
    expect(JSON.stringify(f.tables[0].top_reasons)).toMatch(/too few columns/);
  });

  it('a declared footer pattern still drops the totals line', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => exactRow(i + 1));
    const file = join(work, 'exact-footer.csv');
    writeFileSync(file, `${EXACT_HEADER}\n${rows.join('\n')}\nTotaal;;;;;;15,00;;;;;\n`, 'latin1');
    const r = await cli(['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-03-01', file, '--lake', lake()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('5 loaded, 0 rejected of 5 source rows');
  });

  it('canonical CSV: a quote at the start of a field rejects one line, and the reject rate is over the true count', async () => {
    const rows = Array.from({ length: 2231 }, (_, i) => invoiceRow(i + 1, i === 89 ? '"C89' : undefined));
    const file = join(work, 'invoices-quote.csv');
    writeFileSync(file, `${INVOICE_HEADER}\n${rows.join('\n')}\n`);
    const l = lake();
    const r = await cli(['ingest', file, '--table', 'invoices', '--lake', l, '--max-reject-rate', '2%', '--json']);
    expect(r.code).toBe(0);
    const f = json(r.out).files[0];
    expect(f).toMatchObject({ rows_read: 2231, rows_loaded: 2230, rows_rejected: 1 });
    expect(f.reject_rate).toBeCloseTo(1 / 2231, 8);
    expect(f.top_reasons[0]).toMatchObject({ reason: 'quoted value never closes', sample: { line: 91 } });
    expect(await scalar(`SELECT count(*) FROM '${l}/raw/invoices/*/*.parquet'`)).toBe(2230);
    // The same file at the default limit of 0 fails: one reject is one too many.
    expect((await cli(['ingest', file, '--table', 'invoices', '--lake', lake()])).code).toBe(1);
  });

  it('canonical CSV: mixed line endings (two exports concatenated) and stray CRs load every row', async () => {
    const a = Array.from({ length: 10 }, (_, i) => invoiceRow(i + 1)).join('\r\n');
    const b = Array.from({ length: 10 }, (_, i) => invoiceRow(i + 11)).join('\n');
    const file = join(work, 'mixed.csv');
    writeFileSync(file, `${INVOICE_HEADER}\r\n${a}\r\n${b}\nINV-99,C\r1,invoice,2024-01-15,2024-02-14,EUR,1.00\r\n`);
    const l = lake();
    const r = await cli(['ingest', file, '--table', 'invoices', '--lake', l, '--json']);
    expect(r.code).toBe(0);
    expect(json(r.out).files[0]).toMatchObject({ rows_read: 21, rows_loaded: 21, rows_rejected: 0 });
    expect(await scalar(`SELECT count(*) FROM '${l}/raw/invoices/*/*.parquet' WHERE customer_id = 'C' || chr(13) || '1'`)).toBe(1);
  });

  it('canonical CSV in UTF-16 (with a byte-order mark) is converted; without one it is refused clearly', async () => {
    const text = `${INVOICE_HEADER}\r\n${Array.from({ length: 5 }, (_, i) => invoiceRow(i + 1)).join('\r\n')}\r\n`;
    const le = join(work, 'utf16le.csv');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const r = await cli(['ingest', le, '--table', 'invoices', '--lake', lake()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('5 loaded, 0 rejected');
    const bare = join(work, 'utf16-nobom.csv');
    writeFileSync(bare, Buffer.from(text, 'utf16le'));
    const bad = await cli(['ingest', bare, '--table', 'invoices', '--lake', lake()]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/UTF-16 without a byte-order mark/);
    expect(bad.err).not.toMatch(/\n\s+at /);
  });

  it('a multi-file run goes on after a file it cannot read, and --json still prints every file', async () => {
    const good = join(work, 'good.csv');
    writeFileSync(good, `${INVOICE_HEADER}\n${invoiceRow(1)}\n`);
    const bare = join(work, 'nul.csv');
    writeFileSync(bare, Buffer.from(`${INVOICE_HEADER}\n${invoiceRow(2)}\n`, 'utf16le'));
    const good2 = join(work, 'good2.csv');
    writeFileSync(good2, `${INVOICE_HEADER}\n${invoiceRow(3)}\n`);
    const r = await cli(['ingest', good, bare, good2, '--table', 'invoices', '--lake', lake(), '--json']);
    expect(r.code).toBe(1);
    expect(json(r.out).files.map((f: { status: string }) => f.status)).toEqual(['loaded', 'error', 'loaded']);
  });
});
