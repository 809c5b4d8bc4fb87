import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lakePaths } from './layout.js';
import { LocalLakeStore, TEMP_PREFIX } from './local-store.js';
import type { LakeStore } from './store.js';

/**
 * Leftovers of killed runs, removed by the next run. Every temporary name carries the pid of the
 * process that made it, so a leftover is recognised by a pid that is no longer running, never by
 * age alone (a long ingest's scratch must survive a second, short one):
 *
 *   $TMPDIR/creditlake-<kind>-p<pid>-XXXXXX/      scratch folders of ingests
 *   <lake>/…/.inflight-<name>.<pid>.<hex>         half-written objects of LocalLakeStore
 *   <lake>/_tmp/<name>-<pid>-<ms>.*               marts and warehouse files of a build
 */

/** mkdtemp prefix of a scratch folder of this process. */
export function scratchPrefix(kind: string): string {
  return `creditlake-${kind}-p${process.pid}-`;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SCRATCH = /^creditlake-[a-z-]+-p(\d+)-/;
const INFLIGHT = /\.(\d+)\.[0-9a-f]+$/;
const BUILD_TMP = /-(\d+)-\d{12,}/;

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function remove(path: string): boolean {
  try {
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

/** Scratch folders of dead ingests in `dir` (default the OS temp folder); returns how many went. */
export function sweepScratch(dir = tmpdir()): number {
  let n = 0;
  for (const name of entries(dir)) {
    const m = SCRATCH.exec(name);
    if (m && !pidAlive(Number(m[1])) && remove(join(dir, name))) n++;
  }
  return n;
}

/** In-flight objects and build temporaries of dead processes in a local lake; returns how many went. */
export function sweepLocalLake(lakeRoot: string): number {
  let n = 0;
  const walk = (dir: string, depth: number): void => {
    for (const name of entries(dir)) {
      const p = join(dir, name);
      if (name.startsWith(TEMP_PREFIX)) {
        const m = INFLIGHT.exec(name);
        if (m && !pidAlive(Number(m[1])) && remove(p)) n++;
        continue;
      }
      if (depth < 4) {
        let isDir = false;
        try {
          isDir = statSync(p).isDirectory();
        } catch {
          continue;
        }
        if (isDir) walk(p, depth + 1);
      }
    }
  };
  for (const top of ['raw', 'quarantine', 'manifests', 'marts']) walk(join(lakeRoot, top), 0);
  // Files at the lake root (warehouse.duckdb's in-flight copies) too.
  for (const name of entries(lakeRoot)) {
    const m = name.startsWith(TEMP_PREFIX) ? INFLIGHT.exec(name) : null;
    if (m && !pidAlive(Number(m[1])) && remove(join(lakeRoot, name))) n++;
  }
  const tmp = join(lakeRoot, lakePaths.tmpDir());
  for (const name of entries(tmp)) {
    const m = BUILD_TMP.exec(name);
    if (m && !pidAlive(Number(m[1])) && remove(join(tmp, name))) n++;
  }
  return n;
}

/** Both sweeps before an ingest: its scratch parent, and the lake when it is a local folder. */
export function sweepLeftovers(store: LakeStore, scratchDir?: string): number {
  let n = sweepScratch(scratchDir ?? tmpdir());
  if (store instanceof LocalLakeStore) n += sweepLocalLake(store.root);
  return n;
}
