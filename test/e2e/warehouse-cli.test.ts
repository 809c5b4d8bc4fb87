import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { currentMartFile } from '../../src/lake/mart-generations.js';
import { configWith } from '../helpers/warehouse.js';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixtureLake, writeRawBatch } from '../helpers/lake-fixture.js';
import { allocation, customer, invoice, payment } from '../helpers/warehouse.js';
import { cli } from '../helpers/cli.js';

async function smallLake(): Promise<string> {
  const lake = await fixtureLake({
    customers: [customer('C1', 'enterprise'), customer('C2', 'smb')],
    invoices: [
      invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00'),
      invoice('I2', 'C2', '2024-02-10', '2024-03-11', '500.00'),
    ],
    payments: [payment('P1', 'C1', '2024-02-15', '600.00')],
    payment_allocations: [allocation('P1', 'I1', '600.00')],
  });
  // A later ingest corrects I2's amount, and a same-day later batch corrects it again: the last wins.
  await writeRawBatch(lake, 'invoices', [invoice('I2', 'C2', '2024-02-10', '2024-03-11', '450.00')], { ingestDate: '2024-03-01', batch: 'a' });
  await writeRawBatch(lake, 'invoices', [invoice('I2', 'C2', '2024-02-10', '2024-03-11', '475.00')], { ingestDate: '2024-03-01', batch: 'b' });
  return lake;
}

describe('creditlake build / query / tables', () => {
  let lake: string;
  beforeAll(async () => {
    lake = await smallLake();
  });

  // The foundation marts and their inputs; other marts in sql/ are tested by their own suites.
  const FOUNDATION = ['--select', '+ar_aging,+dso_monthly,+ar_open_items'];

  it('builds marts, the warehouse file and passing data tests, with per-model timing', async () => {
    const r = await cli(lake, 'build', '--lake', lake, ...FOUNDATION);
    // Only the completeness warning this ledger earns (it has no credit reports), no error.
    expect(r.stderr).toMatch(/^(warning: not meaningful: customer_risk[^\n]*\n)$/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/parquet\s+ar_open_items\s+\d+ rows\s+\d+ ms/);
    expect(r.stdout).toMatch(/pass\s+ar_reconciles_to_ledger/);
    expect(r.stdout).toMatch(/^ok: \d+ marts written/m);
    for (const m of ['ar_open_items', 'ar_aging', 'dso_monthly']) expect(currentMartFile(lake, m)).toMatch(new RegExp(`marts/${m}/[^/]+\\.parquet$`));
    expect(existsSync(join(lake, 'warehouse.duckdb'))).toBe(true);
  });

  it('queries canonical tables (deduplicated: latest ingest, then latest batch) and marts as csv and json', async () => {
    const csv = await cli(lake, 'query', '--lake', lake, '--format', 'csv', 'SELECT document_id, amount FROM invoices ORDER BY document_id');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('document_id,amount\r\nI1,1000.00\r\nI2,475.00\r\n');
    const json = await cli(lake, 'query', '--lake', lake, '--json', `SELECT as_of_date, open_amount FROM ar_aging WHERE segment = 'ALL' AND bucket = 'not due' ORDER BY 1`);
    expect(JSON.parse(json.stdout)).toEqual([
      { as_of_date: '2024-01-31', open_amount: '1000.00' },
      { as_of_date: '2024-02-29', open_amount: '475.00' },
    ]);
    const table = await cli(lake, 'query', '--lake', lake, 'SELECT count(*) AS n FROM stg_payments');
    expect(table.stdout).toMatch(/^n\n-+\n1\n\(1 row\)\n$/);
  });

  it('reads SQL from a file and exits 1 with the DuckDB message on an SQL error', async () => {
    const f = join(lake, 'q.sql');
    writeFileSync(f, 'SELECT month, dso FROM dso_monthly WHERE group_by = \'ALL\' ORDER BY month;\n');
    const ok = await cli(lake, 'query', '--lake', lake, '-f', f, '--format', 'csv');
    expect(ok.stdout.split('\r\n')[0]).toBe('month,dso');
    const bad = await cli(lake, 'query', '--lake', lake, 'SELECT nope FROM invoices');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/Binder Error.*nope/);
  });

  it('lists tables and marts with typed, described columns', async () => {
    const r = await cli(lake, 'tables', '--json');
    const tables = JSON.parse(r.stdout) as { name: string; kind: string; columns: { name: string; type: string; description: string }[] }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['invoices', 'payments', 'ar_open_items', 'ar_aging', 'dso_monthly']));
    const dso = tables.find((t) => t.name === 'dso_monthly')!;
    expect(dso.kind).toBe('mart');
    expect(dso.columns.find((c) => c.name === 'dso_countback')).toMatchObject({ type: 'DOUBLE' });
    for (const t of tables) for (const c of t.columns) expect(c.description.length, `${t.name}.${c.name}`).toBeGreaterThan(5);
    const text = await cli(lake, 'tables', 'ar_aging');
    expect(text.stdout).toMatch(/^ar_aging \(mart/);
    expect(text.stdout).toMatch(/open_amount\s+DECIMAL\(18,2\) NOT NULL\s+Sum of open amounts/);
  });

  it('--select rebuilds a corner: +m upstream, m alone (m+ is covered by the graph unit test)', async () => {
    const parquet = (report: { models: { name: string; materialised: string }[] }) =>
      report.models.filter((m) => m.materialised === 'parquet').map((m) => m.name).sort();
    // open_invoice_counts reads the ar_open_items mart: +m rebuilds that upstream mart too.
    const up = JSON.parse((await cli(lake, 'build', '--lake', lake, '--json', '--select', '+open_invoice_counts')).stdout);
    expect(parquet(up)).toEqual(['ar_open_items', 'open_invoice_counts']);
    expect(up.models.find((m: { name: string }) => m.name === 'dso_monthly').materialised).toBe('existing');
    const one = JSON.parse((await cli(lake, 'build', '--lake', lake, '--json', '--select', 'dso_monthly')).stdout);
    expect(parquet(one)).toEqual(['dso_monthly']);
    expect(one.ok).toBe(true);
    expect(one.tests.map((t: { name: string }) => t.name)).toContain('dso_monthly_ties_to_aging');
    expect(one.tests.map((t: { name: string }) => t.name)).not.toContain('unique__stg_invoices');
  });

  it('refuses to build a mart whose upstream mart was never built', async () => {
    const fresh = await smallLake();
    const r = await cli(fresh, 'build', '--lake', fresh, '--select', 'open_invoice_counts');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/open_invoice_counts needs ar_open_items/);
  });

  it('exits 1 naming the failing data test and showing failing rows', async () => {
    const broken = await smallLake();
    // a batch written by something other than ingest, with a missing customer
    await writeRawBatch(broken, 'invoices', [invoice('I9', null as unknown as string, '2024-02-01', '2024-03-01', '10.00')], {
      ingestDate: '2024-03-02',
    });
    const r = await cli(broken, 'build', '--lake', broken, ...FOUNDATION);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+not_null__stg_invoices/);
    expect(r.stderr).toMatch(/data test not_null__stg_invoices failed \(1 rows\)/);
    expect(r.stderr).toMatch(/I9/);
    expect(r.stdout).toMatch(/^FAILED:/m);
  });

  it('fails a mart whose columns differ from its declared zod schema, naming the differences', async () => {
    const sqlDir = mkdtempSync(join(tmpdir(), 'creditlake-sql-'));
    cpSync(new URL('../../sql/', import.meta.url), sqlDir, { recursive: true });
    writeFileSync(
      join(sqlDir, 'marts', 'ar_aging.sql'),
      "SELECT as_of_date, 'ALL' AS group_by, CAST(open_amount AS DOUBLE) AS open_amount FROM {{ ref('ar_open_items') }}",
    );
    const fresh = await smallLake();
    await expect(buildWarehouse({ lakeRoot: fresh, config: configWith(), sqlDir, select: ['+ar_aging'] })).rejects.toThrow(
      /mart ar_aging does not match its declared schema[\s\S]*missing column group_value VARCHAR[\s\S]*column open_amount is DOUBLE, declared DECIMAL\(18,2\)/,
    );
    // the failed build left the previous warehouse (none) and no half-written mart behind
    expect(existsSync(join(fresh, 'marts', 'ar_aging'))).toBe(false);
    expect(existsSync(join(fresh, 'warehouse.duckdb'))).toBe(false);
  });
});
