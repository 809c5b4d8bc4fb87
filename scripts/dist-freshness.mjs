// Whether dist/ (the compiled CLI) is older than the sources in a clone. Shared by bin/creditlake.js
// (which then runs the sources instead) and scripts/build.mjs --if-stale.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time of the files under a folder (a clone's sources: a few hundred files, a few ms). */
function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/** True when `root/src` exists and dist/ is missing or was built before a source last changed. */
export function distIsStale(root) {
  const src = join(root, 'src');
  if (!existsSync(src)) return false;
  const stamp = join(root, 'dist', '.built');
  if (!existsSync(stamp)) return true;
  return newestMtime(src) > statSync(stamp).mtimeMs;
}
