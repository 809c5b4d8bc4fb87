import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { CANONICAL_TABLES, type TableDef } from '../schema/index.js';
import { MART_TABLES } from '../schema/marts/index.js';
import { openDuckDBBuild } from './duckdb/duckdb-build.js';
import { BuildError } from './materialise.js';
import type { BuildChecks } from './build-checks.js';
import { runBuild, type BuildOptions as RunnerOptions, type BuildReport } from './runner.js';

export { BuildError };
export { committedRawFiles, tablesWithFiles } from './lake-sources.js';
export type { BuildEvent, BuildReport, ModelMaterialisation, ModelReport } from './runner.js';

export interface BuildOptions extends RunnerOptions {
  lakeRoot: string;
  config: Config;
}

/**
 * Builds the warehouse on DuckDB over the lake (the embedded default): the one build runner with the
 * DuckDB session, which publishes the whole build at once (see ./duckdb/duckdb-build.ts).
 */
export async function buildWarehouse(opts: BuildOptions): Promise<BuildReport & { checks?: BuildChecks }> {
  const session = await openDuckDBBuild(resolve(opts.lakeRoot), opts.config);
  const report = await runBuild(session, opts);
  return { ...report, checks: session.checks() };
}

/** Every table a user can query: canonical tables and marts, from their zod schemas. */
export const WAREHOUSE_TABLES: readonly TableDef[] = [...CANONICAL_TABLES, ...MART_TABLES];
