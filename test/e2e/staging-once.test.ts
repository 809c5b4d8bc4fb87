/**
 * A build computes each staging model it keeps once, in the form that ranks only the repeated keys
 * (dialect.latestVersionsOnce), while the published views keep the one-window form: a view's SQL is
 * expanded at every reference, and the repeated-keys form (three reads of the raw files) made a count
 * over int_ar_item_events on the demo lake take 134 s instead of 36 s. Both must give the latest
 * version of each re-exported key.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { configWith, customer, invoice } from '../helpers/warehouse.js';
import { fixtureLake, writeRawBatch } from '../helpers/lake-fixture.js';

describe('staging computed once, published as the one-window view', () => {
  it('the build keeps the latest version of a re-exported key; the view over staging keeps the window', async () => {
    const lakeRoot = await fixtureLake({
      customers: [customer('C1')],
      invoices: [invoice('I1', 'C1', '2024-01-05', '2024-02-04', '100.00'), invoice('I2', 'C1', '2024-01-06', '2024-02-05', '200.00')],
    });
    // A later batch re-exports I1 with another amount: the later ingest day wins.
    await writeRawBatch(lakeRoot, 'invoices', [invoice('I1', 'C1', '2024-01-05', '2024-02-04', '150.00')], { ingestDate: '2024-01-02', batch: 'b2' });
    const report = await buildWarehouse({ lakeRoot, config: configWith(), select: ['+ar_aging'], skipTests: true });
    expect(report.ok).toBe(true);
    await withDuckDB({ path: join(lakeRoot, 'warehouse.duckdb'), readOnly: true, threads: 1 }, async (db) => {
      const sql = String((await db.query(`SELECT sql FROM duckdb_views() WHERE view_name = 'stg_invoices'`)).rows[0]!.sql);
      expect(sql).toContain('version_rank');
      expect(sql).not.toContain('repeated AS');
      const rows = (await db.query(`SELECT document_id, CAST(amount AS VARCHAR) AS amount FROM stg_invoices ORDER BY document_id`)).rows;
      expect(rows).toEqual([
        { document_id: 'I1', amount: '150.00' },
        { document_id: 'I2', amount: '200.00' },
      ]);
      // What the build computed from its own table of stg_invoices: the aging holds the latest amount.
      const open = (await db.query(`SELECT CAST(sum(open_amount) AS VARCHAR) AS open FROM ar_aging WHERE group_by = 'ALL' AND as_of_date = (SELECT min(as_of_date) FROM ar_aging)`)).rows;
      expect(open).toEqual([{ open: '350.00' }]);
    });
  });
});
