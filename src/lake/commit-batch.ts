import { posix } from 'node:path';
import { lakePaths } from './layout.js';
import { parseManifest, type BatchManifest } from './manifest.js';
import { toKey, type LakeStore } from './store.js';
import { retiredBatches } from './retire.js';

/**
 * The commit protocol of one batch. The manifest (keyed by the file's content hash) is the commit
 * record and is written last, after the data and quarantine Parquet, each by an atomic put:
 *
 *   1. if a manifest for this table and hash exists, an earlier (or concurrent) attempt committed
 *      the batch: keep it, write nothing (roll forward; a retry never undoes a commit);
 *   2. delete orphans of earlier interrupted attempts: objects with this hash in their name that NO
 *      manifest names and that are older than ORPHAN_GRACE_MS (a younger one may belong to an
 *      attempt still running, which will name it in a moment);
 *   3. put raw/<table>/ingest_date=D/<batch>.parquet;
 *   4. put quarantine/<table>/<batch>.parquet (when rows were rejected);
 *   5. put manifests/<table>/<sha256>.json, then check the objects it names are there (re-put them
 *      if a sweeper with a skewed clock removed them).
 *
 * A crash before 5 leaves at most whole (never partial) orphan files, invisible to readers, which
 * list files through `committedDataKeys`.
 */

/** Orphans younger than this are left alone: their attempt may still be running. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

export const manifestKey = (table: string, sha256: string) => toKey(lakePaths.manifestFile(table, sha256));

export async function findManifest(store: LakeStore, table: string, sha256: string): Promise<BatchManifest | undefined> {
  const key = manifestKey(table, sha256);
  const text = await store.readText(key);
  return text === undefined ? undefined : parseManifest(text, key);
}

/** Batch ids end in the first 12 hex digits of the content hash (see layout.batchId). */
const hashSuffix = (sha256: string) => `-${sha256.slice(0, 12)}.parquet`;

/** Time encoded in a batch id (`20240501T101500.123Z-…`, or `…T101500Z-…` before milliseconds; see layout.batchId); NaN when there is none. */
export function batchTime(name: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{3}))?Z-/.exec(name);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +(m[7] ?? 0)) : Number.NaN;
}

export interface OrphanOptions {
  /** Clock, for the grace period. */
  now?: Date;
  graceMs?: number;
}

/**
 * Data and quarantine objects of `table` left by uncommitted attempts at the file with this hash:
 * named by no manifest of the table, and older than the grace period.
 */
export async function findOrphans(store: LakeStore, table: string, sha256: string, opts: OrphanOptions = {}): Promise<string[]> {
  const suffix = hashSuffix(sha256);
  const keys = [
    ...(await store.list(toKey(lakePaths.rawTableDir(table)))),
    ...(await store.list(toKey(lakePaths.quarantineDir(table)))),
  ].filter((k) => posix.basename(k).endsWith(suffix));
  if (keys.length === 0) return [];
  const named = new Set((await listManifests(store, table)).flatMap((m) => [m.data_key, m.quarantine_key ?? '']));
  const cutoff = (opts.now ?? new Date()).getTime() - (opts.graceMs ?? ORPHAN_GRACE_MS);
  return keys.filter((k) => !named.has(k) && batchTime(posix.basename(k)) < cutoff);
}

export interface BatchFiles {
  /** Local Parquet of the good rows. */
  dataFile: string;
  /** Local quarantine Parquet, when rows were rejected. */
  quarantineFile?: string;
}

export interface CommitResult {
  /** The manifest in force: the one written now, or the one an earlier attempt committed. */
  manifest: BatchManifest;
  /** False when an earlier or concurrent attempt had committed this batch already. */
  written: boolean;
}

export async function commitBatch(store: LakeStore, manifest: BatchManifest, files: BatchFiles, opts: OrphanOptions = {}): Promise<CommitResult> {
  if (Boolean(files.quarantineFile) !== Boolean(manifest.quarantine_key)) {
    throw new Error('commitBatch: quarantine file and manifest.quarantine_key must come together');
  }
  const committed = await findManifest(store, manifest.table, manifest.sha256);
  if (committed) return { manifest: committed, written: false };
  for (const orphan of await findOrphans(store, manifest.table, manifest.sha256, opts)) await store.delete(orphan);
  await store.putFile(files.dataFile, manifest.data_key);
  if (files.quarantineFile && manifest.quarantine_key) await store.putFile(files.quarantineFile, manifest.quarantine_key);
  await store.writeText(manifestKey(manifest.table, manifest.sha256), `${JSON.stringify(manifest, null, 2)}\n`);
  if (!(await store.exists(manifest.data_key))) await store.putFile(files.dataFile, manifest.data_key);
  if (files.quarantineFile && manifest.quarantine_key && !(await store.exists(manifest.quarantine_key))) {
    await store.putFile(files.quarantineFile, manifest.quarantine_key);
  }
  return { manifest, written: true };
}

/** Every committed batch manifest of a table. */
export async function listManifests(store: LakeStore, table: string): Promise<BatchManifest[]> {
  const keys = (await store.list(toKey(lakePaths.manifestDir(table)))).filter((k) => k.endsWith('.json'));
  const out: BatchManifest[] = [];
  for (const k of keys) {
    const text = await store.readText(k);
    if (text !== undefined) out.push(parseManifest(text, k));
  }
  return out;
}

/**
 * Data objects of a table that belong to a committed batch (what a strict reader should scan);
 * `excludeSha256`: leave out batches of these content hashes (a retry recomputing its own batch).
 */
export async function committedDataKeys(store: LakeStore, table: string, excludeSha256: ReadonlySet<string> = new Set()): Promise<string[]> {
  return (await committedFilesOf(store, table, excludeSha256)).keys;
}

export interface CommittedFiles {
  /** Data objects to read, sorted. */
  keys: string[];
  /** Some of them are compactions: their rows carry provenance columns (src/lake/compact.ts). */
  compacted: boolean;
  /** Retired batches whose rows sit in a compacted file: filtered out row by row. */
  retiredInCompactions: string[];
}

export async function committedFilesOf(store: LakeStore, table: string, excludeSha256: ReadonlySet<string> = new Set()): Promise<CommittedFiles> {
  // Retired batches (creditlake batches retire) stay committed but are read by no one; batches a
  // compaction holds are read through the compacted file.
  const retired = await retiredBatches(store, table);
  const manifests = await listManifests(store, table);
  const away = new Set(manifests.flatMap((m) => m.compacted_sha256 ?? []));
  const live = manifests.filter((m) => !excludeSha256.has(m.sha256) && !retired.has(m.sha256) && !away.has(m.sha256));
  return {
    keys: live.map((m) => m.data_key).sort(),
    compacted: live.some((m) => m.compacted_sha256?.length),
    retiredInCompactions: [...retired.keys()].filter((s) => away.has(s)).sort(),
  };
}
