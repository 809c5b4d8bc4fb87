import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

describe('a batch without a manifest', () => {
  it('stays invisible to the warehouse: only committed batches are read', async () => {
    const work = mkdtempSync(join(tmpdir(), 'creditlake-uncommitted-'));
    const lake = join(work, 'lake');
    const csv = join(work, 'customers.csv');
    writeFileSync(
      csv,
      'customer_id,name,kvk_number,vat_number,country,sbi_code,segment,size_class,credit_limit,currency,payment_terms_days\n' +
        'C1,Alfa BV,12345678,,NL,4120,enterprise,large,10000.00,EUR,30\n' +
        'C2,Beta BV,23456789,,NL,5610,small_business,micro,2500.00,EUR,14\n',
    );
    const res = await ingestFiles({ lakeRoot: lake, table: 'customers', files: [csv] });
    const dataKey = res.files[0]!.dataKey!;
    // What a crash between the data rename and the manifest write leaves behind: a complete Parquet
    // file in the partition that no manifest names (other keys, so staging's dedup cannot hide it).
    const orphan = join(dirname(join(lake, dataKey)), '20990101T000000Z-orphan000000.parquet');
    await withDuckDB({}, (db) =>
      db.execute(`COPY (SELECT * REPLACE ('X' || customer_id AS customer_id) FROM '${join(lake, dataKey)}') TO '${orphan}' (FORMAT parquet)`),
    );

    const build = await buildWarehouse({ lakeRoot: lake, config: defaultConfig(), select: ['stg_customers'] });
    expect(build.ok).toBe(true);
    const rows = await withDuckDB({ path: join(lake, 'warehouse.duckdb'), readOnly: true }, (db) =>
      db.query('SELECT count(*) AS n FROM customers'),
    );
    expect(Number(rows.rows[0]!.n)).toBe(2);
  });

  it('a table with no manifest at all (a killed first ingest) reads as empty, not as its uncommitted files', async () => {
    const work = mkdtempSync(join(tmpdir(), 'creditlake-uncommitted-first-'));
    const lake = join(work, 'lake');
    const csv = join(work, 'customers.csv');
    writeFileSync(
      csv,
      'customer_id,name,kvk_number,vat_number,country,sbi_code,segment,size_class,credit_limit,currency,payment_terms_days\n' +
        'C1,Alfa BV,12345678,,NL,4120,enterprise,large,10000.00,EUR,30\n',
    );
    const res = await ingestFiles({ lakeRoot: lake, table: 'customers', files: [csv] });
    // What a kill between the data put and the manifest of the table's FIRST batch leaves.
    rmSync(join(lake, res.files[0]!.manifestKey!));
    const build = await buildWarehouse({ lakeRoot: lake, config: defaultConfig(), select: ['stg_customers'] });
    expect(build.ok).toBe(true);
    const rows = await withDuckDB({ path: join(lake, 'warehouse.duckdb'), readOnly: true }, (db) => db.query('SELECT count(*) AS n FROM customers'));
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });
});
