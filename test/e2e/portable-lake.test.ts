import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

// Issue 15: warehouse.duckdb stored absolute paths, so a copied or moved lake broke every view
// ("No files found") or a copy silently read the original's data.
describe('a lake is portable', () => {
  let work: string;
  const total = async (cwd: string, lake: string) => {
    const r = await cli(cwd, 'query', 'SELECT count(*) AS n, sum(amount) AS total FROM invoices', '--lake', lake, '--format', 'csv');
    return r;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'creditlake-portable-'));
    writeFileSync(
      join(work, 'invoices.csv'),
      'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\n' +
        'I1,C1,invoice,2024-01-05,2024-02-04,1000.00,EUR\nI2,C2,invoice,2024-02-10,2024-03-11,500.00,EUR\n',
    );
    writeFileSync(join(work, 'customers.csv'), 'customer_id,name,country,segment,size_class,currency,payment_terms_days\nC1,One,NL,enterprise,large,EUR,30\nC2,Two,NL,smb,small,EUR,30\n');
    for (const t of ['customers', 'invoices']) {
      const r = await cli(work, 'ingest', `${t}.csv`, '--table', t, '--lake', 'original');
      expect(r.code, r.stderr).toBe(0);
    }
    const b = await cli(work, 'build', '--lake', 'original', '--select', '+ar_open_items');
    expect(b.code, b.stderr + b.stdout).toBe(0);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('keeps no absolute path in the warehouse views', async () => {
    const views = await withDuckDB({ path: join(work, 'original', 'warehouse.duckdb'), readOnly: true, threads: 1 }, (db) =>
      db.query(`SELECT view_name, sql FROM duckdb_views() WHERE NOT internal`),
    );
    expect(views.rows.length).toBeGreaterThan(5);
    for (const v of views.rows) expect(String(v.sql), String(v.view_name)).not.toContain(work);
  });

  it('answers from a copy, from another working folder, reading the copy and not the original', async () => {
    cpSync(join(work, 'original'), join(work, 'copy'), { recursive: true });
    const martSql = 'SELECT count(*) AS n, max(invoice_date) AS last FROM ar_open_items';
    const martBefore = await cli(work, 'query', martSql, '--lake', 'copy', '--format', 'csv');
    expect(martBefore.stdout).toMatch(/^n,last\r\n[1-9]\d*,2024-02-10\r\n$/);
    // Change the original after copying: the copy must not see it.
    const more = join(work, 'more.csv');
    writeFileSync(more, 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI3,C1,invoice,2024-03-01,2024-03-31,99.99,EUR\n');
    expect((await cli(work, 'ingest', more, '--table', 'invoices', '--lake', 'original')).code).toBe(0);
    expect((await cli(work, 'build', '--lake', 'original', '--select', '+ar_open_items')).code).toBe(0);

    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const copy = await total(elsewhere, join(work, 'copy'));
    expect(copy.stderr).toBe('');
    expect(copy.stdout).toBe('n,total\r\n2,1500.00\r\n');
    // Run from inside the original lake: relative paths must not resolve against the working folder.
    const fromOriginal = await total(join(work, 'original'), join(work, 'copy'));
    expect(fromOriginal.stdout).toBe('n,total\r\n2,1500.00\r\n');
    expect((await total(elsewhere, join(work, 'original'))).stdout).toBe('n,total\r\n3,1599.99\r\n');
    const marts = await cli(elsewhere, 'query', martSql, '--lake', join(work, 'copy'), '--format', 'csv');
    expect(marts.stdout).toBe(martBefore.stdout);
    const martsOriginal = await cli(elsewhere, 'query', martSql, '--lake', join(work, 'original'), '--format', 'csv');
    expect(martsOriginal.stdout).toMatch(/,2024-03-01\r\n$/);
  });

  it('answers from a moved lake', async () => {
    renameSync(join(work, 'copy'), join(work, 'moved'));
    const r = await total(tmpdir(), join(work, 'moved'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('n,total\r\n2,1500.00\r\n');
  });

  it('tells another tool how to point the warehouse at its lake', async () => {
    const err = await withDuckDB({ threads: 1 }, async (db) => {
      await db.execute(`ATTACH '${join(work, 'moved', 'warehouse.duckdb')}' AS w (READ_ONLY)`);
      return db.query('SELECT count(*) FROM w.invoices').then(
        () => '',
        (e: Error) => e.message,
      );
    });
    expect(err).toMatch(/SET VARIABLE lake = '\/path\/to\/lake'/);
  });
});
