import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { defaultConfig } from '../../src/config/config.js';
import { readLocalBuildMarker } from '../../src/lake/mart-generations.js';
import { compileModel, duckdbTarget, loadProject } from '../../src/warehouse/compile/index.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { committedRawSources } from '../../src/warehouse/lake-sources.js';

// The warehouse's staging and intermediate views used to be their SQL over views over the raw files:
// every analyst query recomputed the whole tree (a count over int_ar_item_events took 36 s on the demo
// lake). They now read the rows the build computed, published per build as marts are.
describe('staging and intermediate models are published as the rows the build computed', () => {
  let work: string;
  const lake = () => join(work, 'lake');
  const marker = () => readLocalBuildMarker(lake())!;
  const warehouse = <T>(fn: (q: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>) =>
    withDuckDB({ path: join(lake(), 'warehouse.duckdb'), lakeRoot: lake(), readOnly: true, threads: 1 }, (db) =>
      fn(async (sql) => (await db.query(sql)).rows),
    );
  const ingestInvoice = async (id: string) => {
    const file = join(work, `${id}.csv`);
    writeFileSync(file, `document_id,customer_id,document_type,invoice_date,due_date,amount,currency\n${id},${firstCustomer},invoice,2026-10-30,2026-11-29,123.45,EUR\n`);
    const r = await cli(work, 'ingest', file, '--table', 'invoices', '--lake', 'lake');
    expect(r.code, r.stderr).toBe(0);
  };
  let firstCustomer = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'creditlake-published-models-'));
    const r = await cli(work, 'demo', '--customers', '30', '--months', '6', '--no-serve', '--lake', 'lake', '--out', 'data');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    firstCustomer = readFileSync(join(work, 'data', 'customers.csv'), 'utf8').split('\n')[1]!.split(',')[0]!;
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('reads each cached model from its published file, with the rows its SQL gives', async () => {
    const files = marker().model_files ?? {};
    for (const m of ['stg_invoices', 'stg_payments', 'int_ar_item_events', 'int_ar_open_stretches', 'int_cash_flows', 'int_customer_groups']) {
      expect(files[m]?.file, m).toBe(`models/${m}/${marker().build_id}.parquet`);
      expect(existsSync(join(lake(), files[m]!.file)), m).toBe(true);
    }
    const project = loadProject();
    const sources = await committedRawSources(lake());
    const target = duckdbTarget({ tablesWithFiles: new Set(sources.files.keys()), committedFiles: sources.files, compacted: sources.compacted });
    await warehouse(async (q) => {
      const views = new Map((await q(`SELECT view_name, sql FROM duckdb_views() WHERE NOT internal`)).map((v) => [String(v.view_name), String(v.sql)]));
      for (const [m, f] of Object.entries(files)) expect(views.get(m), m).toContain(`'${f.file}'`);
      // The canonical name of a staging model reads the same file.
      expect(views.get('invoices')).toContain(`'${files.stg_invoices!.file}'`);
      // Each published file against its model's SQL run over the published models it refs: the same
      // rows (multiset), the same column types.
      for (const name of ['stg_invoices', 'int_ar_item_events', 'int_cash_flows', 'int_customer_groups']) {
        const sql = compileModel(project.find((p) => p.name === name)!, target, defaultConfig(), project).sql;
        const [diff] = await q(`SELECT (SELECT count(*) FROM (FROM ${name} EXCEPT ALL (${sql}))) + (SELECT count(*) FROM ((${sql}) EXCEPT ALL FROM ${name})) AS n`);
        expect(Number(diff!.n), name).toBe(0);
        const published = await q(`DESCRIBE ${name}`);
        const computed = await q(`DESCRIBE (${sql})`);
        expect(published.map((c) => [c.column_name, c.column_type]), name).toEqual(computed.map((c) => [c.column_name, c.column_type]));
      }
      const [n] = await q(`SELECT count(*) AS n FROM int_ar_item_events`);
      expect(Number(n!.n)).toBeGreaterThan(100);
    });
  }, 120_000);

  it('keeps answering when the model cache is deleted (the published file is a link of its own)', async () => {
    const before = await warehouse((q) => q(`SELECT count(*) AS n, sum(cash_received) AS total FROM int_cash_flows`));
    rmSync(join(lake(), '_cache'), { recursive: true, force: true });
    const after = await warehouse((q) => q(`SELECT count(*) AS n, sum(cash_received) AS total FROM int_cash_flows`));
    expect(after).toEqual(before);
  }, 60_000);

  it('keeps a file while its rows are unchanged, publishes a new one when they change, and sweeps the generation before the previous', async () => {
    // The cache was deleted above: this build computes everything again, with the same fingerprints.
    const first = marker();
    expect((await cli(work, 'build', '--lake', 'lake')).code).toBe(0);
    const second = marker();
    expect(second.build_id).not.toBe(first.build_id);
    expect(second.model_files).toEqual(first.model_files);
    expect(readdirSync(join(lake(), 'models', 'stg_invoices'))).toHaveLength(1);

    await ingestInvoice('PUBLISHED-1');
    expect((await cli(work, 'build', '--lake', 'lake')).code).toBe(0);
    const third = marker();
    expect(third.model_files!.stg_invoices!.file).not.toBe(second.model_files!.stg_invoices!.file);
    // A model whose inputs did not change keeps its file (credit reports do not read invoices).
    expect(third.model_files!.stg_credit_reports).toEqual(second.model_files!.stg_credit_reports);
    // The previous generation stays for readers that still have the old warehouse open.
    expect(existsSync(join(lake(), second.model_files!.stg_invoices!.file))).toBe(true);
    // A --select build computes what it selects without the model cache; what it does not compute
    // keeps the published rows of the same fingerprint, so analysts' views stay files.
    expect((await cli(work, 'build', '--lake', 'lake', '--select', '+dso_monthly')).code).toBe(0);
    const selective = marker();
    expect(selective.model_files!.stg_credit_reports).toEqual(third.model_files!.stg_credit_reports);
    await warehouse(async (q) => {
      const [v] = await q(`SELECT sql FROM duckdb_views() WHERE view_name = 'stg_credit_reports'`);
      expect(String(v!.sql)).toContain(`'${third.model_files!.stg_credit_reports!.file}'`);
    });
    const [row] = await warehouse((q) => q(`SELECT count(*) AS n FROM invoices WHERE document_id = 'PUBLISHED-1'`));
    expect(Number(row!.n)).toBe(1);

    await ingestInvoice('PUBLISHED-2');
    expect((await cli(work, 'build', '--lake', 'lake')).code).toBe(0);
    const fourth = marker();
    expect(existsSync(join(lake(), second.model_files!.stg_invoices!.file))).toBe(false);
    expect(existsSync(join(lake(), third.model_files!.stg_invoices!.file))).toBe(true);
    // A layered model (the new invoice's row over the earlier rows: cache-layers.ts) has its layer's two files beside it.
    expect(fourth.model_files!.stg_invoices!.layer).toBeDefined();
    expect(readdirSync(join(lake(), 'models', 'stg_invoices')).sort()).toEqual(
      [third, fourth]
        .flatMap((m) => {
          const p = m.model_files!.stg_invoices!;
          return [p.file, ...(p.layer ? [p.layer.keys, p.layer.rows] : [])];
        })
        .map((f) => f.split('/').pop())
        .sort(),
    );
    const [published] = await warehouse((q) => q(`SELECT count(*) AS n FROM invoices WHERE document_id IN ('PUBLISHED-1', 'PUBLISHED-2')`));
    expect(Number(published!.n)).toBe(2);
  }, 300_000);
});
