import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { CANONICAL_TABLES, type TableDef } from '../schema/index.js';
import { MART_TABLES } from '../schema/marts/index.js';
import { openDuckDBBuild } from './duckdb/duckdb-build.js';
import type { PartialModel } from './duckdb/partial-compute.js';
import { BuildError } from './materialise.js';
import { COUNTED_MODELS, type BuildChecks } from './build-checks.js';
import { runBuild } from './runner.js';
import { type BuildOptions as RunnerOptions, type BuildReport } from './build-session.js';
import { planDuckDBBuild, type DuckDBIncremental } from './duckdb/duckdb-incremental.js';

export { BuildError };
export { committedRawFiles, tablesWithFiles } from './lake-sources.js';
export type { BuildEvent, BuildReport, ModelMaterialisation, ModelReport } from './build-session.js';

export interface BuildOptions extends RunnerOptions {
  lakeRoot: string;
  config: Config;
  /** Rebuild every model, whatever the previous build (`build --full-refresh`). */
  fullRefresh?: boolean;
  /** Told what the build will recompute, before the first model. */
  onPlan?: (plan: IncrementalReport) => void;
}

/** How a build related to the previous one (`build` output and --json). */
export interface IncrementalReport {
  mode: 'full' | 'incremental';
  /** Why everything was rebuilt (mode `full`). */
  reason?: string;
  /** What changed since the previous build. */
  changes: string[];
  /** The build it compared against. */
  previous?: string;
  /** Marts carried over from it as they were. */
  carried: string[];
  /**
   * Staging and intermediate models read from the lake's model cache (computed by an earlier build
   * from the same inputs) instead of computed again; known once the build has run.
   */
  reused?: string[];
  /**
   * Partitioned intermediate models recomputed for the customers whose input rows changed only, the
   * cached rows of the others kept (known once the build has run).
   */
  partial?: PartialModel[];
  /** Partitioned models that had to be recomputed and were computed whole, with the reason. */
  whole?: { model: string; reason: string }[];
  /**
   * Partially recomputed models whose cache entry this build wrote as a layer (the recomputed keys'
   * rows) over the entry it started from, instead of whole (duckdb/cache-layers.ts).
   */
  layered?: string[];
}

/**
 * Builds the warehouse on DuckDB over the lake (the embedded default): the one build runner with the
 * DuckDB session, which publishes the whole build at once (see ./duckdb/duckdb-build.ts). Incremental
 * unless asked otherwise: marts whose inputs did not change since the previous build are carried over
 * (./incremental.ts, ./duckdb/duckdb-incremental.ts).
 */
export async function buildWarehouse(opts: BuildOptions): Promise<BuildReport & { checks?: BuildChecks; incremental: IncrementalReport }> {
  const session = await openDuckDBBuild(resolve(opts.lakeRoot), opts.config, { reuse: !opts.fullRefresh });
  let planned: DuckDBIncremental;
  try {
    planned = planDuckDBBuild(session, opts);
  } catch (e) {
    await session.discard().catch(() => undefined);
    await session.close();
    throw e;
  }
  const { plan } = planned;
  const incremental: IncrementalReport = {
    mode: plan.mode,
    ...(plan.reason ? { reason: plan.reason } : {}),
    changes: plan.changes,
    ...(plan.previous ? { previous: plan.previous } : {}),
    carried: plan.carried,
  };
  opts.onPlan?.(incremental);
  const testsRun = new Set<string>();
  const report = await runBuild(session, {
    ...opts,
    onEvent: (e) => {
      if (e.type === 'test') testsRun.add(e.test.name);
      opts.onEvent?.(e);
    },
    rebuild: planned.rebuild,
    cacheAlso: planned.cacheAlso,
    // A --select build neither reads nor writes the model cache: a model read once is computed where it is read.
    ...(opts.select?.length ? { inlineReadOnce: { except: COUNTED_MODELS } } : {}),
    markerFields: async () => ({ inputs: planned.record(session.checks()?.counts, testsRun) }),
  });
  return { ...report, checks: session.checks(), incremental: { ...incremental, reused: session.reusedModels(), partial: session.partialModels(), whole: session.wholeModels(), layered: session.layeredModels() } };
}

/** Every table a user can query: canonical tables and marts, from their zod schemas. */
export const WAREHOUSE_TABLES: readonly TableDef[] = [...CANONICAL_TABLES, ...MART_TABLES];
