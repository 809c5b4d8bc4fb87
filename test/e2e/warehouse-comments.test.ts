import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, configWith, customer, invoice, payment, allocation, type BuiltFixture } from '../helpers/warehouse.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { canonicalTable } from '../../src/schema/index.js';
import { martTable } from '../../src/schema/marts/index.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import type { Row } from '../../src/warehouse/engine.js';

// Issue 15: column descriptions lived only in `creditlake tables`; DBeaver, Metabase or
// duckdb_columns() saw none, and the stg_*/int_* views had none at all.
describe('the warehouse carries its descriptions as COMMENT ON', () => {
  let f: BuiltFixture;
  let views: Row[];
  let columns: Row[];
  beforeAll(async () => {
    f = await buildFixture({
      customers: [customer('C1', 'enterprise')],
      invoices: [invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00')],
      payments: [payment('P1', 'C1', '2024-02-15', '600.00')],
      payment_allocations: [allocation('P1', 'I1', '600.00')],
    });
    // A plain DuckDB client (no creditlake code): what DBeaver or Metabase would read.
    await withDuckDB({ path: join(f.lakeRoot, 'warehouse.duckdb'), readOnly: true, threads: 1 }, async (db) => {
      views = (await db.query(`SELECT view_name, comment FROM duckdb_views() WHERE NOT internal`)).rows;
      columns = (await db.query(`SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal`)).rows;
    });
  });

  it('on every view: canonical tables, staging, intermediate models and marts', () => {
    const kinds = ['invoices', 'stg_invoices', 'int_ar_documents', 'ar_aging'];
    for (const k of kinds) expect(views.map((v) => v.view_name)).toContain(k);
    for (const v of views) expect(v.comment, String(v.view_name)).toBeTruthy();
    const by = (n: string) => views.find((v) => v.view_name === n)!.comment;
    expect(by('invoices')).toBe(canonicalTable('invoices').description);
    expect(by('stg_invoices')).toContain(canonicalTable('invoices').description);
    expect(by('ar_aging')).toBe(martTable('ar_aging')!.description);
    expect(by('int_ar_documents')).toMatch(/^Every document with the AR item it belongs to/);
  });

  it('on every column of every view, intermediate models included', () => {
    const bare = columns.filter((c) => !c.comment).map((c) => `${c.table_name}.${c.column_name}`);
    // A new intermediate column needs its line in INTERMEDIATE_COLUMNS (src/warehouse/describe.ts).
    expect(bare.join(' '), 'columns without a description: add them to src/warehouse/describe.ts').toBe('');
  });

  it('on every column of the canonical tables, their staging views and the marts, from the zod schemas', () => {
    for (const name of ['invoices', 'stg_invoices', 'customers', 'stg_customers', 'ar_open_items', 'ar_aging', 'dso_monthly']) {
      const declared = martTable(name) ?? canonicalTable(name.replace(/^stg_/, ''));
      const cols = columns.filter((c) => c.table_name === name);
      expect(cols.length, name).toBeGreaterThan(0);
      for (const c of cols) {
        const want = declared.columns.find((x) => x.name === c.column_name)?.description;
        expect(c.comment, `${name}.${c.column_name}`).toBe(want ?? c.comment);
        expect(c.comment, `${name}.${c.column_name}`).toBeTruthy();
      }
    }
  });

  it('a build starting from a copy of the published file rewrites a comment that differs and keeps the others', async () => {
    // Only comments that differ from the catalog's are written: a stale one in the published file
    // (as an older Creditlake's wording would be) must not survive the next build.
    await withDuckDB({ path: join(f.lakeRoot, 'warehouse.duckdb'), threads: 1 }, async (db) => {
      await db.execute(`COMMENT ON VIEW main.ar_aging IS 'stale'`);
      await db.execute(`COMMENT ON COLUMN main.stg_invoices.amount IS 'stale'`);
      await db.execute(`CHECKPOINT`);
    });
    const report = await buildWarehouse({ lakeRoot: f.lakeRoot, config: configWith(), select: ['dso_monthly'] });
    expect(report.ok).toBe(true);
    await withDuckDB({ path: join(f.lakeRoot, 'warehouse.duckdb'), readOnly: true, threads: 1 }, async (db) => {
      const after = (await db.query(`SELECT view_name, comment FROM duckdb_views() WHERE NOT internal`)).rows;
      const cols = (await db.query(`SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal`)).rows;
      expect(after.find((v) => v.view_name === 'ar_aging')!.comment).toBe(martTable('ar_aging')!.description);
      const amount = canonicalTable('invoices').columns.find((c) => c.name === 'amount')!.description;
      expect(cols.find((c) => c.table_name === 'stg_invoices' && c.column_name === 'amount')!.comment).toBe(amount);
      expect(after.length).toBe(views.length);
      for (const v of after) expect(v.comment, String(v.view_name)).toBe(views.find((x) => x.view_name === v.view_name)!.comment);
      expect(cols.filter((c) => !c.comment).map((c) => `${c.table_name}.${c.column_name}`)).toEqual([]);
    });
  });
});
