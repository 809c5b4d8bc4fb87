import { buildOrder, loadProject } from '../../src/warehouse/compile/index.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';

/**
 * Opens a built warehouse with every staging and intermediate view it publishes copied into a
 * temporary table, in build order, as the build itself caches them before it runs data tests.
 * Why: a data test over the published views makes DuckDB plan the whole nested view tree again for
 * each reference: about 12 s of planning per query even on a five-invoice ledger, where the build's
 * own run of the same test takes milliseconds. Temporary tables shadow the views of the same name
 * (DuckDB searches `temp` first), and marts stay views so a test can shadow one with a TEMP VIEW.
 * The warehouse file is not changed.
 */
export async function openCachedWarehouse(warehouse: string): Promise<DuckDBEngine> {
  const engine = await DuckDBEngine.open({ path: warehouse, threads: 1 });
  try {
    const views = new Set(
      (await engine.query(`SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'`)).rows.map((r) => String(r.view_name)),
    );
    for (const m of buildOrder(loadProject())) {
      if ((m.kind === 'staging' || m.kind === 'intermediate') && views.has(m.name)) {
        await engine.execute(`CREATE TEMP TABLE ${m.name} AS SELECT * FROM main.${m.name}`);
      }
    }
    return engine;
  } catch (e) {
    await engine.close();
    throw e;
  }
}
