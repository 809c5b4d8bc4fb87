import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LAYER_FRACTION, writeLayeredEntry } from '../../src/warehouse/duckdb/cache-layers.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { cachedRelationSql, modelCacheColumnsFile, modelCacheEntry, modelCacheLayerFiles, sweepModelCache } from '../../src/warehouse/duckdb/model-cache.js';

// A partitioned model recomputed for some keys is cached as a layer over the entry it kept rows of
// (cache-layers.ts): read back, it must hold exactly the rows a whole entry would, a layer over a
// layer included, and a layer grown past MAX_LAYER_FRACTION of its base is refused (written whole).
const dir = mkdtempSync(join(tmpdir(), 'creditlake-cache-layers-'));
const lake = join(dir, 'lake');
const tmp = join(dir, 'tmp');
let engine: DuckDBEngine;
const columns = [
  { name: 'customer_id', type: 'VARCHAR' },
  { name: 'amount', type: 'DECIMAL(18,2)' },
  { name: 'n', type: 'HUGEINT' },
];

beforeAll(async () => {
  mkdirSync(tmp, { recursive: true });
  engine = await DuckDBEngine.open({ memoryLimit: '256MB', threads: 1 });
  // The base: customers c01..c10 with two rows each, and a row without a customer (a NULL key).
  const base = modelCacheEntry(lake, 'm', 'f0');
  mkdirSync(join(lake, '_cache', 'models', 'm'), { recursive: true });
  writeFileSync(modelCacheColumnsFile(base), JSON.stringify(columns));
  await engine.execute(
    `COPY (SELECT CASE WHEN i < 20 THEN printf('c%02d', i // 2 + 1) END AS customer_id, CAST(i AS DECIMAL(18,2)) AS amount, CAST(i AS DECIMAL(38,0)) AS n FROM range(21) t(i)) TO '${base}' (FORMAT parquet)`,
  );
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The model's rows as the build reads the entry of `fp`, sorted. */
async function rowsOf(fp: string): Promise<string[]> {
  const rel = cachedRelationSql(lake, 'm', fp);
  expect(rel, fp).toBeDefined();
  return (await engine.query(`SELECT customer_id, amount, n FROM ${rel}`)).rows.map((r) => `${r.customer_id ?? 'NULL'} ${r.amount} ${r.n}`).sort();
}

/** Recomputes `keys` (their rows now: `fresh`) over the entry `from`, as the build does; the new entry is `to`. */
async function layer(from: string, to: string, keys: string[], fresh: [string, number][]): Promise<true | string> {
  await engine.execute(`CREATE OR REPLACE TEMP TABLE affected AS SELECT unnest([${keys.map((k) => `'${k}'`).join(', ')}]::VARCHAR[]) AS k`);
  await engine.execute(
    `CREATE OR REPLACE TEMP TABLE fresh AS SELECT customer_id, CAST(amount AS DECIMAL(18,2)) AS amount, CAST(amount * 10 AS HUGEINT) AS n FROM (VALUES ${fresh.map(([c, a]) => `('${c}', ${a})`).join(', ') || "('x', 0)"}) v(customer_id, amount) WHERE ${fresh.length ? 'true' : 'false'}`,
  );
  const entry = modelCacheEntry(lake, 'm', to);
  writeFileSync(modelCacheColumnsFile(entry), JSON.stringify(columns));
  return writeLayeredEntry(engine, { lakeRoot: lake, model: 'm', entry, columns, tmpDir: tmp, src: { from, affected: 'affected', fresh: 'fresh', key: 'customer_id' } });
}

describe('layered model-cache entries', () => {
  it('a layer replaces the rows of its keys (changed, gone, new), over a layer too, the NULL key kept', async () => {
    const base = await rowsOf('f0');
    expect(base).toHaveLength(21);
    // c02 changed, c03 gone, c11 new.
    expect(await layer('f0', 'f1', ['c02', 'c03', 'c11'], [['c02', 100], ['c11', 110]])).toBe(true);
    const one = base.filter((r) => !/^c0[23] /.test(r)).concat(['c02 100.00 1000', 'c11 110.00 1100']).sort();
    expect(await rowsOf('f1')).toEqual(one);
    // The base is the first entry's file, linked, not written again.
    expect(existsSync(modelCacheLayerFiles(modelCacheEntry(lake, 'm', 'f1')).rows)).toBe(true);
    // Over the layered entry: c11 changed again, c04 changed; the earlier layer's c02 stays.
    expect(await layer('f1', 'f2', ['c11', 'c04'], [['c11', 111], ['c04', 40]])).toBe(true);
    const two = one.filter((r) => !/^c(11|04) /.test(r)).concat(['c11 111.00 1110', 'c04 40.00 400']).sort();
    expect(await rowsOf('f2')).toEqual(two);
    // The old entries can go (the cache sweep): the new one's base is a link of its own.
    expect(sweepModelCache(lake, new Map([['m', 'f2']]))).toBeGreaterThan(0);
    expect(readdirSync(join(lake, '_cache', 'models', 'm')).sort()).toEqual(['f2.columns.json', 'f2.keys.parquet', 'f2.layer.json', 'f2.parquet', 'f2.rows.parquet']);
    expect(await rowsOf('f2')).toEqual(two);
  });

  it('refuses a layer larger than its share of the base (the entry is then written whole)', async () => {
    const keys = Array.from({ length: 9 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
    expect(MAX_LAYER_FRACTION).toBeLessThan(1);
    const r = await layer('f2', 'f3', keys, keys.flatMap((k): [string, number][] => [[k, 1], [k, 2]]));
    expect(r).toMatch(/layer would hold \d+ rows against 21/);
    expect(existsSync(modelCacheEntry(lake, 'm', 'f3'))).toBe(false);
  });

  it('an entry whose base is missing (a killed write) is absent, not its layer alone', async () => {
    expect(await layer('f2', 'f4', ['c05'], [['c05', 5]])).toBe(true);
    rmSync(modelCacheEntry(lake, 'm', 'f4'));
    expect(cachedRelationSql(lake, 'm', 'f4')).toBeUndefined();
    // A layer record without its files is not read over the base either.
    expect(await layer('f2', 'f5', ['c05'], [['c05', 5]])).toBe(true);
    rmSync(modelCacheLayerFiles(modelCacheEntry(lake, 'm', 'f5')).keys);
    expect(cachedRelationSql(lake, 'm', 'f5')).toBeUndefined();
  });
});
