import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { lakePaths } from '../lake/layout.js';
import { committedDataKeys } from '../lake/commit-batch.js';
import { LocalLakeStore } from '../lake/local-store.js';
import { toKey } from '../lake/store.js';
import { sweepLocalLake } from '../lake/sweep.js';
import { CANONICAL_TABLES, canonicalTable, type TableDef } from '../schema/index.js';
import { MART_TABLES, martTable } from '../schema/marts/index.js';
import { buildOrder, compileModel, duckdbTarget, loadProject, selectModels, type Model } from './compile/index.js';
import { runDataTest, schemaTests, type DataTest, type TestResult } from './data-tests.js';
import { DuckDBEngine } from './duckdb/duckdb-engine.js';
import { BuildError, martParquet, materialiseMart } from './materialise.js';
import { lakeFileSql } from './duckdb/lake-path.js';
import { commentWarehouse } from './duckdb/comments.js';

export { BuildError };

export interface BuildOptions {
  lakeRoot: string;
  config: Config;
  /** `--select` selectors (`m`, `m+`, `+m`, `+m+`); empty or absent = everything. */
  select?: readonly string[];
  /** Model project folder; default the package's `sql/`. */
  sqlDir?: string;
  /** Skip the data tests (they run by default). */
  skipTests?: boolean;
  /** Progress callback, one call per finished model or test. */
  onEvent?: (e: BuildEvent) => void;
}

export type ModelMaterialisation = 'view' | 'parquet' | 'existing' | 'missing';

export interface ModelReport {
  name: string;
  kind: Model['kind'];
  materialised: ModelMaterialisation;
  /** Rows written (marts built in this run). */
  rows?: number;
  /** A staging/intermediate model the build also kept as a temporary table for the marts to read. */
  cached?: boolean;
  ms: number;
}

export type BuildEvent = { type: 'model'; model: ModelReport } | { type: 'test'; test: TestResult };

export interface BuildReport {
  ok: boolean;
  lakeRoot: string;
  warehouse: string;
  selected: string[];
  models: ModelReport[];
  tests: TestResult[];
  totalMs: number;
}

/** Canonical tables with at least one committed batch under raw/<table>/ingest_date=…/. */
export function tablesWithFiles(lakeRoot: string): Set<string> {
  const out = new Set<string>();
  for (const t of CANONICAL_TABLES) {
    const dir = join(lakeRoot, lakePaths.rawTableDir(t.name));
    if (!existsSync(dir)) continue;
    const parts = readdirSync(dir).filter((p) => p.startsWith('ingest_date='));
    if (parts.some((p) => readdirSync(join(dir, p)).some((f) => f.endsWith('.parquet')))) out.add(t.name);
  }
  return out;
}

/** Data files of the committed batches of every canonical table that has manifests. */
export async function committedRawFiles(lakeRoot: string): Promise<Map<string, string[]>> {
  const store = new LocalLakeStore(lakeRoot);
  const out = new Map<string, string[]>();
  for (const t of CANONICAL_TABLES) {
    const keys = await committedDataKeys(store, t.name);
    // A table whose every batch is retired reads as empty, not as a glob over its files.
    if (keys.length || (await store.list(toKey(lakePaths.manifestDir(t.name)))).length) out.set(t.name, keys);
  }
  return out;
}

/** `stg_invoices` → the canonical table it stages, if any. */
function stagedTable(model: Model): TableDef | undefined {
  if (model.kind !== 'staging' || !model.name.startsWith('stg_')) return undefined;
  const name = model.name.slice(4);
  return CANONICAL_TABLES.some((t) => t.name === name) ? canonicalTable(name) : undefined;
}

/**
 * Staging and intermediate models the selected marts and the SQL tests read, directly or through
 * each other. The build keeps a temporary table of each, so a deduplicating staging view is
 * computed once per build instead of once per reference.
 */
function modelsToCache(models: readonly Model[], roots: readonly Model[]): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const out = new Set<string>();
  const todo = roots.flatMap((r) => r.refs);
  while (todo.length) {
    const m = byName.get(todo.pop()!);
    if (!m || m.kind === 'marts' || out.has(m.name)) continue;
    out.add(m.name);
    todo.push(...m.refs);
  }
  return out;
}

const cacheName = (model: string) => `cache__${model}`;

function collectTests(models: readonly Model[], relation: (model: string) => string): DataTest[] {
  const tests: DataTest[] = [];
  for (const m of models) {
    const staged = stagedTable(m);
    if (staged) tests.push(...schemaTests(m.name, staged, relation(m.name)));
    if (m.kind === 'marts') {
      const declared = martTable(m.name);
      if (declared) tests.push(...schemaTests(m.name, declared));
    }
  }
  return tests;
}

/**
 * Builds the warehouse on DuckDB over the lake: staging and intermediate models as views, marts
 * materialised to Parquet, then (re)creates `warehouse.duckdb` with a view per canonical table,
 * model and mart, and runs the data tests. The database is built under a temporary name and renamed
 * into place, so `creditlake query` always opens a complete warehouse.
 */
export async function buildWarehouse(opts: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const lakeRoot = resolve(opts.lakeRoot);
  const project = loadProject(opts.sqlDir);
  const ordered = buildOrder(project);
  const buildable = ordered.filter((m) => m.kind !== 'tests');
  const selected = opts.select?.length ? selectModels(buildable, opts.select) : new Set(buildable.map((m) => m.name));
  for (const m of buildable) {
    if (m.kind === 'marts' && selected.has(m.name) && !martTable(m.name)) {
      throw new BuildError(`mart ${m.name} has no declared schema: add src/schema/marts/${m.name}.ts to MART_TABLES`);
    }
  }
  // Views in warehouse.duckdb reference models by name; the build itself reads cached copies.
  // Only committed batches count: a table whose files no manifest names yet (a killed first ingest)
  // reads as empty, never as the uncommitted files.
  const committed = await committedRawFiles(lakeRoot);
  const target = duckdbTarget({ tablesWithFiles: new Set(committed.keys()), committedFiles: committed });
  const cached = new Set<string>();
  const buildTarget = { ...target, ref: (m: string) => (cached.has(m) ? cacheName(m) : target.ref(m)) };
  const sqlTestModels = ordered.filter((m) => m.kind === 'tests' && !opts.skipTests && m.refs.some((r) => selected.has(r)));
  const toCache = modelsToCache(project, [...buildable.filter((m) => m.kind === 'marts' && selected.has(m.name)), ...sqlTestModels]);

  const tmpDir = join(lakeRoot, lakePaths.tmpDir());
  // Temporaries of a killed earlier build (or ingest) go first.
  sweepLocalLake(lakeRoot);
  mkdirSync(tmpDir, { recursive: true });
  const tmpDb = join(tmpDir, `warehouse-${process.pid}-${Date.now()}.duckdb`);
  const finalDb = join(lakeRoot, lakePaths.warehouseDb());
  const report: BuildReport = {
    ok: true,
    lakeRoot,
    warehouse: finalDb,
    selected: buildable.filter((m) => selected.has(m.name)).map((m) => m.name),
    models: [],
    tests: [],
    totalMs: 0,
  };
  const engine = await DuckDBEngine.open({
    path: tmpDb,
    lakeRoot,
    threads: opts.config.duckdb.threads,
    memoryLimit: opts.config.duckdb.memory_limit,
  });
  try {
    const available = new Set<string>();
    for (const m of buildable) {
      const t0 = performance.now();
      let materialised: ModelMaterialisation = 'view';
      let rows: number | undefined;
      const missing = m.refs.filter((r) => !available.has(r));
      const required = (m.kind === 'marts' && selected.has(m.name)) || toCache.has(m.name);
      if (missing.length && required) {
        throw new BuildError(`${m.name} needs ${missing.join(', ')}, which is not built: select it too (--select +${m.name})`);
      }
      if (missing.length && !(m.kind === 'marts' && existsSync(martParquet(lakeRoot, m.name)))) {
        // Not part of this build and its inputs are absent (a mart never built): leave it out.
        materialised = 'missing';
      } else if (m.kind === 'marts') {
        const file = martParquet(lakeRoot, m.name);
        if (selected.has(m.name)) {
          const sql = compileModel(m, buildTarget, opts.config, project).sql;
          rows = await runModel(m.name, () => materialiseMart(engine, lakeRoot, m.name, sql, martTable(m.name)!));
          materialised = 'parquet';
        } else {
          materialised = existsSync(file) ? 'existing' : 'missing';
        }
        if (materialised !== 'missing') {
          await engine.execute(`CREATE OR REPLACE VIEW ${m.name} AS SELECT * FROM read_parquet(${lakeFileSql(lakePaths.martFile(m.name))})`);
          available.add(m.name);
        }
      } else {
        const sql = compileModel(m, target, opts.config, project).sql;
        await runModel(m.name, () => engine.execute(`CREATE OR REPLACE VIEW ${m.name} AS ${sql}`));
        available.add(m.name);
        const staged = stagedTable(m);
        if (staged) await engine.execute(`CREATE OR REPLACE VIEW ${staged.name} AS ${sql}`);
        if (toCache.has(m.name)) {
          const buildSql = compileModel(m, buildTarget, opts.config, project).sql;
          await runModel(m.name, () => engine.execute(`CREATE OR REPLACE TEMP TABLE ${cacheName(m.name)} AS ${buildSql}`));
          cached.add(m.name);
        }
      }
      const model: ModelReport = { name: m.name, kind: m.kind, materialised, rows, ms: performance.now() - t0 };
      if (cached.has(m.name)) model.cached = true;
      report.models.push(model);
      opts.onEvent?.({ type: 'model', model });
    }

    // What every view and column means, where SQL clients look for it.
    await commentWarehouse(engine, project);

    if (!opts.skipTests) {
      const sqlTests: DataTest[] = sqlTestModels.map((m) => ({
        name: m.name,
        sql: compileModel(m, buildTarget, opts.config, project).sql,
        models: m.refs,
      }));
      const tests = [...collectTests(buildable, (m) => (cached.has(m) ? cacheName(m) : m)), ...sqlTests].filter(
        (t) => t.models.some((x) => selected.has(x)) && t.models.every((x) => available.has(x)),
      );
      for (const t of tests) {
        const result = await runDataTest(engine, t);
        report.tests.push(result);
        if (!result.ok) report.ok = false;
        opts.onEvent?.({ type: 'test', test: result });
      }
    }
  } catch (e) {
    await engine.close();
    rmSync(tmpDb, { force: true });
    rmSync(`${tmpDb}.wal`, { force: true });
    throw e;
  }
  await engine.close();
  rmSync(`${finalDb}.wal`, { force: true });
  renameSync(tmpDb, finalDb);
  report.totalMs = performance.now() - started;
  return report;
}

async function runModel<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError(`model ${name} failed: ${(e as Error).message}`);
  }
}

/** Every table a user can query: canonical tables and marts, from their zod schemas. */
export const WAREHOUSE_TABLES: readonly TableDef[] = [...CANONICAL_TABLES, ...MART_TABLES];
