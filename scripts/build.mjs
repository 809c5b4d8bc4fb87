#!/usr/bin/env node
// `npm run build` (also run by `prepare`, so `npm install` in a clone and `npm pack` both do it):
// compiles src/ to dist/ with tsc, copies the data files the sources read beside themselves, and
// prebuilds the dashboards bundle, so the installed CLI runs plain JavaScript with no TypeScript
// loader, no bundler and no charting library at run time.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distIsStale } from './dist-freshness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const tmp = join(root, `dist.tmp-${process.pid}`);
const t0 = performance.now();
// `--if-stale` (npm run demo): nothing to do when dist/ is newer than every source.
if (process.argv.includes('--if-stale') && !distIsStale(root)) process.exit(0);

const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { stdio: 'inherit' });
if (compiled.status !== 0) {
  rmSync(tmp, { recursive: true, force: true });
  console.error('creditlake build: tsc failed');
  process.exit(1);
}

// Data files (mapping presets, CBS and SBI reference tables, the e-invoice mapping) are read with
// new URL('./x', import.meta.url): they go beside the compiled modules.
function copyData(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) copyData(p);
    else if (!e.name.endsWith('.ts')) cpSync(p, join(tmp, relative(src, p)));
  }
}
copyData(src);
// The bin script compares this stamp with the sources to notice a clone whose sources changed.
writeFileSync(join(tmp, '.built'), `${new Date().toISOString()}\n`);
rmSync(dist, { recursive: true, force: true });
renameSync(tmp, dist);

// The dashboards bundle (esbuild + ECharts are dev dependencies): prebuilt here, shipped in the package.
if (existsSync(join(root, 'dashboards', 'src'))) {
  const { buildDashboards } = await import(pathToFileURL(join(dist, 'serve', 'bundle.js')).href);
  await buildDashboards();
}
console.error(`creditlake build: dist/ and dashboards/dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
