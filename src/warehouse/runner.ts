import type { Config } from '../config/config.js';
import type { BuildMarker } from '../lake/build-marker.js';
import { CANONICAL_TABLES, canonicalTable, type TableDef } from '../schema/index.js';
import { martTable } from '../schema/marts/index.js';
import { buildOrder, callArgs, compileModel, loadProject, selectModels, type CompileTarget, type Model } from './compile/index.js';
import { runDataTest, schemaTests, type DataTest, type TestResult } from './data-tests.js';
import type { WarehouseEngine } from './engine.js';
import { BuildError } from './materialise.js';
import { sourceSlot } from './incremental.js';

/**
 * The one build runner every engine uses: compile the project, create the staging and intermediate
 * views, write the selected marts into a new generation, run the data tests, publish the generation
 * in one switch and write the build marker. What differs per engine (where a view lives, how a mart
 * is written, what the switch is) sits behind {@link BuildSession}, in the engine's own folder.
 *
 * The build is also available step by step ({@link BuildRun}): a plan of dependency layers, one step
 * per model (the model and its data tests) or per SQL data test, then `finish` (publish + marker) or
 * `abort`. `runBuild` drives those steps in one process; an orchestrator (the Step Functions state
 * machine of the AWS stack) drives the same steps one invocation at a time, carrying the JSON
 * {@link BuildState} between them, on engines whose session can be reopened for a build in progress.
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
  /**
   * Extra build-marker fields, asked for after the publish (the AWS build records the config it ran
   * with and the dashboards' catalog there).
   */
  markerFields?: (engine: WarehouseEngine) => Promise<Partial<BuildMarker>>;
  /**
   * An incremental build (src/warehouse/incremental.ts): the models to recompute and test. Selected
   * marts outside it are carried over from the published build as they are; staging and intermediate
   * models outside it are views, their data tests not run again. Absent: every selected model.
   */
  rebuild?: ReadonlySet<string>;
  /** Staging or intermediate models to keep as tables although no rebuilt mart reads them (what the engine reads after the models). */
  cacheAlso?: readonly string[];
  /**
   * Leave a staging or intermediate model that one reference of one other model (or data test) of
   * this build reads as a view, computed inside its reader, instead of keeping a table of it: where
   * no later build reuses kept tables (DuckDB's --select), writing a table read once only costs. The
   * models listed in `except` are kept anyway (what the engine reads after the models).
   */
  inlineReadOnce?: { except: readonly string[] };
}

/** `table`: a mart written as a table of the new generation (Parquet on every engine). */
export type ModelMaterialisation = 'view' | 'parquet' | 'table' | 'existing' | 'missing';

export interface ModelReport {
  name: string;
  kind: Model['kind'];
  materialised: ModelMaterialisation;
  /** Rows written (marts built in this run, where the engine reports them). */
  rows?: number;
  /** A staging/intermediate model the build also kept as a table for the marts to read. */
  cached?: boolean;
  ms: number;
}

export type BuildEvent = { type: 'model'; model: ModelReport } | { type: 'test'; test: TestResult };

export interface BuildReport {
  ok: boolean;
  /** Engine name (`duckdb`, `trino`, `athena`). */
  engine: string;
  lakeRoot: string;
  /** Where readers find the build: the warehouse file, `catalog.schema` or the Glue database. */
  warehouse: string;
  /** Identifies the build (and, once published, the generation readers see). */
  buildId: string;
  /** Whether readers now see this build (false: a failing data test on an engine that keeps the previous build then). */
  published: boolean;
  selected: string[];
  models: ModelReport[];
  tests: TestResult[];
  totalMs: number;
  /** The marker written at publish (absent when nothing was published). */
  marker?: BuildMarker;
  /** What the engine reports the build used (Athena: bytes scanned and estimated cost). */
  usage?: Record<string, number>;
}

/** A staging or intermediate model as readers see it after publish. */
export interface PublishedView {
  model: string;
  /** Its SQL over published names. */
  sql: string;
  /** The canonical table it stages, shown under that name too. */
  alias?: string;
}

/** What a session's publish tells the marker: each mart's location and any history it keeps. */
export type PublishedMarts = Pick<BuildMarker, 'marts' | 'history' | 'views' | 'model_files'>;

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
   * How a mart's columns are held to its declared schema: `plan` describes the query first, `written`
   * describes the written table (engines where planning is the cost, like Trino), `cast` means the
   * writer casts every column to its declared type and order itself (Athena's CTAS: one statement
   * fewer per mart, billed per query). A `plan`/`written` mismatch fails the build.
   */
  readonly schemaCheck: 'plan' | 'written' | 'cast';
  /**
   * A failing data test: `publish` anyway (the embedded build: the user inspects the failing rows
   * in the new warehouse; the CLI exits 1) or `keep-previous` (readers stay on the last good build).
   */
  readonly onFailedTests: 'publish' | 'keep-previous';
  /**
   * How many independent steps (the models of one dependency layer, then the data tests) `runBuild`
   * runs at once: 1 where the engine has one connection to the new build (DuckDB), more where each
   * statement is a query on a server (Trino, Athena) and latency, not CPU, is most of a small model.
   */
  readonly concurrency: number;
  /** Where the build marker is written (the lake's store) and under which key. */
  readonly marker: { store: { writeText(key: string, text: string): Promise<void> }; key: string };
  /**
   * A staging or intermediate model as a view of the new generation; `sql` refs published names,
   * `buildSql` this build's relations, `alias` is the canonical table it stages. Returns the relation
   * the rest of the build reads it from.
   */
  createView(model: string, sql: string, buildSql: string, alias?: string): Promise<string>;
  /**
   * `readers`: the build's views of staging and intermediate models are what readers query once the
   * build is published (DuckDB's warehouse file, Trino's pointers), so every model gets one.
   * `build-only`: they serve this build alone and readers' views are created at publish from
   * `publish(…, views)` (Athena): a selective build then makes only the ones its selected models and
   * data tests read, while every model still gets its readers' view.
   */
  readonly buildViews?: 'readers' | 'build-only';
  /**
   * As createView, for a model the marts or tests read: the engine may keep its rows (computed once).
   * `partial` compiles the model with some refs (and raw tables, under incremental.ts sourceSlot) read
   * from other relations (an engine that recomputes a partitioned model for some customers or keys
   * only: src/warehouse/incremental.ts, PARTITIONED_MODELS).
   */
  cache(model: string, sql: string, buildSql: string, alias?: string, partial?: (refs: Readonly<Record<string, string>>) => string): Promise<string>;
  /** Writes a selected mart into the new generation; returns its relation and rows (if known). */
  writeMart(model: string, sql: string, declared: TableDef): Promise<{ relation: string; rows?: number }>;
  /** The published relation of a mart this build does not rebuild, carried into the new generation; undefined if none. */
  keepMart(model: string): Promise<string | undefined>;
  /** Output columns of a query (to check a mart against its declared schema). */
  describe(sql: string): Promise<{ name: string; type: string }[]>;
  /**
   * Reopening a build in progress in another process: what earlier steps created (relations of
   * every model built so far, marts written). Present on engines whose build can run step by step
   * across processes; the others build in one process (`runBuild`).
   */
  resume?(state: BuildState): void;
  /** After the last model, before publishing (DuckDB documents its views and columns here). */
  afterModels?(project: readonly Model[]): Promise<void>;
  /**
   * Makes the new generation the one every reader sees, in one switch; returns what the marker
   * records. `views`: the staging and intermediate models this build made, in build order, with their
   * SQL over published names (for engines that create the readers' views at publish).
   */
  publish(report: BuildReport, views: readonly PublishedView[]): Promise<PublishedMarts>;
  /** After the marker is written: removes generations no reader needs any more (temp tables, old versions). */
  afterPublish?(marker: BuildMarker): Promise<void>;
  /** Removes what this build created; the previous generation stays published. */
  discard(): Promise<void>;
  /** An error about the machine (no region, no credentials), passed on as it is instead of blamed on a model. */
  isSetupProblem?(e: unknown): boolean;
  /** Engine usage of this build so far (Athena: bytes scanned, estimated cost). */
  usage?(): Record<string, number>;
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
function modelsToCache(models: readonly Model[], roots: readonly Pick<Model, 'refs'>[]): Set<string> {
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

/**
 * Staging and intermediate models a selective build does not need: nothing selected, no data test it
 * runs and nothing kept as a table reads them, directly or through each other (an unselected mart is
 * kept as published, so what it reads is not needed). Empty when every model is selected. Pure.
 */
export function unneededViews(models: readonly Model[], selected: ReadonlySet<string>, roots: readonly Pick<Model, 'refs'>[]): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const needed = new Set<string>();
  const todo = [...selected, ...roots.flatMap((r) => r.refs)];
  while (todo.length) {
    const name = todo.pop()!;
    const m = byName.get(name);
    if (!m || needed.has(name)) continue;
    needed.add(name);
    if (m.kind !== 'marts' || selected.has(name)) todo.push(...m.refs);
  }
  return new Set(models.filter((m) => (m.kind === 'staging' || m.kind === 'intermediate') && !needed.has(m.name)).map((m) => m.name));
}

/**
 * Of the models to cache, those read by exactly one reference (one `ref` call of one model to cache,
 * mart or data test among `readers`): kept as views, they are computed inside their reader. Pure.
 */
export function readOnce(cache: ReadonlySet<string>, readers: readonly Pick<Model, 'parts'>[]): Set<string> {
  const reads = new Map<string, number>();
  for (const r of readers) for (const name of callArgs(r.parts, 'ref')) reads.set(name, (reads.get(name) ?? 0) + 1);
  return new Set([...cache].filter((n) => reads.get(n) === 1));
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

/**
 * Dependency layers of the build's steps: every model, and every SQL data test, sits one layer after
 * the latest of what it refs, so the steps of one layer never depend on each other and may run in
 * parallel. Within a layer, by kind then name (stable). Pure.
 */
export function planLayers(ordered: readonly Model[]): string[][] {
  const layerOf = new Map<string, number>();
  const layers: string[][] = [];
  for (const m of ordered) {
    const l = m.refs.reduce((max, r) => Math.max(max, (layerOf.get(r) ?? -1) + 1), 0);
    layerOf.set(m.name, l);
    (layers[l] ??= []).push(m.name);
  }
  return layers;
}

/** The build as a graph of steps, for an orchestrator (JSON). */
export interface BuildPlan {
  buildId: string;
  engine: string;
  /** Models the build (re)builds; unselected marts are carried over from the published build. */
  selected: string[];
  /** Step names (models and SQL data tests) in dependency layers: run a layer's steps in any order or at once. */
  layers: string[][];
}

/**
 * What a build in progress has done, carried between steps (JSON; a state machine passes it on).
 * {@link mergeSteps} folds the results of one layer's steps into it.
 */
export interface BuildState {
  buildId: string;
  startedAt: string;
  /** Model → the relation this build reads it from (this build's views and marts, kept marts). */
  relations: Record<string, string>;
  /** Marts this build wrote (the ones publishing switches). */
  written: string[];
  models: ModelReport[];
  tests: TestResult[];
}

/** What one step did (JSON). */
export interface StepResult {
  step: string;
  /** The model this step built (absent for a SQL data test step). */
  model?: ModelReport;
  /** The relation later steps read the model from; absent when it is missing (not built, not published). */
  relation?: string;
  /** Whether the step wrote a mart of the new generation. */
  written?: boolean;
  tests: TestResult[];
}

export function newBuildState(buildId: string, now = new Date()): BuildState {
  return { buildId, startedAt: now.toISOString(), relations: {}, written: [], models: [], tests: [] };
}

/** Folds step results into the build state (in the order given). Pure. */
export function mergeSteps(state: BuildState, results: readonly StepResult[]): BuildState {
  const next: BuildState = {
    ...state,
    relations: { ...state.relations },
    written: [...state.written],
    models: [...state.models],
    tests: [...state.tests],
  };
  for (const r of results) {
    if (r.relation !== undefined) next.relations[r.step] = r.relation;
    if (r.written && !next.written.includes(r.step)) next.written.push(r.step);
    if (r.model) next.models.push(r.model);
    next.tests.push(...r.tests);
  }
  return next;
}

async function step<T>(name: string, session: BuildSession, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BuildError || session.isSetupProblem?.(e)) throw e;
    throw new BuildError(`model ${name} failed on ${session.engineName}: ${(e as Error).message}; readers keep the published build`);
  }
}

/**
 * One build, step by step. Open it with the session (and, in a later process, the state so far);
 * `plan()` gives the layers; `step(name)` builds one model and runs its data tests (or runs one SQL
 * data test); `finish()` publishes and writes the marker, or keeps the previous build when a data test
 * failed on an engine that gates on them; `abort()` discards. A model that fails throws a
 * {@link BuildError} naming it; the caller then aborts.
 */
export class BuildRun {
  readonly project: Model[];
  private readonly byName: Map<string, Model>;
  private readonly buildable: Model[];
  private readonly ordered: Model[];
  private readonly selected: Set<string>;
  private readonly toCache: Set<string>;
  /** Staging/intermediate models this build makes no view of (a selective build on a `build-only` views engine). */
  private readonly skipped: Set<string>;
  private readonly buildTarget: CompileTarget;
  private current: BuildState;

  constructor(
    readonly session: BuildSession,
    readonly opts: BuildOptions,
    state?: BuildState,
  ) {
    this.project = loadProject(opts.sqlDir);
    this.byName = new Map(this.project.map((m) => [m.name, m]));
    this.ordered = buildOrder(this.project);
    this.buildable = this.ordered.filter((m) => m.kind !== 'tests');
    this.selected = opts.select?.length ? selectModels(this.buildable, opts.select) : new Set(this.buildable.map((m) => m.name));
    if (opts.rebuild) {
      const rebuild = opts.rebuild;
      this.selected = new Set([...this.selected].filter((n) => rebuild.has(n)));
    }
    for (const m of this.buildable) {
      if (m.kind === 'marts' && this.selected.has(m.name) && !martTable(m.name)) {
        throw new BuildError(`mart ${m.name} has no declared schema: add src/schema/marts/${m.name}.ts to MART_TABLES`);
      }
    }
    const marts = this.buildable.filter((m) => m.kind === 'marts' && this.selected.has(m.name));
    // An incremental build also keeps a table of each recomputed staging model (its data tests read it)
    // and of what the engine reads after the models.
    const extra = [
      ...(opts.rebuild ? this.buildable.filter((m) => m.kind !== 'marts' && this.selected.has(m.name)).map((m) => m.name) : []),
      ...(opts.cacheAlso ?? []),
    ];
    this.toCache = modelsToCache(this.project, [...marts, ...this.sqlTests(), { refs: extra }]);
    this.skipped =
      session.buildViews === 'build-only' ? unneededViews(this.buildable, this.selected, [...this.sqlTests(), { refs: extra }]) : new Set();
    if (opts.inlineReadOnce) {
      const keep = new Set([...opts.inlineReadOnce.except, ...extra]);
      const readers = [...marts, ...this.sqlTests(), ...[...this.toCache].map((n) => this.byName.get(n)!)];
      for (const n of readOnce(this.toCache, readers)) if (!keep.has(n)) this.toCache.delete(n);
    }
    if (state && state.buildId !== session.buildId) {
      throw new BuildError(`build state of ${state.buildId} given to a session of build ${session.buildId}`);
    }
    this.current = state ?? newBuildState(session.buildId);
    if (state) session.resume?.(state);
    const target = session.target;
    // During the build, refs resolve to this build's relations (cached models, new-generation marts),
    // and staging's latest-version-wins takes the dialect's form for computing once: what the build
    // SQL computes is materialised or run once, while views keep the form cheap to expand.
    const once = target.dialect.latestVersionsOnce;
    const dialect = once ? { ...target.dialect, latestVersions: once } : target.dialect;
    this.buildTarget = { ...target, dialect, ref: (m) => this.current.relations[m] ?? target.ref(m) };
  }

  get state(): BuildState {
    return this.current;
  }

  /** SQL data tests this build runs: those reading a selected model. */
  private sqlTests(): Model[] {
    if (this.opts.skipTests) return [];
    // An incremental build also runs a test whose own SQL changed although what it reads did not.
    return this.ordered.filter((m) => m.kind === 'tests' && (m.refs.some((r) => this.selected.has(r)) || this.opts.rebuild?.has(m.name) === true));
  }

  plan(): BuildPlan {
    const tests = new Set(this.sqlTests().map((m) => m.name));
    return {
      buildId: this.session.buildId,
      engine: this.session.engineName,
      selected: this.buildable.filter((m) => this.selected.has(m.name)).map((m) => m.name),
      layers: planLayers(this.ordered.filter((m) => (m.kind !== 'tests' || tests.has(m.name)) && !this.skipped.has(m.name))),
    };
  }

  /** The plan's steps in one dependency order (the order a single process runs them in). */
  steps(): string[] {
    const inPlan = new Set(this.plan().layers.flat());
    return this.ordered.filter((m) => inPlan.has(m.name)).map((m) => m.name);
  }

  /** One step: the model and its data tests, or one SQL data test. Recorded in `state`. */
  async step(name: string): Promise<StepResult> {
    const result = await this.buildModel(name);
    this.record(result);
    const tests = await this.testsOf(name);
    this.record({ step: name, tests });
    return { ...result, tests };
  }

  /** Folds a step's result into `state` (buildModel and testsOf do not record by themselves). */
  record(result: StepResult): void {
    this.current = mergeSteps(this.current, [result]);
  }

  /** Builds one model (no tests); a SQL-test step builds nothing. */
  async buildModel(name: string): Promise<StepResult> {
    const m = this.byName.get(name);
    if (!m) throw new BuildError(`no model or data test named ${name}`);
    if (m.kind === 'tests') return { step: name, tests: [] };
    const { session, opts, project, selected } = this;
    const engineName = session.engineName;
    const available = (r: string) => this.current.relations[r] !== undefined;
    const t0 = performance.now();
    let materialised: ModelMaterialisation = 'view';
    let rows: number | undefined;
    let cached = false;
    let relation: string | undefined;
    let written = false;
    const missing = m.refs.filter((r) => !available(r));
    const required = (m.kind === 'marts' && selected.has(m.name)) || this.toCache.has(m.name);
    if (missing.length && required) {
      throw new BuildError(`${m.name} needs ${missing.join(', ')}, which is not built: select it too (--select +${m.name})`);
    }
    if (m.kind === 'marts') {
      if (selected.has(m.name)) {
        const declared = martTable(m.name)!;
        const sql = compileModel(m, this.buildTarget, opts.config, project).sql;
        const check = async (query: string) => {
          const problems = schemaDiff(await session.describe(query), declared);
          if (problems.length) {
            throw new BuildError(
              `mart ${m.name} does not match its declared schema (src/schema/marts/${m.name}.ts) on ${engineName}:\n  ${problems.join('\n  ')}`,
            );
          }
        };
        const out = await step(m.name, session, async () => {
          if (session.schemaCheck === 'plan') await check(sql);
          const w = await session.writeMart(m.name, sql, declared);
          if (session.schemaCheck === 'written') await check(`SELECT * FROM ${w.relation}`);
          return w;
        });
        relation = out.relation;
        rows = out.rows;
        written = true;
        materialised = session.martMaterialisation;
      } else {
        relation = await step(m.name, session, () => session.keepMart(m.name));
        materialised = relation ? 'existing' : 'missing';
      }
    } else if (missing.length) {
      materialised = 'missing';
    } else {
      const sql = compileModel(m, session.target, opts.config, project).sql;
      const buildSql = compileModel(m, this.buildTarget, opts.config, project).sql;
      const alias = stagedTable(m)?.name;
      cached = this.toCache.has(m.name);
      const partial = (over: Readonly<Record<string, string>>) =>
        compileModel(
          m,
          { ...this.buildTarget, ref: (r) => over[r] ?? this.buildTarget.ref(r), source: (t) => over[sourceSlot(t.name)] ?? this.buildTarget.source(t) },
          opts.config,
          project,
        ).sql;
      relation = await step(m.name, session, () =>
        cached ? session.cache(m.name, sql, buildSql, alias, partial) : session.createView(m.name, sql, buildSql, alias),
      );
    }
    const model: ModelReport = { name: m.name, kind: m.kind, materialised, rows, ms: performance.now() - t0 };
    if (rows === undefined) delete model.rows;
    if (cached) model.cached = true;
    opts.onEvent?.({ type: 'model', model });
    return { step: name, model, relation, written, tests: [] };
  }

  /** The data tests of one step: a model's schema tests, or the SQL test itself. */
  private testsFor(name: string): DataTest[] {
    if (this.opts.skipTests) return [];
    const m = this.byName.get(name);
    if (!m) return [];
    const rel = (n: string) => this.current.relations[n] ?? n;
    const tests: DataTest[] = [];
    if (m.kind === 'tests') {
      if (this.sqlTests().includes(m)) {
        tests.push({ name: m.name, sql: compileModel(m, this.buildTarget, this.opts.config, this.project).sql, models: m.refs });
      }
    } else {
      const staged = stagedTable(m);
      if (staged) tests.push(...schemaTests(m.name, staged, rel(m.name)));
      const declared = m.kind === 'marts' ? martTable(m.name) : undefined;
      if (declared) tests.push(...schemaTests(m.name, declared, rel(m.name)));
    }
    return tests.filter(
      (t) => (t.models.some((n) => this.selected.has(n)) || this.opts.rebuild?.has(t.name) === true) && t.models.every((n) => this.current.relations[n] !== undefined),
    );
  }

  /** Runs the data tests of one step (after its model is built). */
  async testsOf(name: string): Promise<TestResult[]> {
    const out: TestResult[] = [];
    for (const t of this.testsFor(name)) {
      const result = await runDataTest(this.session.engine, t);
      out.push(result);
      this.opts.onEvent?.({ type: 'test', test: result });
    }
    return out;
  }

  /**
   * Staging and intermediate models readers get a view of, in build order, over published names: those
   * this build made (not missing), and those it skipped whose refs readers have (as a build that made
   * them would have found them).
   */
  publishedViews(): PublishedView[] {
    const present = new Set(this.current.models.filter((m) => m.materialised !== 'missing').map((m) => m.name));
    for (const m of this.buildable) if (this.skipped.has(m.name) && m.refs.every((r) => present.has(r))) present.add(m.name);
    return this.buildable
      .filter((m) => m.kind !== 'marts' && present.has(m.name))
      .map((m) => ({ model: m.name, sql: compileModel(m, this.session.target, this.opts.config, this.project).sql, alias: stagedTable(m)?.name }));
  }

  /** The report of the build so far. */
  report(totalMs: number, published = false): BuildReport {
    const s = this.current;
    const report: BuildReport = {
      ok: s.tests.every((t) => t.ok),
      engine: this.session.engineName,
      lakeRoot: this.session.lakeRoot,
      warehouse: this.session.warehouse,
      buildId: s.buildId,
      published,
      selected: this.plan().selected,
      models: s.models,
      tests: s.tests,
      totalMs,
    };
    const usage = this.session.usage?.();
    if (usage) report.usage = usage;
    return report;
  }

  /**
   * Publishes the build (or, when a data test failed and the engine keeps the previous build then,
   * discards it) and writes the build marker. Closes the session.
   */
  async finish(): Promise<BuildReport> {
    const { session } = this;
    const totalMs = () => Date.now() - Date.parse(this.current.startedAt);
    try {
      await session.afterModels?.(this.project);
      const report = this.report(totalMs());
      if (!report.ok && session.onFailedTests === 'keep-previous') {
        await session.discard();
        return this.report(totalMs());
      }
      const marts = await session.publish(report, this.publishedViews());
      const marker: BuildMarker = {
        build_id: session.buildId,
        engine: session.engineName,
        finished_at: new Date().toISOString(),
        ok: report.ok,
        models: report.models.length,
        ...marts,
        ...(await this.opts.markerFields?.(session.engine)),
      };
      await session.marker.store.writeText(session.marker.key, `${JSON.stringify(marker, null, 2)}\n`);
      await session.afterPublish?.(marker);
      return { ...this.report(totalMs(), true), marker };
    } catch (e) {
      await session.discard().catch(() => undefined);
      throw e;
    } finally {
      await session.close();
    }
  }

  /** Discards everything the build created; readers keep the previous build. Closes the session. */
  async abort(): Promise<void> {
    try {
      await this.session.discard();
    } finally {
      await this.session.close();
    }
  }
}

/** Runs `fn` over `items` with at most `limit` at once; the first failure rejects (after the running ones settle). */
export async function inPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}

/** Runs a whole build through `session` in this process; on any failure the session is discarded and the previous build stays. */
export async function runBuild(session: BuildSession, opts: BuildOptions): Promise<BuildReport> {
  let run: BuildRun;
  try {
    run = new BuildRun(session, opts);
  } catch (e) {
    await session.discard().catch(() => undefined);
    await session.close();
    throw e;
  }
  const started = performance.now();
  const limit = session.concurrency;
  try {
    // Every model first, then the data tests, so the output reads models then tests. One step at a
    // time keeps the build order; more run the independent steps of each layer together.
    if (limit <= 1) {
      const steps = run.steps();
      for (const name of steps) run.record(await run.buildModel(name));
      for (const name of steps) run.record({ step: name, tests: await run.testsOf(name) });
    } else {
      const layers = run.plan().layers;
      for (const layer of layers) await inPool(layer, limit, async (name) => run.record(await run.buildModel(name)));
      await inPool(layers.flat(), limit, async (name) => run.record({ step: name, tests: await run.testsOf(name) }));
    }
  } catch (e) {
    await run.abort().catch(() => undefined);
    throw e;
  }
  const report = await run.finish();
  report.totalMs = performance.now() - started;
  return report;
}
