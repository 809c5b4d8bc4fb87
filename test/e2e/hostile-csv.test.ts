/**
 * Hostile and ambiguous CSV through the mapping path: every case ends in a clear error (nothing
 * written) or in quarantined rows that point at the ORIGINAL file's line, never in a crash, a silent
 * mis-parse, or a half-written batch. Big inputs are generated here into a temp folder.
 */
import { existsSync, mkdtempSync, openSync, closeSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestMapped } from '../../src/feeds/ingest-mapped.js';
import { parseMapping } from '../../src/feeds/mapping/load.js';
import { prepareCsv } from '../../src/feeds/mapping/prepare.js';
import type { Mapping } from '../../src/feeds/mapping/schema.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';

const HEADER = 'nr;klant;datum;vervaldatum;bedrag';

function mapping(source: Record<string, unknown> = {}): Mapping {
  return parseMapping(
    JSON.stringify({
      name: 'test-ledger',
      description: 'test',
      source: { delimiter: ';', decimal: ',', ...source },
      tables: {
        invoices: {
          columns: {
            document_id: 'nr',
            customer_id: 'klant',
            document_type: { by_sign: { value: 'bedrag', negative: 'credit_note', otherwise: 'invoice' } },
            invoice_date: 'datum',
            due_date: 'vervaldatum',
            currency: { const: 'EUR' },
            amount: 'bedrag',
          },
        },
        payments: {
          columns: {
            payment_id: { concat: [{ const: 'P' }, 'nr'] },
            customer_id: 'klant',
            payment_date: 'vervaldatum',
            amount: { abs: 'bedrag' },
            currency: { const: 'EUR' },
          },
        },
      },
    }),
    'test.json',
  );
}

async function run(text: string | Buffer, m: Mapping, name = 'export.csv') {
  const dir = mkdtempSync(join(tmpdir(), 'creditlake-hostile-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  const lake = join(dir, 'lake');
  const r = await ingestMapped({ lakeRoot: lake, mapping: m, files: [file], prepare: (f, s, p) => prepareCsv(m, f, s, p, { maxRecordChars: 64 * 1024 }), maxRejectRate: 1 });
  const quarantine = async (table: string) => {
    const engine = await DuckDBEngine.open();
    try {
      return (await engine.query(`SELECT CAST(line AS INTEGER) AS line, column_name, reason, detail FROM read_parquet('${lake}/quarantine/${table}/*.parquet') ORDER BY line, reason`)).rows;
    } finally {
      await engine.close();
    }
  };
  return { r, file: r.files[0]!, lake, quarantine, dir };
}

describe('hostile and ambiguous CSV', () => {
  it('quarantines lines whose columns shift mid-file, with their original line numbers', async () => {
    const text = [
      HEADER,
      '1;K1;15-01-2024;14-02-2024;100,00',
      '2;K2;16-01-2024;15-02-2024;1.200,50',
      '"3";K3;"Straat 1;\nBus 2";17-01-2024;16-02-2024;300,00', // extra column, spread over 2 lines
      '4;K4;18-01-2024;17-02-2024;400,00',
      '5;K5;19-01-2024',
      '6;K6;20-01-2024;19-02-2024;600,00',
    ].join('\n');
    const { file, quarantine } = await run(text, mapping({ date_format: 'dd-mm-yyyy' }));
    // Line 4 opens a quote that closes on line 5 into a record of 6 fields: line 4 is rejected for
    // its quote and line 5 is read again on its own (4 fields), so every line is accounted for.
    expect(file.message).toMatch(/^4 loaded, 3 rejected of 7 source rows/);
    const q = await quarantine('invoices');
    expect(q.map((x) => [x.line, x.reason, x.detail])).toEqual([
      [4, 'quoted value never closes', expect.stringContaining('the quote opening field 3 never closes (it closes on line 5, but the record then has 6 fields where the header has 5)')],
      [5, 'too few columns', 'line has 4 fields where the header has 5 (a cut-off line, shifted columns, or an unquoted ";" in a value)'],
      [7, 'too few columns', 'line has 3 fields where the header has 5 (a cut-off line, shifted columns, or an unquoted ";" in a value)'],
    ]);
  });

  it('rejects a value-level error in one table together with the rows the same line gives other tables', async () => {
    const text = [HEADER, '1;K1;15-01-2024;14-02-2024;100,00', '2;K2;16-01-2024;31-02-2024;200,00', '3;K3;17-01-2024;10-01-2024;300,00'].join('\n');
    const { file, quarantine } = await run(text, mapping({ date_format: 'dd-mm-yyyy' }));
    expect(file.message).toMatch(/^1 loaded, 2 rejected of 3 source rows/);
    expect((await quarantine('invoices')).map((x) => [x.line, x.reason, x.detail])).toEqual([
      [3, 'not a date in format dd-mm-yyyy', 'vervaldatum "31-02-2024"'],
      [4, 'due_date before invoice_date', '2024-01-10 < 2024-01-17'],
    ]);
    expect((await quarantine('payments')).map((x) => [x.line, x.reason])).toEqual([
      [3, 'not a date in format dd-mm-yyyy'],
      [4, 'rejected with its other rows from the same line'],
    ]);
  });

  it('stops on mixed date formats in a column when the format is not set, naming a line of each; nothing written', async () => {
    const text = [HEADER, '1;K1;25-12-2023;24-01-2024;100,00', '2;K2;12/26/2023;25-01-2024;200,00', '3;K3;27-12-2023;26-01-2024;300,00'].join('\n');
    const { file, lake } = await run(text, mapping({ date_format: 'auto' }));
    expect(file.status).toBe('error');
    expect(file.message).toMatch(/column "datum" mixes date formats: 2 of 3 values fit dd-mm-yyyy, but 1 fit another format \(e\.g\. line 3 "12\/26\/2023"\)/);
    expect(existsSync(join(lake, 'manifests'))).toBe(false);
    expect(existsSync(join(lake, 'raw'))).toBe(false);
  });

  it('refuses to guess dates that read both day-first and month-first, and loads them once the format is set', async () => {
    const text = [HEADER, '1;K1;05-01-2024;06-02-2024;100,00', '2;K2;07-01-2024;08-02-2024;200,00'].join('\n');
    const guessed = await run(text, mapping({ date_format: 'auto' }));
    expect(guessed.file.message).toMatch(/dates fit both dd-mm-yyyy and mm-dd-yyyy \(e\.g\. line 2 "05-01-2024"\).*set date_format/);
    const set = await run(text, mapping({ date_format: 'dd-mm-yyyy' }));
    expect(set.file.message).toMatch(/^2 loaded/);
  });

  it('refuses amounts that read differently with a decimal comma and a decimal point', async () => {
    const text = [HEADER, '1;K1;15-01-2024;14-02-2024;1.250', '2;K2;16-01-2024;15-02-2024;300'].join('\n');
    const { file } = await run(text, mapping({ date_format: 'dd-mm-yyyy', decimal: 'auto' }));
    expect(file.status).toBe('error');
    expect(file.message).toMatch(/read both with a decimal comma and with a decimal point \(e\.g\. line 2 "1\.250"\)/);
  });

  it('rejects a US-formatted amount in a decimal-comma file instead of reading 1,234.56 as 1.23456', async () => {
    const text = [HEADER, '1;K1;15-01-2024;14-02-2024;1,234.56', '2;K2;16-01-2024;15-02-2024;1.234,56'].join('\n');
    const { file, quarantine } = await run(text, mapping({ date_format: 'dd-mm-yyyy' }));
    expect(file.message).toMatch(/^1 loaded, 1 rejected/);
    expect((await quarantine('invoices')).map((x) => [x.line, x.reason])).toEqual([[2, 'not an amount with decimal ",", thousands "."']]);
  });

  it('stops on Windows-1252 bytes in a file declared UTF-8, naming the setting', async () => {
    const text = Buffer.concat([Buffer.from(`${HEADER}\n1;K1;15-01-2024;14-02-2024;100,00\n2;Caf`), Buffer.from([0xe9]), Buffer.from(';16-01-2024;15-02-2024;5,00\n')]);
    const { file } = await run(text, mapping({ date_format: 'dd-mm-yyyy', encoding: 'utf-8' }));
    expect(file.status).toBe('error');
    expect(file.message).toMatch(/not valid UTF-8.*set source\.encoding/);
  });

  it('quarantines a 100 MB single line without crashing or holding it in memory, and loads the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-bigline-'));
    const file = join(dir, 'big.csv');
    const fd = openSync(file, 'w');
    writeSync(fd, `${HEADER}\n1;K1;15-01-2024;14-02-2024;100,00\n2;K2;`);
    const block = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 100; i++) writeSync(fd, block);
    writeSync(fd, ';16-01-2024;15-02-2024;5,00\n3;K3;17-01-2024;16-02-2024;300,00\n');
    closeSync(fd);
    const m = mapping({ date_format: 'dd-mm-yyyy' });
    const before = process.memoryUsage().rss;
    const r = await ingestMapped({ lakeRoot: join(dir, 'lake'), mapping: m, files: [file], prepare: (f, s, p) => prepareCsv(m, f, s, p), maxRejectRate: 1 });
    const grown = process.memoryUsage().rss - before;
    expect(r.files[0]!.message).toMatch(/^2 loaded, 1 rejected of 3 source rows/);
    expect(r.files[0]!.tables[0]!.topReasons[0]!.reason).toBe('line too long');
    expect(r.files[0]!.tables[0]!.topReasons[0]!.sample.detail).toMatch(/^10485\d+ characters, over the limit of 1048576/);
    expect(r.files[0]!.tables[0]!.topReasons[0]!.sample.line).toBe(3);
    expect(grown).toBeLessThan(90 * 1024 * 1024);
  });

  it('gives a clear error for a file that is one 100 MB line with no header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-oneline-'));
    const file = join(dir, 'blob.csv');
    const fd = openSync(file, 'w');
    const block = Buffer.alloc(1 << 20, 'y;');
    for (let i = 0; i < 100; i++) writeSync(fd, block);
    closeSync(fd);
    const m = mapping({ date_format: 'dd-mm-yyyy' });
    const r = await ingestMapped({ lakeRoot: join(dir, 'lake'), mapping: m, files: [file], prepare: (f, s, p) => prepareCsv(m, f, s, p) });
    expect(r.files[0]!.status).toBe('error');
    expect(r.files[0]!.message).toMatch(/line 1 is \d+ characters long, over the limit of 1048576: not a CSV export/);
    expect(existsSync(join(dir, 'lake', 'manifests'))).toBe(false);
  });

  it('names the missing column when a mapping does not fit the file', async () => {
    const { file } = await run('nummer;klant;datum\n1;K1;15-01-2024\n', mapping({ date_format: 'dd-mm-yyyy' }));
    expect(file.status).toBe('error');
    expect(file.message).toMatch(/refers to columns "nr", "bedrag", "vervaldatum", which the file does not have \(columns: nummer, klant, datum\)/);
  });
});
