import type { WarehouseEngine } from '../engine.js';
import type { Model } from '../compile/index.js';
import { describeRelation } from '../describe.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * COMMENT ON every view of the warehouse and each of its columns, so any client that reads the
 * catalog (DBeaver, Metabase, `duckdb_columns()`) shows what a table and a column mean. Returns
 * the number of views and of columns commented.
 *
 * Only the comments that differ from the catalog's are written (a build that starts from a copy of
 * the published file keeps the comments of every view it did not create again), all in one
 * transaction: each COMMENT ON on its own is a commit, and with over a thousand columns those
 * commits (a WAL write and fsync each) were most of what a build spent after its last model.
 */
export async function commentWarehouse(engine: WarehouseEngine, models: readonly Model[]): Promise<{ views: number; columns: number }> {
  const byName = new Map(models.map((m) => [m.name, m]));
  // Fully qualified: the build shadows cached views with temporary tables of the same name, and an
  // unqualified COMMENT ON would find the temporary table first.
  const db = String((await engine.query(`SELECT current_database() AS db`)).rows[0]!.db);
  const qualified = (v: string) => `${ident(db)}.main.${ident(v)}`;
  const views = (await engine.query(`SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND NOT temporary AND schema_name = 'main'`)).rows;
  const columns = (
    await engine.query(
      `SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal AND database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index`,
    )
  ).rows;
  const columnsOf = new Map<string, typeof columns>();
  for (const c of columns) {
    const t = String(c.table_name);
    const list = columnsOf.get(t);
    if (list) list.push(c);
    else columnsOf.set(t, [c]);
  }
  const statements: string[] = [];
  let commented = 0;
  for (const row of views) {
    const v = String(row.view_name);
    const d = describeRelation(v, byName.get(v));
    if (d.description && row.comment !== d.description) statements.push(`COMMENT ON VIEW ${qualified(v)} IS ${lit(d.description)}`);
    for (const c of columnsOf.get(v) ?? []) {
      const text = d.columns.get(String(c.column_name));
      if (!text) continue;
      commented++;
      if (c.comment !== text) statements.push(`COMMENT ON COLUMN ${qualified(v)}.${ident(String(c.column_name))} IS ${lit(text)}`);
    }
  }
  if (statements.length) {
    await engine.execute('BEGIN TRANSACTION');
    try {
      await engine.execute(statements.join(';\n'));
      await engine.execute('COMMIT');
    } catch (e) {
      await engine.execute('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
  return { views: views.length, columns: commented };
}
