import { quoteIdent, type TableDef } from '../schema/index.js';
import type { Row, WarehouseEngine } from './engine.js';

/** A data test: SQL returning failing rows; zero rows = pass. */
export interface DataTest {
  name: string;
  sql: string;
  /** Models the test reads, so `--select` runs only the tests of what it rebuilt. */
  models: readonly string[];
}

export interface TestResult {
  name: string;
  ok: boolean;
  failingRows: number;
  /** Up to `sampleSize` failing rows, JSON-safe. */
  sample: Row[];
  ms: number;
  /** Set when the test SQL itself failed to run. */
  error?: string;
}

function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
}

/**
 * Tests every declared schema implies: the key is unique, required columns are never NULL,
 * enumerated columns hold only their allowed values. Pure: SQL text only.
 */
export function schemaTests(model: string, table: TableDef, relation = model): DataTest[] {
  const rel = quoteIdent(relation);
  const tests: DataTest[] = [];
  const key = table.key.map(quoteIdent);
  tests.push({
    name: `unique__${model}`,
    sql: `SELECT ${key.join(', ')}, count(*) AS copies FROM ${rel} GROUP BY ${key.join(', ')} HAVING count(*) > 1`,
    models: [model],
  });
  const required = table.columns.filter((c) => c.required).map((c) => quoteIdent(c.name));
  if (required.length) {
    tests.push({
      name: `not_null__${model}`,
      sql: `SELECT * FROM ${rel} WHERE ${required.map((c) => `${c} IS NULL`).join(' OR ')}`,
      models: [model],
    });
  }
  for (const c of table.columns.filter((x) => x.values?.length)) {
    tests.push({
      name: `accepted_values__${model}__${c.name}`,
      sql: `SELECT ${quoteIdent(c.name)}, count(*) AS n FROM ${rel} WHERE ${quoteIdent(c.name)} NOT IN (${sqlList(c.values!)}) GROUP BY ${quoteIdent(c.name)}`,
      models: [model],
    });
  }
  return tests;
}

export async function runDataTest(engine: WarehouseEngine, test: DataTest, sampleSize = 5): Promise<TestResult> {
  const start = performance.now();
  try {
    const res = await engine.query(
      `SELECT count(*) OVER () AS failing_rows__, t.* FROM (${test.sql}) t LIMIT ${Math.max(1, sampleSize)}`,
    );
    const failingRows = res.rows.length ? Number(res.rows[0]!.failing_rows__) : 0;
    const sample = res.rows.map(({ failing_rows__: _, ...rest }) => rest);
    return { name: test.name, ok: failingRows === 0, failingRows, sample, ms: performance.now() - start };
  } catch (e) {
    return { name: test.name, ok: false, failingRows: 0, sample: [], ms: performance.now() - start, error: (e as Error).message };
  }
}
