import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/warehouse/compile/index.js';
import { PARTITIONED_MODELS, changedKeysSql, inKeysSql, partitionProblems, sameRowsSql } from '../../src/warehouse/partitions.js';

async function rows(sql: string, setup: string[] = []): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    for (const s of setup) await conn.run(s);
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('partitioned models (incremental by customer)', () => {
  it('every spec names each ref of its model exactly once, and the model reads no raw source', () => {
    expect(Object.keys(PARTITIONED_MODELS).length).toBeGreaterThan(0);
    expect(partitionProblems(loadProject())).toEqual([]);
  });

  it('flags a spec that leaves out a ref, names one the model lacks, or reads sources', () => {
    const models = [{ name: 'm', refs: ['a', 'b'], sources: ['invoices'] }];
    const problems = partitionProblems(models, { m: { key: 'customer_id', partitioned: { a: { key: 'customer_id', columns: ['x'] } }, global: { c: [] } } });
    expect(problems).toEqual([
      'm: reads raw sources ["invoices"], its spec []',
      'm: ref b is neither partitioned nor global',
      'm: c is not one of its refs',
      'm: a columns leave out its key customer_id',
    ]);
  });

  it('a staging spec names the one raw table its model reads and a column of that table\'s key', () => {
    const models = [
      { name: 's', refs: [], sources: ['payments'] },
      { name: 't', refs: [], sources: ['payments'] },
      { name: 'u', refs: [], sources: ['payments'] },
    ];
    const problems = partitionProblems(models, {
      s: { key: 'payment_id', source: { table: 'payments', key: 'payment_id' }, partitioned: {}, global: {} },
      // customer_id is not part of the payments key: one key's versions could carry two customers
      t: { key: 'customer_id', source: { table: 'payments', key: 'customer_id' }, partitioned: {}, global: {} },
      u: { key: 'payment_id', source: { table: 'invoices', key: 'document_id' }, partitioned: {}, global: {} },
    });
    expect(problems).toEqual(['t: customer_id is not a key column of payments', 'u: reads raw sources ["payments"], its spec ["invoices"]']);
    // Every staging model but the open-item snapshots (ranked per export as well as per key) is partitioned by a key column.
    const staging = loadProject().filter((m) => m.kind === 'staging').map((m) => m.name);
    expect(staging.filter((m) => !PARTITIONED_MODELS[m])).toEqual(['stg_open_item_snapshots']);
  });

  const setup = [
    "CREATE TABLE old AS SELECT * FROM (VALUES ('c1', 1, 10.0), ('c2', 2, 5.0), ('c2', 2, 5.0), ('c3', 3, 1.0), (NULL, 4, 2.0)) t(customer_id, n, amount)",
    // c1 unchanged; c2 lost a duplicate row; c3's amount changed; the NULL customer's row gone; c4 new
    "CREATE TABLE new AS SELECT * FROM (VALUES ('c1', 1, 10.0), ('c2', 2, 5.0), ('c3', 3, 1.5), ('c4', 5, 7.0)) t(customer_id, n, amount)",
  ];

  it('the changed partition values: rows added, removed or changed, duplicates counted, NULL included', async () => {
    const keys = await rows(`SELECT k FROM (${changedKeysSql('old', 'new', 'customer_id', ['customer_id', 'n', 'amount'])}) ORDER BY k NULLS LAST`, setup);
    expect(keys.map((r) => r.k)).toEqual(['c2', 'c3', 'c4', null]);
    // Over the columns a model reads only: c3's amount is not one of them.
    const narrow = await rows(`SELECT k FROM (${changedKeysSql('old', 'new', 'customer_id', ['customer_id', 'n'])}) ORDER BY k NULLS LAST`, setup);
    expect(narrow.map((r) => r.k)).toEqual(['c2', 'c4', null]);
  });

  it('same rows over the columns read; key membership keeps NULL apart', async () => {
    expect((await rows(sameRowsSql('old', 'new', ['customer_id']), setup))[0]!.same).toBe(false);
    expect((await rows(sameRowsSql('old', 'old', ['customer_id', 'amount']), setup))[0]!.same).toBe(true);
    const aff = [...setup, "CREATE TABLE aff AS SELECT * FROM (VALUES ('c2')) t(k)"];
    expect((await rows(`SELECT count(*) AS n FROM old WHERE NOT ${inKeysSql('customer_id', 'aff')}`, aff))[0]!.n).toBe('3');
    const withNull = [...setup, 'CREATE TABLE aff AS SELECT CAST(NULL AS VARCHAR) AS k'];
    expect((await rows(`SELECT count(*) AS n FROM old WHERE ${inKeysSql('customer_id', 'aff')}`, withNull))[0]!.n).toBe('1');
  });
});
