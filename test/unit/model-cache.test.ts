import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedColumnsSql, storedType, sweepModelCache } from '../../src/warehouse/duckdb/model-cache.js';

// The model cache keeps staging and intermediate results between embedded builds as Parquet: a
// reused model must come back with exactly its columns, types and values, or not be cached at all.
const dir = mkdtempSync(join(tmpdir(), 'creditlake-model-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model cache', () => {
  it('stores every column type exactly (HUGEINT as DECIMAL(38,0)) and refuses the ones Parquet cannot hold', () => {
    expect(storedType('DECIMAL(18,2)')).toBe('DECIMAL(18,2)');
    expect(storedType('HUGEINT')).toBe('DECIMAL(38,0)');
    expect(storedType('VARCHAR[]')).toBeUndefined();
    expect(storedType('INTERVAL')).toBeUndefined();
    expect(storedType('TIMESTAMP WITH TIME ZONE')).toBeUndefined();
  });

  it('round-trips a model through Parquet with its types and values', async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
    try {
      await conn.run(`CREATE TEMP TABLE m AS SELECT
          sum(i::BIGINT) OVER () * 1000000000000 AS big,
          CAST(i AS DECIMAL(18,2)) / 7 AS money,
          sum(CAST(i AS DECIMAL(18,2))) OVER () AS total,
          DATE '2026-01-31' + CAST(i AS INTEGER) AS d, TIMESTAMP '2026-01-31 10:00:00.123456' AS ts,
          i % 2 = 0 AS even, CAST(i AS DOUBLE) / 3 AS ratio, 'ü' || i AS "name with ""quote"""
        FROM range(1000) t(i)`);
      const columns = (await rows('DESCRIBE m')).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      expect(columns.find((c) => c.name === 'big')!.type).toBe('HUGEINT');
      const file = join(dir, 'm.parquet');
      await conn.run(`COPY (SELECT ${cachedColumnsSql(columns, 'write')} FROM m) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
      await conn.run(`CREATE TEMP TABLE back AS SELECT ${cachedColumnsSql(columns, 'read')} FROM read_parquet('${file}')`);
      const back = (await rows('DESCRIBE back')).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      expect(back).toEqual(columns);
      expect(await rows('SELECT count(*) AS n FROM (SELECT * FROM m EXCEPT ALL SELECT * FROM back UNION ALL (SELECT * FROM back EXCEPT ALL SELECT * FROM m))')).toEqual([{ n: '0' }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('keeps only the entry of each model’s current fingerprint', () => {
    const models = join(dir, 'lake', '_cache', 'models');
    for (const [m, fp] of [['stg_a', 'f1'], ['stg_a', 'f0'], ['int_gone', 'f9']]) {
      mkdirSync(join(models, m!), { recursive: true });
      writeFileSync(join(models, m!, `${fp}.parquet`), '');
      writeFileSync(join(models, m!, `${fp}.columns.json`), '[]');
    }
    expect(sweepModelCache(join(dir, 'lake'), new Map([['stg_a', 'f1']]))).toBe(4);
  });
});
