import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// Issue 15: `rejects --export` wrote back canonical CSV only; a mapped ERP export's rejected lines were
// stored unquoted (values joined by the delimiter), so a line with a quoted ";" came back as more
// columns and the file could not be corrected and ingested as it was. Now the records are kept as the
// file had them and written back in its encoding, line breaks and preamble.
const work = mkdtempSync(join(tmpdir(), 'creditlake-rejects-mapped-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Rows of a raw table in the lake, read from its Parquet files. */
async function raw(lake: string, table: string, select: string): Promise<Record<string, unknown>> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const r = await con.runAndReadAll(`SELECT ${select} FROM read_parquet('${lake}/raw/${table}/*/*.parquet')`);
    return r.getRowObjectsJS()[0] as Record<string, unknown>;
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('rejects --export of a mapped ERP export', () => {
  it('Exact Online preset: Windows-1252, CRLF, quoted ";" and "" — exported as the file had them, corrected, re-ingested, nothing duplicated', async () => {
    const lake = join(work, 'lake-exact');
    // Three bad records among six: an amount that is no number, a due date that does not exist, and
    // a multi-line quoted description (with a ";" and a doubled quote) on a line whose amount is bad.
    const lines = [
      'AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef',
      '1001;Café De Schölk B.V.;20240117;15-01-2024;14-02-2024;EUR;1.234,56;0,00;Levering januari € korting;24000117;70;PO-8812',
      '1001;Café De Schölk B.V.;20240131;31-01-2024;01-03-2024;EUR;18.250,0O;0,00;"Levering ""februari""; deel 1";24000131;70;PO-8840',
      '1002;Bouwbedrijf Vlöger & Zn.;20240203;03-02-2024;17-02-2024;EUR;-150,25;0,00;Creditnota retour;24000203;70;',
      '1003;Groothandel \'t Hoekje;20240212;12-02-2024;31-02-2024;EUR;99,95;0,00;Diensten;24000212;70;REF 1',
      '1003;Groothandel \'t Hoekje;20240213;13-02-2024;14-03-2024;EUR;12,5x;0,00;"Regel 1; met ""aanhalingstekens""',
      'regel 2 €";24000213;70;REF 2',
      '1004;Zeeman Transport;20240214;14-02-2024;15-03-2024;EUR;500,00;0,00;Vracht;24000214;70;',
      'Totaal;;;;;;19.434,26;;;;;',
    ];
    writeFileSync(join(work, 'exact.csv'), windows1252(lines.join('\r\n') + '\r\n'));

    const ingest = ['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-02-16', '--lake', lake, '--max-reject-rate', '1'];
    const first = await cli(work, ...ingest, 'exact.csv');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/3 loaded, 3 rejected of 6 source rows/);

    const exp = await cli(work, 'rejects', '--export', 'exact-fix.csv', '--lake', lake);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toMatch(/wrote 3 rejected line\(s\) of exact\.csv \(customers, open_item_snapshots\) in its own layout \(windows-1252, ";", CRLF\)/);
    expect(exp.stderr).toMatch(/creditlake ingest \S*exact-fix\.csv --mapping exact-online-receivables --as-of 2024-02-16/);
    // Byte for byte the header and the bad records of the source, in its encoding and line breaks.
    const exported = readFileSync(join(work, 'exact-fix.csv'));
    expect(exported.equals(windows1252([lines[0], lines[2], lines[4], lines[5], lines[6]].join('\r\n') + '\r\n'))).toBe(true);

    // Corrected in place (as a user would, in the same encoding) and ingested as it is.
    const fixed = new TextDecoder('windows-1252').decode(exported, { stream: true }).replace('18.250,0O', '18.250,00').replace('31-02-2024', '29-02-2024').replace('12,5x', '12,50');
    writeFileSync(join(work, 'exact-fix.csv'), windows1252(fixed));
    const again = await cli(work, ...ingest, 'exact-fix.csv');
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/3 loaded, 0 rejected of 3 source rows/);

    const snap = await raw(lake, 'open_item_snapshots', `count(*)::INT AS n, count(DISTINCT document_id)::INT AS docs, sum(open_amount)::VARCHAR AS total,
      max(CASE WHEN document_id = '20240213' THEN open_amount END)::VARCHAR AS multi, count(DISTINCT snapshot_date)::INT AS dates`);
    expect(snap).toEqual({ n: 6, docs: 6, total: '19946.76', multi: '12.50', dates: 1 });
    // Customers from both files: 1001 and 1003 appear in both (a later version of the same key), nothing lost.
    expect(await raw(lake, 'customers', 'count(DISTINCT customer_id)::INT AS n')).toEqual({ n: 4 });
  });

  it('a mapping file: preamble above the header, UTF-8 with byte-order mark, LF — the preamble is written back so header_row still fits; a line the reader rejected (too many fields) comes back whole', async () => {
    const lake = join(work, 'lake-file');
    writeFileSync(
      join(work, 'export-mapping.json'),
      JSON.stringify({
        name: 'shop-export',
        description: 'invoices with a two-line preamble',
        source: { delimiter: ',', header_row: 3, date_format: 'yyyy-mm-dd', decimal: '.' },
        tables: {
          invoices: {
            columns: {
              document_id: 'nr', customer_id: 'klant', document_type: { const: 'invoice' }, invoice_date: 'datum',
              due_date: 'vervaldatum', amount: 'bedrag', currency: { const: 'EUR' },
            },
          },
        },
      }),
    );
    const text = ['Webshop export', 'gemaakt 2024-03-01', 'nr,klant,datum,vervaldatum,bedrag,omschrijving', 'W1,K1,2024-02-01,2024-03-02,10.00,"boek, nieuw"', 'W2,K2,2024-02-02,2024-03-03,"12,34.00","a ""quote"""', 'W3,K1,2024-02-03,2024-03-04,30.00,ok', 'W4,K3,2024-02-04,2024-03-05,40.00,unquoted, comma'].join('\n') + '\n';
    writeFileSync(join(work, 'shop.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const first = await cli(work, 'ingest', '--mapping', 'export-mapping.json', 'shop.csv', '--lake', lake, '--max-reject-rate', '1');
    expect(first.stdout).toMatch(/2 loaded, 2 rejected of 4 source rows/);
    const exp = await cli(work, 'rejects', 'invoices', '--export', 'shop-fix.csv', '--lake', lake);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toMatch(/\(utf-8 with byte-order mark, ",", LF\).*--mapping export-mapping\.json`/);
    const exported = readFileSync(join(work, 'shop-fix.csv'));
    expect([...exported.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(exported.subarray(3).toString()).toBe('Webshop export\ngemaakt 2024-03-01\nnr,klant,datum,vervaldatum,bedrag,omschrijving\nW2,K2,2024-02-02,2024-03-03,"12,34.00","a ""quote"""\nW4,K3,2024-02-04,2024-03-05,40.00,unquoted, comma\n');
    writeFileSync(join(work, 'shop-fix.csv'), exported.toString().replace('"12,34.00"', '1234.00').replace('unquoted, comma', '"unquoted, comma"'));
    const again = await cli(work, 'ingest', '--mapping', 'export-mapping.json', 'shop-fix.csv', '--lake', lake);
    expect(again.code, again.stdout).toBe(0);
    expect(await raw(lake, 'invoices', 'count(*)::INT AS n, count(DISTINCT document_id)::INT AS docs, sum(amount)::VARCHAR AS total')).toEqual({ n: 4, docs: 4, total: '1314.00' });
  });
});

function windows1252(text: string): Buffer {
  return Buffer.from([...text].map((c) => (c === '€' ? 0x80 : c.charCodeAt(0))));
}
