import { posix } from 'node:path';
import { lakePaths } from './layout.js';
import { parseManifest, type BatchManifest } from './manifest.js';
import { toKey, type LakeStore } from './store.js';

/**
 * The commit protocol of one batch. The manifest (keyed by the file's content hash) is the commit
 * record and is written last, after the data and quarantine Parquet, each by an atomic put:
 *
 *   1. delete orphans of an earlier, interrupted attempt at the same file (same hash, no manifest);
 *   2. put raw/<table>/ingest_date=D/<batch>.parquet;
 *   3. put quarantine/<table>/<batch>.parquet (when rows were rejected);
 *   4. put manifests/<table>/<sha256>.json.
 *
 * A crash before 4 leaves at most whole (never partial) orphan files, which the next attempt removes
 * in step 1. Readers that must never see an uncommitted batch list files through `committedDataKeys`.
 */

export const manifestKey = (table: string, sha256: string) => toKey(lakePaths.manifestFile(table, sha256));

export async function findManifest(store: LakeStore, table: string, sha256: string): Promise<BatchManifest | undefined> {
  const key = manifestKey(table, sha256);
  const text = await store.readText(key);
  return text === undefined ? undefined : parseManifest(text, key);
}

/** Batch ids end in the first 12 hex digits of the content hash (see layout.batchId). */
const hashSuffix = (sha256: string) => `-${sha256.slice(0, 12)}.parquet`;

/** Data and quarantine objects of `table` left by uncommitted attempts at the file with this hash. */
export async function findOrphans(store: LakeStore, table: string, sha256: string, keep?: string): Promise<string[]> {
  const suffix = hashSuffix(sha256);
  const keys = [
    ...(await store.list(toKey(lakePaths.rawTableDir(table)))),
    ...(await store.list(toKey(lakePaths.quarantineDir(table)))),
  ];
  return keys.filter((k) => posix.basename(k).endsWith(suffix) && posix.basename(k) !== keep);
}

export interface BatchFiles {
  /** Local Parquet of the good rows. */
  dataFile: string;
  /** Local quarantine Parquet, when rows were rejected. */
  quarantineFile?: string;
}

export async function commitBatch(store: LakeStore, manifest: BatchManifest, files: BatchFiles): Promise<void> {
  if (Boolean(files.quarantineFile) !== Boolean(manifest.quarantine_key)) {
    throw new Error('commitBatch: quarantine file and manifest.quarantine_key must come together');
  }
  for (const orphan of await findOrphans(store, manifest.table, manifest.sha256)) await store.delete(orphan);
  await store.putFile(files.dataFile, manifest.data_key);
  if (files.quarantineFile && manifest.quarantine_key) await store.putFile(files.quarantineFile, manifest.quarantine_key);
  await store.writeText(manifestKey(manifest.table, manifest.sha256), `${JSON.stringify(manifest, null, 2)}\n`);
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

/** Data objects of a table that belong to a committed batch (what a strict reader should scan). */
export async function committedDataKeys(store: LakeStore, table: string): Promise<string[]> {
  return (await listManifests(store, table)).map((m) => m.data_key).sort();
}
