import type { BuildMarker } from '../lake/build-marker.js';
import { martTable } from '../schema/marts/index.js';
import { buildOrder, compileModel, loadProject, selectModels, type CompileTarget, type Model } from './compile/index.js';
import { runDataTest, schemaTests, type DataTest, type TestResult } from './data-tests.js';
import { BuildError } from './materialise.js';
import type { BuildOptions, BuildReport, BuildSession, ModelMaterialisation, ModelReport, PublishedView } from './build-session.js';
import { mergeSteps, modelsToCache, newBuildState, planLayers, readOnce, schemaDiff, stagedTable, unneededViews, type BuildPlan, type BuildState, type StepResult } from './build-plan.js';
import { sourceSlot } from './partitions.js';

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
