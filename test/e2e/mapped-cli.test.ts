/** `creditlake mappings` and `creditlake ingest --mapping …` through the CLI entry point. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const ERP = join(import.meta.dirname, '../fixtures/erp');

describe('creditlake mappings / ingest --mapping', () => {
  it('lists the presets, as text and as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    const text = await cli(dir, 'mappings');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^sap-fbl5n\s+SAP customer line items/m);
    const json = await cli(dir, 'mappings', '--json');
    const presets = JSON.parse(json.stdout) as { name: string; tables: string[] }[];
    expect(presets.find((p) => p.name === 'ibm-ledger')?.tables).toEqual(['customers', 'invoices', 'disputes', 'payments', 'payment_allocations']);
  });

  it('a missing xlsx sheet fails the file as unreadable, not as over the reject limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    const r = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'exact-online-receivables', '--as-of', '2024-02-16', '--sheet', 'Nope', join(ERP, 'exact-online-receivables.xlsx'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no sheet "Nope"; sheets: Info, Openstaande posten');
    expect(r.stderr).toMatch(/1 file\(s\) failed: .*exact-online-receivables\.xlsx \(unreadable\)/);
    expect(r.stderr).not.toContain('reject rate');
  });

  it('--dry-run shows the first rows as they would land and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    const r = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'sap-fbl5n', '--dry-run', '--rows', '2', join(ERP, 'sap-fbl5n.txt'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(dry run: nothing written)');
    expect(r.stdout).toContain('1000-2024-0090000101 | 0000100001 | invoice | 2024-01-05 | 2024-02-04 | EUR | 1210.00');
    expect(r.stdout).not.toContain('0090000107'); // --rows 2
    expect(existsSync(join(dir, 'lake'))).toBe(false);
  });

  it('takes a YAML mapping file with overrides, quarantines with the original line and exits 1 over the reject limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    writeFileSync(
      join(dir, 'mine.yaml'),
      [
        'name: my-export',
        'description: payments from our bank export',
        'source: { delimiter: ";", decimal: "," }',
        'tables:',
        '  payments:',
        '    columns:',
        '      payment_id: Kenmerk',
        '      customer_id: Debiteur',
        '      payment_date: Datum',
        '      amount: Bedrag',
        '      currency: { const: EUR }',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'bank.csv'), 'Kenmerk;Debiteur;Datum;Bedrag\nB1;K1;5-1-24;1.000,00\n\nB2;K2;6-1-24;0,00\nB3;K3;7-1-24;12,50\n');
    const r = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'mine.yaml', '--date-format', 'd-m-yy', 'bank.csv');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bank.csv: 2 loaded, 1 rejected of 3 source rows — reject rate 33.3% exceeds the limit 0.0%');
    expect(r.stdout).toContain('1 × payment amount is zero [amount]: e.g. bank.csv line 4');
    const ok = await cli(dir, 'ingest', '--lake', 'lake2', '--mapping', 'mine.yaml', '--date-format', 'd-m-yy', '--max-reject-rate', '50%', 'bank.csv');
    expect(ok.code).toBe(0);
  });

  it("an own mapping fills customers.account_manager from the export's owner column (no shipped preset's export has one)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    writeFileSync(
      join(dir, 'accounts.yaml'),
      [
        'name: exact-accounts',
        'description: Exact Online accounts export with their account manager',
        'source: { delimiter: ";" }',
        'tables:',
        '  customers:',
        '    columns:',
        '      customer_id: Code',
        '      name: Name',
        '      country: { const: NL }',
        '      segment: { const: unknown }',
        '      size_class: { const: unknown }',
        '      currency: { const: EUR }',
        '      payment_terms_days: { const: "30" }',
        '      account_manager: AccountManagerFullName',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'accounts.csv'), 'Code;Name;AccountManagerFullName\nK1;Bakkerij Jansen;Anna de Vries\nK2;Smit BV;\n');
    const r = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'accounts.yaml', 'accounts.csv');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await cli(dir, 'build', '--lake', 'lake')).code).toBe(0);
    const q = await cli(dir, 'query', '--lake', 'lake', '--json', 'SELECT customer_id, account_manager FROM customers ORDER BY customer_id');
    expect(JSON.parse(q.stdout)).toEqual([{ customer_id: 'K1', account_manager: 'Anna de Vries' }, { customer_id: 'K2', account_manager: null }]);
    for (const preset of ['exact-online-receivables', 'afas-debtor-open-items', 'twinfield-transactions', 'sap-fbl5n', 'sap-fbl5n-open-items', 'erpnext-sales-invoice', 'erpnext-payment-entry', 'ibm-ledger']) {
      const m = JSON.parse(readFileSync(join(import.meta.dirname, '../../src/feeds/mapping/presets', `${preset}.json`), 'utf8')) as { tables: Record<string, { columns: Record<string, unknown> }> };
      expect(m.tables.customers?.columns.account_manager, preset).toBeUndefined();
    }
  });

  it('reports an unknown preset and a bad override as usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    const r = await cli(dir, 'ingest', '--mapping', 'exact', join(ERP, 'sap-fbl5n.txt'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown mapping preset "exact"; presets: afas-debtor-open-items, /);
    const d = await cli(dir, 'ingest', '--mapping', 'sap-fbl5n', '--decimal', ';', join(ERP, 'sap-fbl5n.txt'));
    expect(d.code).toBe(2);
  });
});
