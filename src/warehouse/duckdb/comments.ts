import type { WarehouseEngine } from '../engine.js';
import type { Model } from '../compile/index.js';
import { describeRelation } from '../describe.js';

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * COMMENT ON every view of the warehouse and each of its columns, so any client that reads the
 * catalog (DBeaver, Metabase, `duckdb_columns()`) shows what a table and a column mean. Returns
 * the number of views and of columns commented.
 */
export async function commentWarehouse(engine: WarehouseEngine, models: readonly Model[]): Promise<{ views: number; columns: number }> {
  const byName = new Map(models.map((m) => [m.name, m]));
  // Fully qualified: the build shadows cached views with temporary tables of the same name, and an
  // unqualified COMMENT ON would find the temporary table first.
  const db = String((await engine.query(`SELECT current_database() AS db`)).rows[0]!.db);
  const qualified = (v: string) => `${ident(db)}.main.${ident(v)}`;
  const views = (await engine.query(`SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary AND schema_name = 'main'`)).rows.map((r) =>
    String(r.view_name),
  );
  const columns = (
    await engine.query(`SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index`)
  ).rows;
  const statements: string[] = [];
  let commented = 0;
  for (const v of views) {
    const d = describeRelation(v, byName.get(v));
    if (d.description) statements.push(`COMMENT ON VIEW ${qualified(v)} IS ${lit(d.description)}`);
    for (const c of columns.filter((x) => x.table_name === v)) {
      const text = d.columns.get(String(c.column_name));
      if (!text) continue;
      statements.push(`COMMENT ON COLUMN ${qualified(v)}.${ident(String(c.column_name))} IS ${lit(text)}`);
      commented++;
    }
  }
  if (statements.length) await engine.execute(statements.join(';\n'));
  return { views: views.length, columns: commented };
}
