import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { committedFilesOf } from '../lake/commit-batch.js';
import { lakePaths } from '../lake/layout.js';
import type { LakeStore } from '../lake/store.js';
import { LocalLakeStore } from '../lake/local-store.js';
import { toKey } from '../lake/store.js';
import { CANONICAL_TABLES } from '../schema/index.js';

/** Canonical tables with at least one committed batch under raw/<table>/ingest_date=…/. */
export function tablesWithFiles(lakeRoot: string): Set<string> {
  const out = new Set<string>();
  for (const t of CANONICAL_TABLES) {
    const dir = join(lakeRoot, lakePaths.rawTableDir(t.name));
    if (!existsSync(dir)) continue;
    const parts = readdirSync(dir).filter((p) => p.startsWith('ingest_date='));
    if (parts.some((p) => readdirSync(join(dir, p)).some((f) => f.endsWith('.parquet')))) out.add(t.name);
  }
  return out;
}

/** Lake-relative data files of the committed batches of every canonical table that has manifests. */
export async function committedRawFiles(lakeRoot: string | LakeStore): Promise<Map<string, string[]>> {
  return (await committedRawSources(lakeRoot)).files;
}

export interface RawSources {
  files: Map<string, string[]>;
  /** Tables read partly from compacted files, with the retired batches to filter out of them by row. */
  compacted: Map<string, string[]>;
}

export async function committedRawSources(lakeRoot: string | LakeStore): Promise<RawSources> {
  const store = typeof lakeRoot === 'string' ? new LocalLakeStore(lakeRoot) : lakeRoot;
  const files = new Map<string, string[]>();
  const compacted = new Map<string, string[]>();
  for (const t of CANONICAL_TABLES) {
    const c = await committedFilesOf(store, t.name);
    // A table whose every batch is retired reads as empty, not as a glob over its files.
    if (c.keys.length || (await store.list(toKey(lakePaths.manifestDir(t.name)))).length) files.set(t.name, c.keys);
    if (c.compacted) compacted.set(t.name, c.retiredInCompactions);
  }
  return { files, compacted };
}
