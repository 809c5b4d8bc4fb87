import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboards' front end: sources under dashboards/src, the bundle under dashboards/dist. */
export const DASHBOARDS_DIR = resolve(fileURLToPath(new URL('../../dashboards', import.meta.url)));
export const DIST_DIR = join(DASHBOARDS_DIR, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when the bundle is missing or older than a source file. */
export function bundleIsStale(distDir = DIST_DIR): boolean {
  const app = join(distDir, 'assets', 'app.js');
  if (!existsSync(app) || !existsSync(join(distDir, 'index.html'))) return true;
  // An installed package ships the prebuilt bundle without its sources: nothing to be older than.
  if (!existsSync(join(DASHBOARDS_DIR, 'src'))) return false;
  const sources = Math.max(newestMtime(join(DASHBOARDS_DIR, 'src')), statSync(join(DASHBOARDS_DIR, 'index.html')).mtimeMs);
  return statSync(app).mtimeMs < sources;
}

/**
 * Bundles the front end with esbuild: one ES module (ECharts tree-shaken to the charts and
 * components we register, SVG renderer only) and one stylesheet, plus index.html. Written to a
 * temporary folder and renamed into place, so a server never reads a half-written bundle.
 */
export async function buildDashboards(opts: { distDir?: string; minify?: boolean } = {}): Promise<{ distDir: string; bytes: Record<string, number> }> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('the dashboards bundle is missing and esbuild is not installed: run `npm install` (dev dependencies) and `npm run build` first');
  }
  const distDir = opts.distDir ?? DIST_DIR;
  const tmp = `${distDir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(join(tmp, 'assets'), { recursive: true });
  try {
    await esbuild.build({
      entryPoints: { app: join(DASHBOARDS_DIR, 'src', 'main.ts'), styles: join(DASHBOARDS_DIR, 'src', 'styles.css') },
      outdir: join(tmp, 'assets'),
      bundle: true,
      // The Excel writer is loaded on the first download, not with the page.
      splitting: true,
      chunkNames: 'chunk-[hash]',
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      minify: opts.minify ?? true,
      // ECharts' development checks and warnings stay out even in an unminified build.
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'linked',
      logLevel: 'silent',
    });
    copyFileSync(join(DASHBOARDS_DIR, 'index.html'), join(tmp, 'index.html'));
    copyFileSync(join(DASHBOARDS_DIR, 'favicon.svg'), join(tmp, 'assets', 'favicon.svg'));
    const bytes: Record<string, number> = {};
    for (const f of readdirSync(join(tmp, 'assets'))) bytes[f] = statSync(join(tmp, 'assets', f)).size;
    rmSync(distDir, { recursive: true, force: true });
    try {
      renameSync(tmp, distDir);
    } catch (e) {
      // Another process (a parallel test, a second server) put its fresh bundle there first.
      if (!existsSync(join(distDir, 'assets', 'app.js')) || !existsSync(join(distDir, 'index.html'))) throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
    return { distDir, bytes };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Builds the bundle when it is missing or stale (the `serve` command calls this at start). */
export async function ensureDashboardBundle(log?: (msg: string) => void): Promise<string> {
  if (!bundleIsStale()) return DIST_DIR;
  const t0 = performance.now();
  const { bytes } = await buildDashboards();
  log?.(`built dashboards bundle (app.js ${(bytes['app.js']! / 1024).toFixed(0)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return DIST_DIR;
}
