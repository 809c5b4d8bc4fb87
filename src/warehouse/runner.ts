import type { Config } from '../config/config.js';
import { CANONICAL_TABLES, canonicalTable, type TableDef } from '../schema/index.js';
import { martTable } from '../schema/marts/index.js';
import { buildOrder, compileModel, loadProject, selectModels, type CompileTarget, type Model } from './compile/index.js';
import { runDataTest, schemaTests, type DataTest, type TestResult } from './data-tests.js';
import type { WarehouseEngine } from './engine.js';
import { BuildError } from './materialise.js';

/**
 * The one build runner every engine uses: compile the project, create the staging and intermediate
 * views, write the selected marts into a new generation, run the data tests, then publish the
 * generation in one switch. What differs per engine (where a view lives, how a mart is written, what
 * the switch is) sits behind {@link BuildSession}, in the engine's own folder.
 */

export interface BuildOptions {
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

/** `table`: a mart written as a table of the new generation (Parquet on every engine). */
export type ModelMaterialisation = 'view' | 'parquet' | 'table' | 'existing' | 'missing';

export interface ModelReport {
  name: string;
  kind: Model['kind'];
  materialised: ModelMaterialisation;
  /** Rows written (marts built in this run). */
  rows?: number;
  /** A staging/intermediate model the build also kept as a table for the marts to read. */
  cached?: boolean;
  ms: number;
}

export type BuildEvent = { type: 'model'; model: ModelReport } | { type: 'test'; test: TestResult };

export interface BuildReport {
  ok: boolean;
  /** Engine name (`duckdb`, `trino`, …). */
  engine: string;
  lakeRoot: string;
  /** Where readers find the build: the warehouse file, or `catalog.schema`. */
  warehouse: string;
  /** Identifies the published generation. */
  buildId: string;
  selected: string[];
  models: ModelReport[];
  tests: TestResult[];
  totalMs: number;
}

/** What one engine does for one build. Everything it creates before `publish` is invisible to readers. */
export interface BuildSession {
  readonly engineName: string;
  readonly lakeRoot: string;
  readonly warehouse: string;
  readonly buildId: string;
  /** Runs the data tests and plans queries. */
  readonly engine: WarehouseEngine;
  /** Where compiled models read canonical tables; `ref` names the published relation of a model. */
  readonly target: CompileTarget;
  /** Mart writes stored as files (`parquet`) or tables (`table`), for the report. */
  readonly martMaterialisation: 'parquet' | 'table';
  /**
   * A staging or intermediate model as a view of the new generation; `sql` refs published names,
   * `buildSql` this build's relations, `alias` is the canonical table it stages. Returns the relation
   * the rest of the build reads it from.
   */
  createView(model: string, sql: string, buildSql: string, alias?: string): Promise<string>;
  /** As createView, for a model the marts or tests read: the engine may keep its rows (computed once). */
  cache(model: string, sql: string, buildSql: string, alias?: string): Promise<string>;
  /** Writes a selected mart into the new generation (schema already checked); returns its relation and rows. */
  writeMart(model: string, sql: string, declared: TableDef): Promise<{ relation: string; rows: number }>;
  /** The published relation of a mart this build does not rebuild, carried into the new generation; undefined if none. */
  keepMart(model: string): Promise<string | undefined>;
  /** Output columns of a query (to check a mart against its declared schema). */
  describe(sql: string): Promise<{ name: string; type: string }[]>;
  /** After the last model, before the data tests (DuckDB documents its views and columns here). */
  afterModels?(project: readonly Model[]): Promise<void>;
  /**
   * Check a mart's schema on the written table instead of planning its query twice (engines where
   * planning is the cost, like Trino); a mismatch still fails the build, which discards the table.
   */
  readonly describeAfterWrite?: boolean;
  /** Makes the new generation the one every reader sees, in one switch. */
  publish(report: BuildReport): Promise<void>;
  /** Removes what this build created; the previous generation stays published. */
  discard(): Promise<void>;
  close(): Promise<void>;
}

/** `stg_invoices` → the canonical table it stages, if any. */
export function stagedTable(model: Model): TableDef | undefined {
  if (model.kind !== 'staging' || !model.name.startsWith('stg_')) return undefined;
  const name = model.name.slice(4);
  return CANONICAL_TABLES.some((t) => t.name === name) ? canonicalTable(name) : undefined;
}

/**
 * Staging and intermediate models the selected marts and the SQL tests read, directly or through
 * each other. The build keeps a table of each, so a deduplicating staging view is computed once per
 * build instead of once per reference.
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

/** Mismatches between a mart's actual columns and its declared schema, as readable lines. */
export function schemaDiff(actual: readonly { name: string; type: string }[], declared: TableDef): string[] {
  const problems: string[] = [];
  const want = declared.columns.map((c) => ({ name: c.name, type: c.sqlType as string }));
  for (const w of want) {
    const a = actual.find((x) => x.name === w.name);
    if (!a) problems.push(`missing column ${w.name} ${w.type}`);
    else if (a.type !== w.type) problems.push(`column ${w.name} is ${a.type}, declared ${w.type}`);
  }
  for (const a of actual) if (!want.some((w) => w.name === a.name)) problems.push(`undeclared column ${a.name} ${a.type}`);
  if (!problems.length && actual.map((a) => a.name).join() !== want.map((w) => w.name).join()) {
    problems.push(`column order differs: got ${actual.map((a) => a.name).join(', ')}`);
  }
  return problems;
}

async function step<T>(name: string, engine: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError(`model ${name} failed on ${engine}: ${(e as Error).message}`);
  }
}

/** Runs a build through `session`; on any failure the session is discarded and the previous build stays. */
export async function runBuild(session: BuildSession, opts: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const project = loadProject(opts.sqlDir);
  const ordered = buildOrder(project);
  const buildable = ordered.filter((m) => m.kind !== 'tests');
  const selected = opts.select?.length ? selectModels(buildable, opts.select) : new Set(buildable.map((m) => m.name));
  for (const m of buildable) {
    if (m.kind === 'marts' && selected.has(m.name) && !martTable(m.name)) {
      throw new BuildError(`mart ${m.name} has no declared schema: add src/schema/marts/${m.name}.ts to MART_TABLES`);
    }
  }
  const target = session.target;
  // During the build, refs resolve to this build's relations (cached models, new-generation marts).
  const relation = new Map<string, string>();
  const buildTarget: CompileTarget = { ...target, ref: (m) => relation.get(m) ?? target.ref(m) };
  const sqlTestModels = ordered.filter((m) => m.kind === 'tests' && !opts.skipTests && m.refs.some((r) => selected.has(r)));
  const toCache = modelsToCache(project, [...buildable.filter((m) => m.kind === 'marts' && selected.has(m.name)), ...sqlTestModels]);
  const report: BuildReport = {
    ok: true,
    engine: session.engineName,
    lakeRoot: session.lakeRoot,
    warehouse: session.warehouse,
    buildId: session.buildId,
    selected: buildable.filter((m) => selected.has(m.name)).map((m) => m.name),
    models: [],
    tests: [],
    totalMs: 0,
  };
  const engineName = session.engineName;
  try {
    const available = new Set<string>();
    for (const m of buildable) {
      const t0 = performance.now();
      let materialised: ModelMaterialisation = 'view';
      let rows: number | undefined;
      let cached = false;
      const missing = m.refs.filter((r) => !available.has(r));
      const required = (m.kind === 'marts' && selected.has(m.name)) || toCache.has(m.name);
      if (missing.length && required) {
        throw new BuildError(`${m.name} needs ${missing.join(', ')}, which is not built: select it too (--select +${m.name})`);
      }
      if (m.kind === 'marts') {
        if (selected.has(m.name) && !missing.length) {
          const declared = martTable(m.name)!;
          const sql = compileModel(m, buildTarget, opts.config, project).sql;
          const check = async (query: string) => {
            const problems = schemaDiff(await session.describe(query), declared);
            if (problems.length) {
              throw new BuildError(
                `mart ${m.name} does not match its declared schema (src/schema/marts/${m.name}.ts) on ${engineName}:\n  ${problems.join('\n  ')}`,
              );
            }
          };
          const written = await step(m.name, engineName, async () => {
            if (!session.describeAfterWrite) await check(sql);
            const out = await session.writeMart(m.name, sql, declared);
            if (session.describeAfterWrite) await check(`SELECT * FROM ${out.relation}`);
            return out;
          });
          relation.set(m.name, written.relation);
          rows = written.rows;
          materialised = session.martMaterialisation;
        } else {
          const kept = await step(m.name, engineName, () => session.keepMart(m.name));
          materialised = kept ? 'existing' : 'missing';
          if (kept) relation.set(m.name, kept);
        }
        if (materialised !== 'missing') available.add(m.name);
      } else if (missing.length) {
        materialised = 'missing';
      } else {
        const sql = compileModel(m, target, opts.config, project).sql;
        const buildSql = compileModel(m, buildTarget, opts.config, project).sql;
        const alias = stagedTable(m)?.name;
        cached = toCache.has(m.name);
        const rel = await step(m.name, engineName, () =>
          cached ? session.cache(m.name, sql, buildSql, alias) : session.createView(m.name, sql, buildSql, alias),
        );
        relation.set(m.name, rel);
        available.add(m.name);
      }
      const model: ModelReport = { name: m.name, kind: m.kind, materialised, rows, ms: performance.now() - t0 };
      if (cached) model.cached = true;
      report.models.push(model);
      opts.onEvent?.({ type: 'model', model });
    }

    await session.afterModels?.(project);

    if (!opts.skipTests) {
      const tests: DataTest[] = [];
      for (const m of buildable) {
        const staged = stagedTable(m);
        if (staged) tests.push(...schemaTests(m.name, staged, relation.get(m.name) ?? m.name));
        const declared = m.kind === 'marts' ? martTable(m.name) : undefined;
        if (declared) tests.push(...schemaTests(m.name, declared, relation.get(m.name) ?? m.name));
      }
      for (const m of sqlTestModels) tests.push({ name: m.name, sql: compileModel(m, buildTarget, opts.config, project).sql, models: m.refs });
      for (const t of tests.filter((x) => x.models.some((n) => selected.has(n)) && x.models.every((n) => available.has(n)))) {
        const result = await runDataTest(session.engine, t);
        report.tests.push(result);
        if (!result.ok) report.ok = false;
        opts.onEvent?.({ type: 'test', test: result });
      }
    }
    report.totalMs = performance.now() - started;
    await session.publish(report);
  } catch (e) {
    await session.discard().catch(() => undefined);
    throw e;
  } finally {
    await session.close();
  }
  report.totalMs = performance.now() - started;
  return report;
}
