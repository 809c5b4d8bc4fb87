import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from './layout.js';

/**
 * Is the local warehouse older than the data in the lake? True when a batch manifest (written last
 * in every commit) is newer than warehouse.duckdb, or when there is data but no warehouse yet. Local
 * lakes only (an s3:// lake answers undefined): the note after `ingest` and before `query` is a hint,
 * not a gate.
 */
export function warehouseStale(lakeRoot: string): { stale: boolean; built: boolean } | undefined {
  if (lakeRoot.startsWith('s3://')) return undefined;
  const db = join(lakeRoot, lakePaths.warehouseDb());
  const built = existsSync(db);
  const builtAt = built ? statSync(db).mtimeMs : 0;
  const manifests = join(lakeRoot, 'manifests');
  if (!existsSync(manifests)) return { stale: false, built };
  for (const table of readdirSync(manifests)) {
    const dir = join(manifests, table);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of entries) {
      if (f.endsWith('.json') && statSync(join(dir, f)).mtimeMs > builtAt) return { stale: true, built };
    }
  }
  return { stale: false, built };
}
