/**
 * Issue 11 item 8, "15 e-invoice files report '15 loaded' but 7 invoices remain (a credit note with the
 * same number replaced an invoice; an NOK invoice was replaced by an EUR one)": a key that arrives
 * again is reported as a replaced version with what changed, and an invoice and a credit note sharing
 * a document number are quarantined as a conflict (naming file, line and field) unless the mapping
 * declares numbers unique per document type. Through the CLI, on the real e-invoice examples and on
 * small hand-made files; no build (ingest alone decides all of this).
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { cli, INVOICES_HEADER, workFolder, writeCsv, type CliResult } from '../support/run-cli.js';

const UBL = join(import.meta.dirname, '../fixtures/ubl');

async function rawRows(sql: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDBEngine.open();
  try {
    return (await engine.query(sql)).rows;
  } finally {
    await engine.close();
  }
}

describe('the 15 e-invoice examples in one folder (the reproduction)', () => {
  const work = workFolder('einvoice-versions');
  let run: CliResult;
  beforeAll(async () => {
    mkdirSync(join(work, 'inbox'));
    for (const d of ['peppol', 'si-ubl']) for (const f of readdirSync(join(UBL, d))) copyFileSync(join(UBL, d, f), join(work, 'inbox', f));
    run = await cli(work, 'ingest', '--lake', 'lake', 'inbox');
  }, 120_000);

  it('says the EUR TOSL108 replaced the NOK one, and what changed', () => {
    expect(run.stdout).toMatch(
      /SI-UBL-2\.0_ok_full\.xml: 1 loaded, 0 rejected of 1 source rows, 1 earlier version of rows replaced\n(?:.*\n)*? {2}invoices: 1 loaded, 0 rejected, 1 earlier version replaced/,
    );
    expect(run.stdout).toContain(
      'replaced (the new rows win), e.g. TOSL108 (customer_id, invoice_date, due_date, currency, amount, payment_reference changed; was in peppol-bis3_Norwegian-example-1.xml, batch ',
    );
  });

  it('quarantines the documents whose number an earlier file holds as the other type, naming file, line and field; exit 1', async () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('total: 15 files, 11 loaded, 4 rejected');
    expect(run.stdout).toMatch(
      /1 × invoice and credit note share a document number \[document_id\]: e\.g\. peppol-bis3_base-creditnote-correction\.xml line 1: document_id "Snippet1" is a credit note here but an invoice in peppol-bis3_Allowance-example\.xml \(batch /,
    );
    const q = await rawRows(`SELECT source_file, line, column_name, reason FROM read_parquet('${work}/lake/quarantine/invoices/*.parquet') ORDER BY source_file`);
    expect(q.map((r) => `${r.source_file}:${r.line}:${r.column_name}: ${r.reason}`)).toEqual([
      'SI-UBL-2.0_ok_allowance.xml:1:document_id: invoice and credit note share a document number',
      'SI-UBL-2.0_ok_charge.xml:1:document_id: invoice and credit note share a document number',
      'SI-UBL-2.0_ok_minimal.xml:1:document_id: invoice and credit note share a document number',
      'peppol-bis3_base-creditnote-correction.xml:1:document_id: invoice and credit note share a document number',
    ]);
  });

  it('accounts for every loaded row: documents that remain + versions replaced = rows loaded', async () => {
    const replaced = [...run.stdout.matchAll(/invoices: \d+ loaded, \d+ rejected, (\d+) earlier versions? replaced/g)].reduce((a, m) => a + Number(m[1]), 0);
    const [row] = await rawRows(`SELECT count(*) AS loaded, count(DISTINCT document_id) AS documents FROM read_parquet('${work}/lake/raw/invoices/*/*.parquet')`);
    expect(Number(row!.loaded)).toBe(11);
    expect(Number(row!.documents)).toBe(7);
    expect(replaced).toBe(4);
  });

  it('--json carries the versions replaced per table, with examples', async () => {
    const lake = join(work, 'lake-json');
    const one = await cli(work, 'ingest', '--lake', lake, '--json', join(UBL, 'peppol/peppol-bis3_Norwegian-example-1.xml'));
    expect(one.code, one.stderr).toBe(0);
    const two = await cli(work, 'ingest', '--lake', lake, '--json', join(UBL, 'si-ubl/SI-UBL-2.0_ok_full.xml'));
    expect(two.code, two.stderr).toBe(0);
    const out = JSON.parse(two.stdout) as { files: { tables: { table: string; versions?: { replaced: number; unchanged: number; examples: string[] } }[] }[] };
    const inv = out.files[0]!.tables.find((t) => t.table === 'invoices')!;
    expect(inv.versions?.replaced).toBe(1);
    expect(inv.versions?.examples[0]).toMatch(/^TOSL108 \(customer_id, invoice_date, due_date, currency, amount, payment_reference changed; was in peppol-bis3_Norwegian-example-1\.xml, batch /);
  });
});

describe('canonical CSV: conflicts in one export, versions across exports', () => {
  const work = workFolder('doc-conflicts');
  let first: CliResult;
  beforeAll(async () => {
    const f = writeCsv(work, 'invoices', INVOICES_HEADER, [
      ['100', 'C1', 'invoice', '2024-01-05', '2024-02-04', 'EUR', '1000.00', '', ''],
      ['101', 'C1', 'invoice', '2024-01-06', '2024-02-05', 'EUR', '250.00', '', ''],
      ['100', 'C1', 'credit_note', '2024-01-20', '2024-01-20', 'EUR', '-300.00', '', ''],
      ['102', 'C2', 'invoice', '2024-01-07', '2024-02-06', 'EUR', '80.00', '', ''],
    ]);
    first = await cli(work, 'ingest', '--lake', 'lake', '--table', 'invoices', f);
  }, 60_000);

  it('quarantines both rows of a number used by an invoice and a credit note, lands the rest, exit 1', async () => {
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('invoices.csv: 2 loaded, 2 rejected');
    expect(first.stdout).toContain(
      '2 × invoice and credit note share a document number [document_id]: e.g. invoices.csv line 2, column document_id: document_id "100" is invoice on line 2, credit_note on line 4',
    );
    const q = await rawRows(`SELECT line, column_name, reason FROM read_parquet('${work}/lake/quarantine/invoices/*.parquet') ORDER BY line`);
    expect(q).toEqual([
      { line: 2n, column_name: 'document_id', reason: 'invoice and credit note share a document number' },
      { line: 4n, column_name: 'document_id', reason: 'invoice and credit note share a document number' },
    ].map((r) => ({ ...r, line: expect.anything() })));
    expect(q.map((r) => Number(r.line))).toEqual([2, 4]);
  });

  it('a later export changing a document reports the earlier version it replaces; an unchanged repeat is not a replacement', async () => {
    const f = join(work, 'invoices-feb.csv');
    writeFileSync(
      f,
      [INVOICES_HEADER, '101,C1,invoice,2024-01-06,2024-02-05,EUR,275.00,,', '102,C2,invoice,2024-01-07,2024-02-06,EUR,80.00,,', '103,C2,invoice,2024-02-01,2024-03-02,EUR,10.00,,'].join('\n') + '\n',
    );
    const r = await cli(work, 'ingest', '--lake', 'lake', '--table', 'invoices', '--json', f);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { files: { message: string; versions: { replaced: number; unchanged: number; examples: string[] } }[] };
    expect(out.files[0]!.versions).toMatchObject({ replaced: 1, unchanged: 1 });
    expect(out.files[0]!.versions.examples).toEqual([expect.stringMatching(/^101 \(amount changed; was in invoices\.csv, batch \S+\)$/)]);
    expect(out.files[0]!.message).toBe('3 loaded, 0 rejected, 1 earlier version replaced');
    // The credit note 100 arriving alone now meets no invoice 100 (that row never landed): it loads.
    const cn = join(work, 'cn.csv');
    writeFileSync(cn, [INVOICES_HEADER, '100,C1,credit_note,2024-01-20,2024-01-20,EUR,-300.00,,', '101,C1,credit_note,2024-02-10,2024-02-10,EUR,-275.00,,'].join('\n') + '\n');
    const c = await cli(work, 'ingest', '--lake', 'lake', '--table', 'invoices', cn);
    expect(c.code).toBe(1);
    expect(c.stdout).toContain('cn.csv: 1 loaded, 1 rejected');
    expect(c.stdout).toMatch(/document_id "101" is a credit note here but an invoice in invoices-feb\.csv \(batch /);
  });
});

describe('a mapping that declares document numbers unique per document type', () => {
  it('lands an invoice and a credit note of the same number, the credit note as CN:<number> in every table of its line', async () => {
    const work = workFolder('unique-per-type');
    const mapping = (scope?: string) => ({
      name: 'own-erp',
      description: 'invoices and credit notes numbered in separate series',
      ...(scope ? { document_ids: scope } : {}),
      source: { delimiter: ';', date_format: 'dd-mm-yyyy', decimal: ',' },
      tables: {
        invoices: {
          columns: {
            document_id: 'Nummer',
            customer_id: 'Debiteur',
            document_type: { map: { value: 'Soort', values: { F: 'invoice', C: 'credit_note' } } },
            invoice_date: 'Datum',
            due_date: 'Vervaldatum',
            currency: { const: 'EUR' },
            amount: 'Bedrag',
          },
        },
        write_offs: {
          where: [{ column: 'Afgeboekt', not_empty: true }],
          columns: { document_id: 'Nummer', customer_id: 'Debiteur', write_off_date: 'Afgeboekt', amount: 'Bedrag', reason: { const: 'uncollectible' } },
        },
        // A refund paid out against the credit note, on the credit note's own line.
        payment_allocations: {
          where: [{ column: 'Terugbetaald', not_empty: true }],
          columns: { payment_id: { concat: [{ const: 'R-' }, 'Nummer'] }, document_id: 'Nummer', amount: 'Terugbetaald' },
        },
      },
    });
    writeFileSync(join(work, 'split.json'), JSON.stringify(mapping('unique_per_type')));
    writeFileSync(join(work, 'plain.json'), JSON.stringify(mapping()));
    writeFileSync(
      join(work, 'export.csv'),
      'Nummer;Debiteur;Soort;Datum;Vervaldatum;Bedrag;Afgeboekt;Terugbetaald\n2024-7;K1;F;05-01-2024;04-02-2024;500,00;;\n2024-7;K1;C;20-01-2024;20-01-2024;-100,00;;-100,00\n2024-8;K2;F;06-01-2024;05-02-2024;40,00;30-06-2024;\n',
    );
    const plain = await cli(work, 'ingest', '--lake', 'plain-lake', '--mapping', 'plain.json', 'export.csv');
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('1 loaded, 2 rejected of 3 source rows');
    expect(plain.stdout).toContain('1 × rejected with its other rows from the same line');
    expect(plain.stdout).toContain('document_id "2024-7" is invoice on line 2, credit_note on line 3');

    const r = await cli(work, 'ingest', '--lake', 'lake', '--mapping', 'split.json', 'export.csv');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const inv = await rawRows(`SELECT document_id, document_type, CAST(amount AS VARCHAR) AS amount FROM read_parquet('${work}/lake/raw/invoices/*/*.parquet') ORDER BY 1`);
    expect(inv).toEqual([
      { document_id: '2024-7', document_type: 'invoice', amount: '500.00' },
      { document_id: '2024-8', document_type: 'invoice', amount: '40.00' },
      { document_id: 'CN:2024-7', document_type: 'credit_note', amount: '-100.00' },
    ]);
    const wo = await rawRows(`SELECT document_id FROM read_parquet('${work}/lake/raw/write_offs/*/*.parquet')`);
    expect(wo).toEqual([{ document_id: '2024-8' }]);
    const alloc = await rawRows(`SELECT payment_id, document_id, CAST(amount AS VARCHAR) AS amount FROM read_parquet('${work}/lake/raw/payment_allocations/*/*.parquet')`);
    expect(alloc).toEqual([{ payment_id: 'R-2024-7', document_id: 'CN:2024-7', amount: '-100.00' }]);

    writeFileSync(join(work, 'bad.json'), JSON.stringify({ ...mapping('unique_per_type'), tables: { write_offs: mapping().tables.write_offs } }));
    const bad = await cli(work, 'ingest', '--lake', 'lake', '--mapping', 'bad.json', 'export.csv');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unique_per_type needs the mapping to map document_type/);
  }, 60_000);
});
