import type { Config } from '../../config/config.js';
import type { S3LakeStore } from '../../lake/s3-store.js';
import { CANONICAL_TABLES, canonicalTable, type TableDef } from '../../schema/index.js';
import { martTable } from '../../schema/marts/index.js';
import { athenaTarget, buildOrder, compileModel, loadProject, selectModels, type Model } from '../compile/index.js';
import { runDataTest, schemaTests, type DataTest, type TestResult } from '../data-tests.js';
import { BuildError } from '../materialise.js';
import type { AthenaEngine } from './athena-engine.js';
import { writeMart } from './mart-writer.js';
import { awsSetupProblem } from '../../aws/setup-problem.js';
import { estimatedUsd } from '../../aws/athena-cost.js';

export interface AthenaBuildOptions {
  engine: AthenaEngine;
  /** The S3 lake the marts are written into (same bucket/prefix the Glue tables point at). */
  store: S3LakeStore;
  config: Config;
  select?: readonly string[];
  sqlDir?: string;
  skipTests?: boolean;
  onEvent?: (e: AthenaBuildEvent) => void;
}

export interface AthenaModelReport {
  name: string;
  kind: Model['kind'];
  materialised: 'view' | 'ctas' | 'existing';
  statements: number;
  ms: number;
}

export type AthenaBuildEvent = { type: 'model'; model: AthenaModelReport } | { type: 'test'; test: TestResult };

export interface AthenaBuildReport {
  ok: boolean;
  lake: string;
  database: string;
  selected: string[];
  models: AthenaModelReport[];
  tests: TestResult[];
  totalMs: number;
  /** What this build scanned on Athena and its estimated cost (src/aws/athena-cost.ts). */
  scanned: { queries: number; bytes_scanned: number; bytes_billed: number; estimated_usd: number };
}

function stagedTable(model: Model): TableDef | undefined {
  if (model.kind !== 'staging' || !model.name.startsWith('stg_')) return undefined;
  const name = model.name.slice(4);
  return CANONICAL_TABLES.some((t) => t.name === name) ? canonicalTable(name) : undefined;
}

/**
 * Builds the models on Athena over the Glue catalog: staging and intermediate models (and the
 * canonical tables under their own names) as views, marts rewritten into the lake with CTAS, then
 * the same data tests as the embedded build. Same project, same compiler, Trino dialect.
 */
export async function buildWarehouseAthena(opts: AthenaBuildOptions): Promise<AthenaBuildReport> {
  const started = performance.now();
  const project = loadProject(opts.sqlDir);
  const ordered = buildOrder(project);
  const buildable = ordered.filter((m) => m.kind !== 'tests');
  const selected = opts.select?.length ? selectModels(buildable, opts.select) : new Set(buildable.map((m) => m.name));
  const target = athenaTarget();
  const report: AthenaBuildReport = {
    ok: true,
    lake: opts.store.location,
    database: opts.engine.database,
    selected: buildable.filter((m) => selected.has(m.name)).map((m) => m.name),
    models: [],
    tests: [],
    totalMs: 0,
    scanned: { queries: 0, bytes_scanned: 0, bytes_billed: 0, estimated_usd: 0 },
  };
  const before = { ...opts.engine.scans };
  for (const m of buildable) {
    const t0 = performance.now();
    let materialised: AthenaModelReport['materialised'] = 'view';
    let statements = 0;
    try {
      const sql = compileModel(m, target, opts.config, project).sql;
      if (m.kind === 'marts') {
        const declared = martTable(m.name);
        if (selected.has(m.name)) {
          if (!declared) throw new BuildError(`mart ${m.name} has no declared schema: add src/schema/marts/${m.name}.ts to MART_TABLES`);
          statements = (await writeMart({ engine: opts.engine, store: opts.store, model: m.name, sql, declared })).statements.length;
          materialised = 'ctas';
        } else {
          materialised = 'existing';
        }
      } else {
        await opts.engine.execute(`CREATE OR REPLACE VIEW ${m.name} AS\n${sql}`);
        statements = 1;
        const staged = stagedTable(m);
        if (staged) {
          await opts.engine.execute(`CREATE OR REPLACE VIEW ${staged.name} AS\n${sql}`);
          statements++;
        }
      }
    } catch (e) {
      // No region or credentials is about the machine, not this model: let it reach the CLI's one-line hint.
      if (e instanceof BuildError || awsSetupProblem(e)) throw e;
      throw new BuildError(`model ${m.name} failed on Athena: ${(e as Error).message}`);
    }
    const model: AthenaModelReport = { name: m.name, kind: m.kind, materialised, statements, ms: performance.now() - t0 };
    report.models.push(model);
    opts.onEvent?.({ type: 'model', model });
  }

  if (!opts.skipTests) {
    const tests: DataTest[] = [];
    for (const m of buildable) {
      const staged = stagedTable(m);
      if (staged) tests.push(...schemaTests(m.name, staged));
      const declared = m.kind === 'marts' ? martTable(m.name) : undefined;
      if (declared) tests.push(...schemaTests(m.name, declared));
    }
    for (const m of ordered.filter((x) => x.kind === 'tests')) {
      tests.push({ name: m.name, sql: compileModel(m, target, opts.config, project).sql, models: m.refs });
    }
    for (const t of tests.filter((x) => x.models.some((n) => selected.has(n)))) {
      const result = await runDataTest(opts.engine, t);
      report.tests.push(result);
      if (!result.ok) report.ok = false;
      opts.onEvent?.({ type: 'test', test: result });
    }
  }
  report.totalMs = performance.now() - started;
  const spent = {
    queries: opts.engine.scans.queries - before.queries,
    bytesScanned: opts.engine.scans.bytesScanned - before.bytesScanned,
    bytesBilled: opts.engine.scans.bytesBilled - before.bytesBilled,
  };
  report.scanned = { queries: spent.queries, bytes_scanned: spent.bytesScanned, bytes_billed: spent.bytesBilled, estimated_usd: estimatedUsd(spent) };
  return report;
}
