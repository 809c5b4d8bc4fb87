/**
 * The build's plan and state, pure: which staging and intermediate models a build keeps or skips,
 * the dependency layers of its steps, a mart's schema check, and the JSON state an orchestrator
 * carries between steps (runner.ts runs them).
 */
import { CANONICAL_TABLES, canonicalTable, type TableDef } from '../schema/index.js';
import { callArgs, type Model } from './compile/index.js';
import type { ModelReport } from './build-session.js';
import type { TestResult } from './data-tests.js';

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
export function modelsToCache(models: readonly Model[], roots: readonly Pick<Model, 'refs'>[]): Set<string> {
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
