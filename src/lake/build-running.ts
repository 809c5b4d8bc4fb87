import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from './layout.js';

export interface RunningBuild {
  pid: number;
  startedAt: Date;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A `creditlake build` running on this local lake, found by the warehouse it is writing
 * (`_tmp/warehouse-<pid>-<ms>.duckdb`, renamed into place at the end) and a live process id. A file
 * left by a crashed build names a dead process and does not count.
 */
export function runningBuild(lakeRoot: string): RunningBuild | undefined {
  const dir = join(lakeRoot, lakePaths.tmpDir());
  if (!existsSync(dir)) return undefined;
  for (const name of readdirSync(dir)) {
    const m = /^warehouse-(\d+)-(\d+)\.duckdb$/.exec(name);
    if (m && Number(m[1]) !== process.pid && alive(Number(m[1]))) return { pid: Number(m[1]), startedAt: new Date(Number(m[2])) };
  }
  return undefined;
}
