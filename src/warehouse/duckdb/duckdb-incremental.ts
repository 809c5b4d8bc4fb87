import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duckdbApi } from './node-api.js';
import type { Config } from '../../config/config.js';
import { martTable } from '../../schema/marts/index.js';
import { canonicalTable, type TableDef } from '../../schema/index.js';
import { COUNTED_MODELS, type LedgerCounts } from '../build-checks.js';
import { buildOrder, compileModel, loadProject, selectModels, type Model } from '../compile/index.js';
import { FINGERPRINT_FORMAT, batchOfFile, modelFingerprints, planIncremental, sha, type BuildInputs, type IncrementalPlan, type PreviousBuild } from '../incremental.js';
import { PARTITIONED_MODELS, partitionProblems, sourceSlot } from '../partitions.js';
import { stagedTable } from '../build-plan.js';
import type { DuckDBBuildSession } from './duckdb-build.js';

/** Config keys no model reads (where the lake is, engine resources, other targets). */
const NOT_MODEL_CONFIG = new Set(['$schema', 'lake', 'duckdb', 'athena', 'trino']);

let packageVersion: string | undefined;
function creditlakeVersion(): string {
  if (packageVersion === undefined) {
    try {
      packageVersion = String((JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version);
    } catch {
      packageVersion = 'unknown';
    }
  }
  return packageVersion;
}

/** What an incremental embedded build needs from its plan: what to rebuild and what the marker records. */
export interface DuckDBIncremental {
  plan: IncrementalPlan;
  /** For the runner: the models to recompute (absent: a full refresh of the selection). */
  rebuild?: ReadonlySet<string>;
  /** Models the build checks count, kept as tables when their counts cannot be carried. */
  cacheAlso: string[];
  /** The inputs the marker records, once the build has run (its checks give the counts; `testsRun`: the SQL data tests it ran). */
  record(counts: LedgerCounts | undefined, testsRun: ReadonlySet<string>): BuildInputs;
}

/**
 * Plans the embedded build: fingerprints every model over this build's committed batches and config,
 * compares them with the previous build's marker and says what to rebuild (src/warehouse/incremental.ts).
 */
export function planDuckDBBuild(
  session: DuckDBBuildSession,
  opts: { config: Config; sqlDir?: string; select?: readonly string[]; skipTests?: boolean; fullRefresh?: boolean },
): DuckDBIncremental {
  const project = loadProject(opts.sqlDir);
  const ordered = buildOrder(project);
  const buildable = ordered.filter((m) => m.kind !== 'tests');
  const salt = `creditlake ${creditlakeVersion()}, duckdb ${duckdbApi.version()}`;
  const content = (m: Model, target = session.target) => {
    const declared = m.kind === 'marts' ? martTable(m.name) : stagedTable(m);
    // The declared columns, and how the file is written (row groups): a mart written differently is rebuilt.
    const schema = declared ? { columns: declared.columns.map((c) => [c.name, c.sqlType]), rowGroupRows: declared.rowGroupRows ?? null } : null;
    return JSON.stringify([compileModel(m, target, opts.config, project).sql, schema]);
  };
  // A staging model's compiled SQL names the exact batch files it reads; its own hash leaves them out
  // (the raw table read as a name, with its columns): which batches changed is what a partial
  // computation of it works out (partitions.ts, PartitionSource).
  const ownTarget = { ...session.target, source: (t: TableDef) => `"${sourceSlot(t.name)}"` };
  const ownContent = (m: Model) => {
    const src = PARTITIONED_MODELS[m.name]?.source;
    if (!src) return content(m);
    return JSON.stringify([content(m, ownTarget), canonicalTable(src.table).columns.map((c) => [c.name, c.sqlType])]);
  };
  const fingerprints = modelFingerprints(ordered, salt, content);
  // Staging and intermediate results are kept under their fingerprints and read back by any build
  // but a --full-refresh, which computes everything again (and refreshes the cache). A --select build
  // computes what it selects, as it always did, and leaves the cache alone: it is how a model is
  // timed and iterated on, and writing the cache would add to what it measures.
  // A partitioned model's own SQL, schema and versions (not its inputs'): its cached rows of the
  // customers no changed input row names are still right when this is the same (incremental.ts).
  const wrong = new Set(partitionProblems(ordered).map((p) => p.split(':')[0]!));
  const own = new Map(
    ordered
      .filter((m) => PARTITIONED_MODELS[m.name] && !wrong.has(m.name))
      // How the build's table is made (wholeTable) does not change the rows: left out.
      .map((m) => [m.name, sha(JSON.stringify([FINGERPRINT_FORMAT, salt, m.kind, m.name, ownContent(m), { ...PARTITIONED_MODELS[m.name], wholeTable: undefined }]))]),
  );
  session.useFingerprints(fingerprints, opts.fullRefresh !== true, own, !opts.select?.length);
  const modelConfig = Object.fromEntries(Object.entries(opts.config).filter(([k]) => !NOT_MODEL_CONFIG.has(k)).sort(([a], [b]) => a.localeCompare(b)));
  const tables: Record<string, string[]> = {};
  for (const [t, files] of [...session.sources.files].sort(([a], [b]) => a.localeCompare(b))) tables[t] = files.map(batchOfFile).sort();
  const current: BuildInputs = {
    format: FINGERPRINT_FORMAT,
    salt,
    config: sha(JSON.stringify(modelConfig)),
    tested: !opts.skipTests,
    tables,
    sources: Object.fromEntries(ordered.map((m) => [m.name, sha(m.source)])),
    models: {},
  };
  const prevMarker = session.previous;
  const previous: PreviousBuild | undefined = prevMarker && {
    build_id: prevMarker.build_id,
    engine: prevMarker.engine,
    ok: prevMarker.ok,
    marts: prevMarker.marts,
    inputs: prevMarker.inputs as BuildInputs | undefined,
  };
  const marts = new Set(buildable.filter((m) => m.kind === 'marts').map((m) => m.name));
  const plan = planIncremental({
    // An explicit selection is rebuilt as asked (the marts it leaves out stay as they are).
    fullRefresh: opts.fullRefresh === true || (opts.select?.length ? '--select rebuilds the models it selects' : false),
    previous,
    current,
    fingerprints,
    marts,
    fileExists: (rel) => existsSync(join(session.lakeRoot, rel)),
  });
  const selected = opts.select?.length ? selectModels(buildable, opts.select) : new Set(buildable.map((m) => m.name));
  const built = new Set([...selected].filter((n) => plan.rebuild.has(n)));
  const countsFingerprint = sha(COUNTED_MODELS.map((m) => fingerprints.get(m) ?? 'none').join());
  const prevCounts = previous?.inputs?.counts;
  const incremental = plan.mode === 'incremental';
  const carryCounts = incremental && prevCounts?.fingerprint === countsFingerprint;
  if (carryCounts) session.useCounts(prevCounts!.values as unknown as LedgerCounts);
  return {
    plan,
    rebuild: incremental ? plan.rebuild : undefined,
    cacheAlso: incremental && !carryCounts ? COUNTED_MODELS.filter((m) => fingerprints.has(m)) : [],
    record(counts, testsRun) {
      const prevModels = previous?.inputs?.models ?? {};
      // A model is fresh when what it holds was computed from the inputs its fingerprint names: a mart
      // built now from fresh models, or one whose file was built from the same fingerprint. A mart
      // built now on a kept mart that is stale (left out of a --select) is not: it records no
      // fingerprint, so the next build recomputes it.
      const fresh = new Set<string>();
      for (const m of buildable) {
        const fp = fingerprints.get(m.name)!;
        const recomputed = m.kind !== 'marts' || built.has(m.name);
        if (recomputed ? m.refs.every((r) => fresh.has(r)) : prevModels[m.name] === fp) fresh.add(m.name);
      }
      const models: Record<string, string> = {};
      const tests = new Set(ordered.filter((m) => m.kind === 'tests').map((m) => m.name));
      for (const [name, fp] of fingerprints) {
        if (tests.has(name)) {
          if (testsRun.has(name)) models[name] = fp;
          else if (prevModels[name] !== undefined) models[name] = prevModels[name]!;
        } else if (built.has(name)) {
          if (fresh.has(name)) models[name] = fp;
        } else if (prevModels[name] !== undefined) models[name] = prevModels[name]!;
      }
      return {
        ...current,
        models,
        views: session.views(),
        ...(counts ? { counts: { fingerprint: countsFingerprint, values: counts as unknown as Record<string, number> } } : {}),
      };
    },
  };
}
