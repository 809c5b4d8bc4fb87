/**
 * Committed-only raw reads on Athena, run for real on Trino (the engine behind Athena): the statement
 * the Athena build compiles for a staging model reads the raw table, filters `"$path"` by the batch
 * manifests and retire records (text tables over manifests/ and retired/, as the stack's Glue catalog
 * has them), and returns exactly what DuckDB returns from the same lake. A batch killed before its
 * manifest — the newest file, so staging's deduplication would pick it — is invisible on both engines;
 * a retired batch too. Skipped with one line when no Trino runs, except in CI.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { restoreBatch, retireBatch } from '../../src/lake/retire.js';
import { compactTable } from '../../src/lake/compact.js';
import { PROVENANCE_COLUMNS } from '../../src/lake/provenance.js';
import { canonicalTable, quoteIdent } from '../../src/schema/index.js';
import { commitTables } from '../../src/warehouse/athena/committed-batches.js';
import { athenaTarget, compileModel, loadProject } from '../../src/warehouse/compile/index.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { trinoConnection } from '../../src/warehouse/trino/trino-connection.js';
import { TrinoEngine } from '../../src/warehouse/trino/trino-engine.js';
import { TRINO_URL, trinoAvailable } from '../support/trino.js';

const available = await trinoAvailable();

const HEADER = 'customer_id,name,kvk_number,vat_number,country,sbi_code,segment,size_class,credit_limit,currency,payment_terms_days';

describe.skipIf(!available)('Athena reads committed batches only (on Trino)', () => {
  const schema = `committed_${randomBytes(3).toString('hex')}`;
  let lake: string;
  let trino: TrinoEngine;
  const q = (name: string) => `creditlake.${quoteIdent(schema)}.${quoteIdent(name)}`;

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'creditlake-athena-committed-'));
    lake = join(work, 'lake');
    const first = join(work, 'customers-1.csv');
    writeFileSync(first, `${HEADER}\nC1,Alfa BV,12345678,,NL,4120,enterprise,large,10000.00,EUR,30\nC2,Beta BV,23456789,,NL,5610,small_business,micro,2500.00,EUR,14\n`);
    const one = await ingestFiles({ lakeRoot: lake, table: 'customers', files: [first] });
    // A later batch renaming C2, then retired: its rows must not count anywhere.
    const second = join(work, 'customers-2.csv');
    writeFileSync(second, `${HEADER}\nC2,Beta Retired BV,23456789,,NL,5610,small_business,micro,2500.00,EUR,14\n`);
    await ingestFiles({ lakeRoot: lake, table: 'customers', files: [second] });
    const store = new LocalLakeStore(lake);
    const retired = (await listManifests(store, 'customers')).find((m) => m.rows_loaded === 1)!;
    await retireBatch(store, retired, { reason: 'test' });
    // What a kill between the data put and the manifest leaves: a whole Parquet file no manifest names,
    // newest of all (2099), renaming C1: if it were read, staging's deduplication would pick it.
    const dataKey = one.files[0]!.dataKey!;
    const orphan = join(dirname(join(lake, dataKey)), '20990101T000000Z-0rphan000000.parquet');
    await withDuckDB({}, (db) =>
      db.execute(`COPY (SELECT * REPLACE ('Orphan BV' AS name) FROM '${join(lake, dataKey)}') TO '${orphan}' (FORMAT parquet)`),
    );

    trino = new TrinoEngine(trinoConnection(parseConfig({ trino: { url: TRINO_URL, schema } })));
    await trino.execute(`CREATE SCHEMA IF NOT EXISTS creditlake.${quoteIdent(schema)}`);
    const root = `local://${lake}`;
    const table = canonicalTable('customers');
    // The tables the stack's Glue catalog has: raw Parquet partitioned by ingest day, commit records as text.
    await trino.execute(
      `CREATE TABLE ${q('raw_customers')} (${[...table.columns, ...PROVENANCE_COLUMNS].map((c) => `${quoteIdent(c.name)} ${c.sqlType}`).join(', ')}, ingest_date DATE) ` +
        `WITH (external_location = '${root}/raw/customers', format = 'PARQUET', partitioned_by = ARRAY['ingest_date'])`,
    );
    await trino.execute(`CALL system.sync_partition_metadata('${schema}', 'raw_customers', 'FULL')`);
    for (const t of commitTables('customers')) {
      await trino.execute(`CREATE TABLE ${q(t.name)} (line VARCHAR) WITH (external_location = '${root}/${t.prefix.replace(/\/$/, '')}', format = 'TEXTFILE')`);
    }
  }, 5 * 60_000);

  afterAll(async () => {
    if (!trino) return;
    for (const t of ['raw_customers', ...commitTables('customers').map((c) => c.name)]) await trino.execute(`DROP TABLE IF EXISTS ${q(t)}`).catch(() => undefined);
    await trino.execute(`DROP SCHEMA IF EXISTS creditlake.${quoteIdent(schema)}`).catch(() => undefined);
    await trino.close();
  });

  const staged = async (lakeUri?: string) => {
    const project = loadProject();
    const sql = compileModel(project.find((m) => m.name === 'stg_customers')!, athenaTarget({ lakeUri }), defaultConfig(), project).sql;
    const res = await trino.query(`SELECT customer_id, name FROM (${sql}) s ORDER BY customer_id`);
    return res.rows.map((r) => `${r.customer_id} ${r.name}`);
  };

  it('the Athena build statement sees the committed, unretired batches: the same rows as DuckDB', async () => {
    // Every file Athena could list, to prove the filter is what hides the orphan and the retired batch.
    expect(await staged()).toEqual(['C1 Orphan BV', 'C2 Orphan BV']);
    const onTrino = await staged(`local://${lake}/`);
    expect(onTrino).toEqual(['C1 Alfa BV', 'C2 Beta BV']);

    const build = await buildWarehouse({ lakeRoot: lake, config: defaultConfig(), select: ['stg_customers'] });
    expect(build.ok).toBe(true);
    const duck = await withDuckDB({ path: join(lake, 'warehouse.duckdb'), readOnly: true }, (db) => db.query('SELECT customer_id, name FROM stg_customers ORDER BY customer_id'));
    expect(duck.rows.map((r) => `${r.customer_id} ${r.name}`)).toEqual(onTrino);
  });

  it('after `creditlake compact` the same rows on both engines; a retired batch inside the compacted file stays out, and comes back on restore', async () => {
    const store = new LocalLakeStore(lake);
    const r = await compactTable({ store, table: canonicalTable('customers') });
    expect([r.filesBefore, r.filesAfter]).toEqual([2, 1]);
    await trino.execute(`CALL system.sync_partition_metadata('${schema}', 'raw_customers', 'FULL')`);
    const duckRows = async () => {
      expect((await buildWarehouse({ lakeRoot: lake, config: defaultConfig(), select: ['stg_customers'] })).ok).toBe(true);
      const d = await withDuckDB({ path: join(lake, 'warehouse.duckdb'), readOnly: true }, (db) => db.query('SELECT customer_id, name FROM stg_customers ORDER BY customer_id'));
      return d.rows.map((x) => `${x.customer_id} ${x.name}`);
    };
    // Each raw row read once: through the compacted file, not also through the files it replaced.
    const rawRows = async () => Number((await trino.query(`SELECT count(*) AS n FROM ${athenaTarget({ lakeUri: `local://${lake}/` }).source(canonicalTable('customers'))} s`)).rows[0]!.n);
    expect(await rawRows()).toBe(2);
    expect(await staged(`local://${lake}/`)).toEqual(['C1 Alfa BV', 'C2 Beta BV']);
    expect(await duckRows()).toEqual(['C1 Alfa BV', 'C2 Beta BV']);
    const retired = (await listManifests(store, 'customers')).find((m) => m.rows_loaded === 1 && !m.compacted_sha256)!;
    await restoreBatch(store, retired, { reason: 'test' });
    expect(await rawRows()).toBe(3);
    expect(await staged(`local://${lake}/`)).toEqual(['C1 Alfa BV', 'C2 Beta Retired BV']);
    expect(await duckRows()).toEqual(['C1 Alfa BV', 'C2 Beta Retired BV']);
  }, 300_000);
});
