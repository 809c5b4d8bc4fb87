import { createHash } from 'node:crypto';
import type { Model } from './compile/index.js';

/**
 * Incremental builds (issue 16), the planning half: pure, no I/O.
 *
 * Every model gets a fingerprint: a hash of its compiled SQL, its declared schema and the fingerprints
 * of the models it refs, salted with the Creditlake and DuckDB versions. The embedded build compiles
 * staging models with the exact list of committed, unretired batch files they read, and compiles the
 * config into the SQL (template variables, reference data as VALUES), so a fingerprint changes when,
 * and only when, something its rows can depend on changes: a new, retired or compacted batch of any
 * table it reads (directly or through other models), its own SQL or any upstream model's, a config
 * value it uses, its declared schema, the engine or Creditlake version. A mart whose fingerprint equals
 * the one its published file was built from is carried over as that file; every other mart, and every
 * model it needs, is recomputed. That is correct by construction (a mart is a deterministic function of
 * what its fingerprint covers), which is the bar: an incremental build never gives figures a full
 * refresh would not.
 *
 * The granularity is the model and the canonical table, not the month: a one-day delta of invoices
 * touches every mart that reads invoices, which is most of them (see the README, "Incremental builds").
 * Inside a recomputed model, the partitioned ones (PARTITIONED_MODELS in partitions.ts) are recomputed for the
 * customers the changed rows reach only, the others' rows read from the model's cached result.
 */

/** Bumped when what a fingerprint covers changes: every lake then does one full refresh. */
export const FINGERPRINT_FORMAT = 2;

/** What the marker records about the inputs of a build, for the next build to compare against. */
export interface BuildInputs {
  format: number;
  /** Creditlake and DuckDB versions. */
  salt: string;
  /** Hash of the config values the models can read (for explaining a change; the fingerprints decide). */
  config: string;
  /** Whether the build ran the data tests. */
  tested: boolean;
  /** Per canonical table, the batches read (each file's 12-hex content-hash suffix, sorted). */
  tables: Record<string, string[]>;
  /** Hash of each model's own SQL file (for explaining a change). */
  sources: Record<string, string>;
  /**
   * The fingerprint each model was last built and tested from: for a mart, the one its published file
   * was built from (a carried-over mart keeps its old one); for a staging or intermediate model, the
   * one its data tests last passed on.
   */
  models: Record<string, string>;
  /** Hash of the SQL of each view in the published warehouse file (the next build creates only changed ones). */
  views?: Record<string, string>;
  /** Ledger counts the build checks read, with the fingerprint of the models they count (carried when unchanged). */
  counts?: { fingerprint: string; values: Record<string, number> };
}

export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Fingerprints of every model and SQL data test, in build order. `content(m)`: the model's compiled
 * SQL and declared schema, as one string. Pure.
 */
export function modelFingerprints(ordered: readonly Model[], salt: string, content: (m: Model) => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of ordered) {
    const refs = [...m.refs].sort().map((r) => `${r}=${out.get(r) ?? 'none'}`);
    out.set(m.name, sha(JSON.stringify([FINGERPRINT_FORMAT, salt, m.kind, m.name, content(m), refs])));
  }
  return out;
}

/** The batch a raw file holds: the content-hash suffix of its name (see lake/layout.batchId). */
export function batchOfFile(key: string): string {
  const m = /-([0-9a-f]{12})\.parquet$/.exec(key);
  return m ? m[1]! : key;
}

export interface PreviousBuild {
  build_id: string;
  engine?: string;
  ok: boolean;
  inputs?: BuildInputs;
  /** Lake-relative file of each published mart. */
  marts: Record<string, string>;
}

export interface IncrementalPlan {
  /** `full`: everything the selection holds is rebuilt (reason says why); `incremental`: unchanged marts carried over. */
  mode: 'full' | 'incremental';
  /** Why a full refresh (absent for an incremental build). */
  reason?: string;
  /** What changed since the previous build, readable. */
  changes: string[];
  /** Models to rebuild and SQL data tests to run (fingerprint differs from what the previous build recorded, or no file to carry). */
  rebuild: Set<string>;
  /** Marts carried over from the previous build as they are. */
  carried: string[];
  /** The previous build (absent when none). */
  previous?: string;
}

/** Readable differences between two builds' inputs. Pure. */
export function describeChanges(prev: BuildInputs, cur: BuildInputs): string[] {
  const out: string[] = [];
  const tables = [...new Set([...Object.keys(prev.tables), ...Object.keys(cur.tables)])].sort();
  for (const t of tables) {
    const before = new Set(prev.tables[t] ?? []);
    const after = new Set(cur.tables[t] ?? []);
    const added = [...after].filter((b) => !before.has(b)).length;
    const removed = [...before].filter((b) => !after.has(b)).length;
    const parts = [
      ...(added ? [`${added} new batch${added === 1 ? '' : 'es'}`] : []),
      ...(removed ? [`${removed} batch${removed === 1 ? '' : 'es'} retired or compacted`] : []),
    ];
    if (parts.length) out.push(`${t}: ${parts.join(', ')}`);
  }
  if (prev.config !== cur.config) out.push('config changed');
  const changedSql = Object.keys(cur.sources).filter((m) => prev.sources[m] !== undefined && prev.sources[m] !== cur.sources[m]);
  if (changedSql.length) out.push(`model SQL changed: ${changedSql.sort().join(', ')}`);
  const added = Object.keys(cur.sources).filter((m) => prev.sources[m] === undefined);
  if (added.length) out.push(`new models: ${added.sort().join(', ')}`);
  return out;
}

export interface PlanInput {
  /** `--full-refresh` (true), or the reason a full refresh of the selection is asked for. */
  fullRefresh: boolean | string;
  previous: PreviousBuild | undefined;
  current: BuildInputs;
  /** Current fingerprints of every model. */
  fingerprints: ReadonlyMap<string, string>;
  /** Marts of the project (the rest are staging and intermediate models and SQL data tests). */
  marts: ReadonlySet<string>;
  /** Whether the previous build's file of a mart is still there to carry over. */
  fileExists: (relative: string) => boolean;
}

/** Decides what the build recomputes. Pure. */
export function planIncremental(input: PlanInput): IncrementalPlan {
  const { previous, current, fingerprints } = input;
  const all = new Set(fingerprints.keys());
  const full = (reason: string, changes: string[] = []): IncrementalPlan => ({
    mode: 'full',
    reason,
    changes,
    rebuild: all,
    carried: [],
    ...(previous ? { previous: previous.build_id } : {}),
  });
  if (input.fullRefresh) return full(input.fullRefresh === true ? '--full-refresh' : input.fullRefresh);
  if (!previous) return full('no previous build');
  const prev = previous.inputs;
  if (!prev || prev.format !== FINGERPRINT_FORMAT) return full('the previous build recorded no input fingerprints (built by an older Creditlake)');
  if (previous.engine && previous.engine !== 'duckdb') return full(`the previous build ran on ${previous.engine}`);
  const changes = describeChanges(prev, current);
  if (prev.salt !== current.salt) return full(`Creditlake or DuckDB version changed (${prev.salt} → ${current.salt})`, changes);
  if (!previous.ok) return full('the previous build failed a data test', changes);
  if (!prev.tested && current.tested) return full('the previous build skipped the data tests', changes);
  const rebuild = new Set<string>();
  const carried: string[] = [];
  for (const [name, fp] of fingerprints) {
    const same = prev.models[name] === fp;
    if (input.marts.has(name)) {
      const file = previous.marts[name];
      if (same && file && input.fileExists(file)) carried.push(name);
      else rebuild.add(name);
    } else if (!same) rebuild.add(name);
  }
  return { mode: 'incremental', changes, rebuild, carried: carried.sort(), previous: previous.build_id };
}
