import { CANONICAL_TABLES } from '../schema/index.js';
import type { LakeStore } from './store.js';

/**
 * Tables that have batches: the folders under manifests/ named for a canonical table (the
 * credit-report feed keeps its per-file commit records and identity index there too).
 */
export async function batchTables(store: LakeStore): Promise<string[]> {
  const tables = new Set(CANONICAL_TABLES.map((t) => t.name));
  return [...new Set((await store.list('manifests')).map((k) => k.split('/')[1]).filter((t): t is string => Boolean(t) && tables.has(t!)))].sort();
}
