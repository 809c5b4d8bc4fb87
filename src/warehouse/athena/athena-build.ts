import type { Config } from '../../config/config.js';
import type { S3LakeStore } from '../../lake/s3-store.js';
import { CANONICAL_TABLES, canonicalTable, type TableDef } from '../../schema/index.js';
import { martTable } from '../../schema/marts/index.js';
import { athenaTarget, buildOrder, compileModel, loadProject, selectModels, type Model } from '../compile/index.js';
import { runDataTest, schemaTests, type DataTest, type TestResult } from '../data-tests.js';
import { BuildError } from '../materialise.js';
import type { AthenaEngine } from './athena-engine.js';
import { GlueClient } from '@aws-sdk/client-glue';
import { readBuildMarker } from '../../lake/build-marker.js';
import { writeMart, type MartWriteResult } from './mart-writer.js';
import { nextPublished, pointMarts, pruneVersions, publishedBuilds, type PublishedBuild } from './mart-versions.js';
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
  /** Publishes the marts (points their Glue tables at the new versions); default a client from the environment. */
  glue?: GlueClient;
  /** The build's id (sorts by start time); its marts go to marts/<model>/<buildId>/. */
  buildId?: string;
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
  build_id: string;
  /** Whether readers now see this build's marts (false: a data test failed; the previous marts stay). */
  published: boolean;
  /** After a publish: every mart's folder and the builds kept for rollback (for the build marker). */
  marts?: Record<string, string>;
  history?: PublishedBuild[];
}

export const newAthenaBuildId = (now = new Date()) =>
  `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;

function stagedTable(model: Model): TableDef | undefined {
  if (model.kind !== 'staging' || !model.name.startsWith('stg_')) return undefined;
  const name = model.name.slice(4);
  return CANONICAL_TABLES.some((t) => t.name === name) ? canonicalTable(name) : undefined;
}

/**
 * Builds the models on Athena over the Glue catalog: staging and intermediate models (and the
 * canonical tables under their own names) as views; every selected mart written as a new version
 * beside the published one (marts/<model>/<build_id>/), read by later marts and the data tests through
 * its temporary table; then, only when every mart and data test succeeded, each mart's Glue table is
 * switched to its new folder. A failure or a failing test leaves every mart as it was, removes the new
 * folders and temporary tables, and the report (or the error) names the mart or test. Same project,
 * same compiler, Trino dialect.
 */
export async function buildWarehouseAthena(opts: AthenaBuildOptions): Promise<AthenaBuildReport> {
  const started = performance.now();
  const project = loadProject(opts.sqlDir);
  const ordered = buildOrder(project);
  const buildable = ordered.filter((m) => m.kind !== 'tests');
  const selected = opts.select?.length ? selectModels(buildable, opts.select) : new Set(buildable.map((m) => m.name));
  const target = athenaTarget({ lakeUri: opts.store.location });
  const buildId = opts.buildId ?? newAthenaBuildId();
  const written = new Map<string, MartWriteResult>();
  // Later marts and the tests read this build's versions, not the published ones.
  const buildTarget = { ...target, ref: (m: string) => written.get(m)?.tempTable ?? target.ref(m) };
  const report: AthenaBuildReport = {
    ok: true,
    lake: opts.store.location,
    database: opts.engine.database,
    selected: buildable.filter((m) => selected.has(m.name)).map((m) => m.name),
    models: [],
    tests: [],
    totalMs: 0,
    scanned: { queries: 0, bytes_scanned: 0, bytes_billed: 0, estimated_usd: 0 },
    build_id: buildId,
    published: false,
  };
  const before = { ...opts.engine.scans };
  const discard = async () => {
    for (const w of written.values()) {
      await opts.engine.execute(`DROP TABLE IF EXISTS ${w.tempTable}`).catch(() => undefined);
      await opts.store.deletePrefix(w.dir).catch(() => undefined);
    }
  };
  let publishing = false;
  try {
    for (const m of buildable) {
      const t0 = performance.now();
      let materialised: AthenaModelReport['materialised'] = 'view';
      let statements = 0;
      let pendingDir: string | undefined;
      try {
        if (m.kind === 'marts') {
          const declared = martTable(m.name);
          if (selected.has(m.name)) {
            if (!declared) throw new BuildError(`mart ${m.name} has no declared schema: add src/schema/marts/${m.name}.ts to MART_TABLES`);
            const sql = compileModel(m, buildTarget, opts.config, project).sql;
            pendingDir = `marts/${m.name}/${buildId}`;
            const w = await writeMart({ engine: opts.engine, store: opts.store, model: m.name, sql, declared, buildId });
            written.set(m.name, w);
            statements = w.statements.length;
            materialised = 'ctas';
          } else {
            materialised = 'existing';
          }
        } else {
          const sql = compileModel(m, target, opts.config, project).sql;
          await opts.engine.execute(`CREATE OR REPLACE VIEW ${m.name} AS\n${sql}`);
          statements = 1;
          const staged = stagedTable(m);
          if (staged) {
            await opts.engine.execute(`CREATE OR REPLACE VIEW ${staged.name} AS\n${sql}`);
            statements++;
          }
        }
      } catch (e) {
        // The failed mart's own partial folder goes too.
        if (pendingDir && !written.has(m.name)) await opts.store.deletePrefix(pendingDir).catch(() => undefined);
        // No region or credentials is about the machine, not this model: let it reach the CLI's one-line hint.
        if (e instanceof BuildError || awsSetupProblem(e)) throw e;
        throw new BuildError(`model ${m.name} failed on Athena: ${(e as Error).message}; the published marts are unchanged`);
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
        if (declared) tests.push(...schemaTests(m.name, declared, buildTarget.ref(m.name)));
      }
      for (const m of ordered.filter((x) => x.kind === 'tests')) {
        tests.push({ name: m.name, sql: compileModel(m, buildTarget, opts.config, project).sql, models: m.refs });
      }
      for (const t of tests.filter((x) => x.models.some((n) => selected.has(n)))) {
        const result = await runDataTest(opts.engine, t);
        report.tests.push(result);
        if (!result.ok) report.ok = false;
        opts.onEvent?.({ type: 'test', test: result });
      }
    }

    if (report.ok && written.size) {
      publishing = true;
      const glue = opts.glue ?? new GlueClient({});
      const previous = publishedBuilds(await readBuildMarker(opts.store));
      await pointMarts(
        glue,
        opts.engine.database,
        [...written].map(([name, w]) => ({ declared: martTable(name)!, location: w.location })),
      );
      const next = nextPublished(previous, Object.fromEntries([...written].map(([name, w]) => [name, w.dir])));
      report.published = true;
      report.marts = next.marts;
      report.history = next.history;
      for (const w of written.values()) await opts.engine.execute(`DROP TABLE IF EXISTS ${w.tempTable}`).catch(() => undefined);
      const kept = [{ build_id: buildId, finished_at: '', marts: next.marts }, ...next.history];
      await pruneVersions(opts.store, kept, [...written.keys()], buildId).catch(() => undefined);
    }
  } finally {
    if (!report.published && !publishing) await discard();
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

/**
 * `--rollback`: points every mart back at the folders of the build before the published one and makes
 * that the published build in the marker. Returns the build now published, or undefined when no
 * earlier version is kept.
 */
export async function rollbackAthena(opts: { store: S3LakeStore; database: string; glue?: GlueClient }): Promise<{ from: string; to: PublishedBuild; history: PublishedBuild[] } | undefined> {
  const builds = publishedBuilds(await readBuildMarker(opts.store));
  if (builds.length < 2) return undefined;
  const [current, target, ...older] = builds as [PublishedBuild, PublishedBuild, ...PublishedBuild[]];
  const glue = opts.glue ?? new GlueClient({});
  await pointMarts(
    glue,
    opts.database,
    Object.entries(target.marts)
      .filter(([name]) => martTable(name))
      .map(([name, dir]) => ({ declared: martTable(name)!, location: `${opts.store.uriOf(dir)}/` })),
  );
  return { from: current.build_id, to: target, history: older };
}
