import type { Config } from '../../config/config.js';
import type { S3LakeStore } from '../../lake/s3-store.js';
import { martTable, MART_TABLES } from '../../schema/marts/index.js';
import { athenaTarget } from '../compile/index.js';
import type { AthenaEngine } from './athena-engine.js';
import { GlueClient } from '@aws-sdk/client-glue';
import { BUILD_MARKER_KEY, readBuildMarker } from '../../lake/build-marker.js';
import { martVersionDir, writeMart, type MartWriteResult } from './mart-writer.js';
import { nextPublished, pointMarts, pruneVersions, publishedBuilds, unpointMarts, type PublishedBuild } from './mart-versions.js';
import { awsSetupProblem } from '../../aws/setup-problem.js';
import { estimatedUsd } from '../../aws/athena-cost.js';
import { runBuild } from '../runner.js';
import { type BuildOptions, type BuildReport, type BuildSession, type PublishedView } from '../build-session.js';
import { type BuildState } from '../build-plan.js';
import { CANONICAL_TABLES } from '../../schema/index.js';
import { createHash } from 'node:crypto';

/**
 * The Athena side of the one build runner (src/warehouse/runner.ts), over the Glue catalog:
 *   - staging and intermediate models are views of the build (<model>__v_<id>); the ones the marts and
 *     tests read are written once per build as Parquet tables instead (marts/_staging/<build_id>/<model>/,
 *     table <model>__stg_<id>): marts that inline a chain of views (each staging view with its
 *     committed-batches filter) do not plan on Trino within its optimizer's time limit, and every
 *     reference would scan the raw data again; a selective build makes only those its selected models
 *     and data tests read (a build view of an unneeded model is a nested view chain Trino analyses
 *     from the raw tables up, then drops unused);
 *   - every selected mart is written as a new version beside the published one
 *     (marts/<model>/<build_id>/, see mart-writer.ts) through a temporary CTAS table, which later
 *     marts and the data tests read;
 *   - publishing, only when every mart and every data test succeeded, points each mart's Glue table at
 *     its new folder, then replaces the views readers query (each model and canonical table under its
 *     own name, reading the published marts) unless every one of them is as the last publish left it
 *     (publishedViewsUnchanged); the runner then writes marts/_build.json (each mart's folder, the
 *     builds kept for rollback, the views' fingerprints), and the temporary tables and versions older
 *     than the kept builds go;
 *   - any failure or failing data test leaves every mart as it was and removes the new folders and
 *     temporary tables.
 * Names are derived from the build id, so a build can run step by step across processes (the Step
 * Functions state machine): a session reopened with the id and the state carries on where it was.
 */
export interface AthenaBuildOptions {
  engine: AthenaEngine;
  /** The S3 lake the marts are written into (same bucket/prefix the Glue tables point at). */
  store: S3LakeStore;
  /** Publishes the marts (points their Glue tables at the new versions); default a client from the environment. */
  glue?: GlueClient;
  /** The build's id (sorts by start time); its marts go to marts/<model>/<buildId>/. Give it to reopen a build in progress. */
  buildId?: string;
}

export const newAthenaBuildId = (now = new Date()) =>
  `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;

/** The temporary CTAS table of a mart in a build (deterministic, so another process can drop it). */
export function athenaTempTable(model: string, buildId: string): string {
  return `${model}__ctas_${tempSuffix(buildId)}`;
}

const tempSuffix = (buildId: string) => buildId.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

/** The build's copy of a staging/intermediate model: its table and folder. */
export function athenaStagingTable(model: string, buildId: string): { table: string; dir: string } {
  return { table: `${model}__stg_${tempSuffix(buildId)}`, dir: `${STAGING_DIR}/${buildId}/${model}` };
}

/** Lake folder of the builds' staging copies (under marts/, which the build may write; `_` is no mart name). */
export const STAGING_DIR = 'marts/_staging';

export function openAthenaBuild(opts: AthenaBuildOptions): BuildSession {
  const { engine, store } = opts;
  const buildId = opts.buildId ?? newAthenaBuildId();
  const target = athenaTarget({ lakeUri: store.location });
  const written = new Map<string, Pick<MartWriteResult, 'dir' | 'location' | 'tempTable'>>();
  /** Marts whose write began in this process (a failed one leaves its folder and table to discard). */
  const attempted = new Set<string>();
  let resumed = false;
  const before = { ...engine.scans };
  const versionOf = (model: string) => {
    const dir = martVersionDir(model, buildId);
    return { dir, location: `${store.uriOf(dir)}/`, tempTable: athenaTempTable(model, buildId) };
  };
  const removeVersion = async (model: string) => {
    const v = versionOf(model);
    await engine.execute(`DROP TABLE IF EXISTS ${v.tempTable}`).catch(() => undefined);
    await store.deletePrefix(v.dir).catch(() => undefined);
  };
  const view = async (name: string, sql: string) => engine.execute(`CREATE OR REPLACE VIEW ${name} AS\n${sql}`);
  const suffix = tempSuffix(buildId);
  /** Build views and staging copies made in this process (a resumed build finds the others by name). */
  const objects: { name: string; kind: 'VIEW' | 'TABLE' }[] = [];
  const dropBuildObjects = async () => {
    const ours = [...objects];
    if (resumed) {
      // Objects of earlier steps (and of a step killed mid-CTAS) by their build suffix.
      const like = (kind: string) => `table_name LIKE '%\\_\\_${kind}\\_${suffix}' ESCAPE '\\'`;
      const found = await engine
        .query(`SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '${engine.database}' AND (${like('v')} OR ${like('stg')})`)
        .catch(() => ({ rows: [] }));
      for (const r of found.rows) ours.push({ name: String(r.table_name), kind: r.table_type === 'VIEW' ? 'VIEW' : 'TABLE' });
    }
    // Views first: they read the staging copies.
    for (const o of [...ours.filter((x) => x.kind === 'VIEW'), ...ours.filter((x) => x.kind === 'TABLE')]) {
      await engine.execute(`DROP ${o.kind} IF EXISTS ${o.name}`).catch(() => undefined);
    }
    await store.deletePrefix(`${STAGING_DIR}/${buildId}`).catch(() => undefined);
  };
  let previous: PublishedBuild[] | undefined;
  const published = async () => (previous ??= publishedBuilds(await readBuildMarker(store)));
  /** Set when publish began (some mart tables may name this build's folders) and when it completed. */
  let publishing = false;
  let publishedNow = false;

  return {
    engineName: 'athena',
    lakeRoot: store.location,
    warehouse: engine.database,
    buildId,
    engine,
    target,
    martMaterialisation: 'table',
    // The CTAS casts every column to its declared type, in declared order (typedSelect): no extra
    // query per mart to describe it, which Athena would bill.
    schemaCheck: 'cast',
    // Athena queues queries per account (20+ DML at once by default); a CLI build keeps to a few.
    concurrency: 4,
    onFailedTests: 'keep-previous',
    // Readers' views are created at publish from their SQL over published names; a build view (or
    // staging copy) only feeds this build's marts and tests, so a selective build makes only those.
    buildViews: 'build-only',
    marker: { store, key: BUILD_MARKER_KEY },
    isSetupProblem: (e) => awsSetupProblem(e) !== undefined,
    async createView(model, _sql, buildSql) {
      // The build's own view: readers keep the published one until publish replaces it.
      const name = `${model}__v_${suffix}`;
      objects.push({ name, kind: 'VIEW' });
      await view(name, buildSql);
      return name;
    },
    async cache(model, _sql, buildSql) {
      const { table, dir } = athenaStagingTable(model, buildId);
      objects.push({ name: table, kind: 'TABLE' });
      await engine.execute(`CREATE TABLE ${table} WITH (format = 'PARQUET', write_compression = 'SNAPPY', external_location = '${store.uriOf(dir)}/') AS\n${buildSql}`);
      return table;
    },
    async writeMart(model, sql, declared) {
      attempted.add(model);
      try {
        const w = await writeMart({ engine, store, model, sql, declared, buildId, tempSuffix: suffix });
        written.set(model, w);
        return { relation: w.tempTable };
      } catch (e) {
        // The failed mart's own partial folder goes too (writeMart dropped its table).
        await store.deletePrefix(versionOf(model).dir).catch(() => undefined);
        throw e;
      }
    },
    async keepMart(model) {
      const builds = await published();
      // A marker from before versioned marts names no folders: the stack's own mart tables stand.
      if (!builds.length) return (await readBuildMarker(store)) ? model : undefined;
      return builds[0]!.marts[model] ? model : undefined;
    },
    async describe(sql) {
      const res = await engine.query(`SELECT * FROM (\n${sql}\n) AS d LIMIT 0`);
      return res.columns;
    },
    resume(state: BuildState) {
      resumed = true;
      for (const model of state.written) written.set(model, versionOf(model));
    },
    async publish(_report, views) {
      const before = await published();
      publishing = true;
      await pointMarts(
        opts.glue ?? new GlueClient({}),
        engine.database,
        [...written].map(([name, w]) => ({ declared: martTable(name)!, location: w.location })),
      );
      // The views readers query, over the marts just published (in build order: a view after what it reads).
      const fingerprints = viewFingerprints(views);
      if (!(await publishedViewsUnchanged(engine, await readBuildMarker(store), fingerprints))) {
        for (const v of views) {
          await view(v.model, v.sql);
          if (v.alias) await view(v.alias, v.sql);
        }
      }
      publishedNow = true;
      return { ...nextPublished(before, Object.fromEntries([...written].map(([name, w]) => [name, w.dir]))), views: fingerprints };
    },
    async afterPublish(marker) {
      for (const w of written.values()) await engine.execute(`DROP TABLE IF EXISTS ${w.tempTable}`).catch(() => undefined);
      await dropBuildObjects();
      const kept = [{ build_id: buildId, finished_at: marker.finished_at, marts: marker.marts ?? {} }, ...(marker.history ?? [])];
      await pruneVersions(store, kept, [...written.keys()], buildId).catch(() => undefined);
    },
    async discard() {
      if (publishedNow) return;
      // Reopened in another process, a step killed mid-CTAS is in no state: every mart's name is swept.
      const models = resumed ? MART_TABLES.map((t) => t.name) : [...new Set([...written.keys(), ...attempted])];
      let stay = new Set<string>();
      if (publishing || resumed) {
        const marker = await readBuildMarker(store);
        if (marker?.build_id === buildId) {
          // Published and recorded (a Finish that stopped after writing the marker): readers use these
          // versions; only the build's temporary tables and staging copies go.
          for (const model of written.keys()) await engine.execute(`DROP TABLE IF EXISTS ${versionOf(model).tempTable}`).catch(() => undefined);
          await dropBuildObjects();
          return;
        }
        // A publish that stopped part way switched some marts already: point them back before their
        // folders go, so every reader stays on the previous, complete build.
        const previous = publishedBuilds(marker)[0]?.marts ?? {};
        stay = await unpointMarts(
          opts.glue ?? new GlueClient({}),
          engine.database,
          models.flatMap((m) => {
            const declared = martTable(m);
            return declared ? [{ declared, location: versionOf(m).location, previous: previous[m] ? `${store.uriOf(previous[m])}/` : undefined }] : [];
          }),
        );
      }
      for (const model of models) {
        if (stay.has(model)) await engine.execute(`DROP TABLE IF EXISTS ${versionOf(model).tempTable}`).catch(() => undefined);
        else await removeVersion(model);
      }
      await dropBuildObjects();
    },
    usage() {
      const spent = {
        queries: engine.scans.queries - before.queries,
        bytesScanned: engine.scans.bytesScanned - before.bytesScanned,
        bytesBilled: engine.scans.bytesBilled - before.bytesBilled,
      };
      return { queries: spent.queries, bytes_scanned: spent.bytesScanned, bytes_billed: spent.bytesBilled, estimated_usd: estimatedUsd(spent) };
    },
    close: () => engine.close(),
  };
}

/**
 * Each readers' view's fingerprint: its SQL and the declared schemas of every canonical table and mart
 * (a view stores the column types it was created with, so a changed type upstream must recreate it
 * even when its own SQL is the same).
 */
export function viewFingerprints(views: readonly PublishedView[]): Record<string, string> {
  const schemas = JSON.stringify([...CANONICAL_TABLES, ...MART_TABLES].map((t) => [t.name, t.columns]));
  const out: Record<string, string> = {};
  for (const v of views) {
    const fp = createHash('sha256').update(schemas).update('\n').update(v.sql).digest('hex').slice(0, 32);
    out[v.model] = fp;
    if (v.alias) out[v.alias] = fp;
  }
  return out;
}

/**
 * Whether the readers' views stand as this publish would create them: the last publish recorded the
 * same views with the same fingerprints, and each still exists. Re-creating them is most of a publish
 * (the engine analyses each nested view chain from the raw tables up: a minute per intermediate
 * model on the test Trino under load), and their text reads published marts by name, so a build that
 * changed no model, config or schema would only write the same views again. All or nothing: a view
 * reads views before it, so one changed view recreates them all.
 */
export async function publishedViewsUnchanged(
  engine: Pick<AthenaEngine, 'query' | 'database'>,
  marker: { views?: Record<string, string> } | undefined,
  fingerprints: Record<string, string>,
): Promise<boolean> {
  const before = marker?.views;
  const names = Object.keys(fingerprints);
  if (!before || Object.keys(before).length !== names.length || names.some((n) => before[n] !== fingerprints[n])) return false;
  try {
    const res = await engine.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${engine.database}' AND table_type = 'VIEW'`);
    const present = new Set(res.rows.map((r) => String(r.table_name)));
    return names.every((n) => present.has(n));
  } catch {
    return false;
  }
}

/** The build report as the Athena CLI and Lambda have always printed it (build_id, scanned, marts, history). */
export interface AthenaBuildReport extends BuildReport {
  build_id: string;
  scanned: { queries: number; bytes_scanned: number; bytes_billed: number; estimated_usd: number };
  marts?: Record<string, string>;
  history?: PublishedBuild[];
}

export function athenaReport(report: BuildReport): AthenaBuildReport {
  const u = report.usage ?? {};
  return {
    ...report,
    build_id: report.buildId,
    scanned: { queries: u.queries ?? 0, bytes_scanned: u.bytes_scanned ?? 0, bytes_billed: u.bytes_billed ?? 0, estimated_usd: u.estimated_usd ?? 0 },
    marts: report.marker?.marts,
    history: report.marker?.history,
  };
}

/** A whole Athena build in this process (`creditlake build --target athena` without a state machine configured). */
export async function buildWarehouseAthena(opts: AthenaBuildOptions & BuildOptions & { config: Config }): Promise<AthenaBuildReport> {
  return athenaReport(await runBuild(openAthenaBuild(opts), opts));
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
