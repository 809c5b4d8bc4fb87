#!/usr/bin/env node
// The creditlake command: runs the compiled JavaScript in dist/ (shipped in the npm package, built
// in a clone by `npm run build` or the first `npm run demo`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let main;
// A clone whose sources changed after the last build runs the sources (through tsx, a dev
// dependency) rather than stale JavaScript. An installed package has no src/ and never does this.
if (existsSync(new URL('../src/', import.meta.url)) && (await import('../scripts/dist-freshness.mjs')).distIsStale(root)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
