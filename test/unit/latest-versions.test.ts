/**
 * Staging's "latest version wins" in each engine's form (dialect.latestVersions): one window over every
 * row, DuckDB without the rank column; and DuckDB's form for a build computing it once
 * (latestVersionsOnce: only the repeated keys ranked). All must keep exactly the rows the
 * plain window keeps (latest ingest day, then batch file name), also for multi-column and NULL keys.
 * And the runner's choice of staging/intermediate models a --select build computes inside their one
 * reader instead of keeping as tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowedLatestVersions } from '../../src/warehouse/athena/athena-dialect.js';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { parseProject } from '../../src/warehouse/compile/index.js';
import { readOnce } from '../../src/warehouse/build-plan.js';

const RAW = `(SELECT * FROM (VALUES
  ('p1', 'd1', 10, DATE '2026-01-01', 'a.parquet'),
  ('p1', 'd1', 11, DATE '2026-01-02', 'a.parquet'),
  ('p1', 'd1', 12, DATE '2026-01-02', 'b.parquet'),
  ('p1', 'd2', 20, DATE '2026-01-01', 'a.parquet'),
  ('p2', 'd1', 30, DATE '2026-01-03', 'c.parquet'),
  ('p2', 'd1', 31, DATE '2026-01-01', 'z.parquet'),
  ('p3', NULL, 40, DATE '2026-01-01', 'a.parquet'),
  ('p3', NULL, 41, DATE '2026-01-05', 'a.parquet'),
  (NULL, NULL, 50, DATE '2026-01-01', 'a.parquet'),
  ('p4', 'd9', 60, DATE '2026-01-01', 'a.parquet')
) v(payment_id, document_id, amount, ingest_date, filename))`;

describe('latest version of each key', () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    engine = await DuckDBEngine.open({ threads: 1 });
  });
  afterAll(async () => {
    await engine.close();
  });
  const rows = async (relation: string) =>
    (await engine.query(`SELECT payment_id, document_id, amount FROM ${relation} x ORDER BY amount`)).rows.map((r) => Number(r.amount));

  it('DuckDB ranks only repeated keys and keeps what the window keeps', async () => {
    const key = ['"payment_id"', '"document_id"'];
    const window = await rows(windowedLatestVersions(RAW, key));
    expect(window).toEqual([12, 20, 30, 41, 50, 60]);
    expect(await rows(duckdbDialect.latestVersions(RAW, key))).toEqual(window);
    // one key column: the latest of every payment_id
    expect(await rows(duckdbDialect.latestVersions(RAW, ['"payment_id"']))).toEqual(await rows(windowedLatestVersions(RAW, ['"payment_id"'])));
    expect(await rows(duckdbDialect.latestVersions(RAW, ['"payment_id"']))).toEqual([12, 30, 41, 50, 60]);
  });

  it('DuckDB computing it once ranks only the repeated keys and keeps what the window keeps', async () => {
    const once = duckdbDialect.latestVersionsOnce!;
    const key = ['"payment_id"', '"document_id"'];
    expect(await rows(once(RAW, key))).toEqual(await rows(windowedLatestVersions(RAW, key)));
    expect(await rows(once(RAW, key))).toEqual([12, 20, 30, 41, 50, 60]);
    expect(await rows(once(RAW, ['"payment_id"']))).toEqual([12, 30, 41, 50, 60]);
    const cols = (await engine.query(`DESCRIBE SELECT * FROM ${once(RAW, ['"payment_id"'])} x`)).rows.map((r) => r.column_name);
    expect(cols).toEqual(['payment_id', 'document_id', 'amount', 'ingest_date', 'filename']);
  });

  it('keeps the source columns only', async () => {
    const cols = (await engine.query(`DESCRIBE SELECT * FROM ${duckdbDialect.latestVersions(RAW, ['"payment_id"'])} x`)).rows.map((r) => r.column_name);
    expect(cols).toEqual(['payment_id', 'document_id', 'amount', 'ingest_date', 'filename']);
  });
});

describe('models a --select build computes inside their reader', () => {
  const project = parseProject([
    { name: 'stg_a', kind: 'staging', path: 'staging/stg_a.sql', source: 'SELECT 1 AS x' },
    { name: 'int_once', kind: 'intermediate', path: 'intermediate/int_once.sql', source: "SELECT * FROM {{ ref('stg_a') }}" },
    { name: 'int_twice', kind: 'intermediate', path: 'intermediate/int_twice.sql', source: "SELECT * FROM {{ ref('stg_a') }}" },
    { name: 'mart_m', kind: 'marts', path: 'marts/mart_m.sql', source: "SELECT * FROM {{ ref('int_once') }} JOIN {{ ref('int_twice') }} USING (x) JOIN {{ ref('int_twice') }} t2 USING (x)" },
  ]);
  it('a model one reference of one reader reads; not one read twice, nor one two readers read', () => {
    const cache = new Set(['stg_a', 'int_once', 'int_twice']);
    expect([...readOnce(cache, project)]).toEqual(['int_once']);
  });
});
