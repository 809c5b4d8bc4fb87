import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, copyFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboards' front end: sources under dashboards/src, the bundle under dashboards/dist. */
export const DASHBOARDS_DIR = resolve(fileURLToPath(new URL('../../dashboards', import.meta.url)));
export const DIST_DIR = join(DASHBOARDS_DIR, 'dist');
/** The repository root: inputs.json names the bundle's sources relative to it. */
const ROOT = resolve(DASHBOARDS_DIR, '..');

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
  let sources = Math.max(newestMtime(join(DASHBOARDS_DIR, 'src')), statSync(join(DASHBOARDS_DIR, 'index.html')).mtimeMs);
  // Modules outside dashboards/src the bundle includes (the API contract, the view state).
  const inputs = join(distDir, 'inputs.json');
  if (!existsSync(inputs)) return true;
  for (const rel of JSON.parse(readFileSync(inputs, 'utf8')) as string[]) {
    const f = resolve(ROOT, rel);
    if (!existsSync(f)) return true;
    sources = Math.max(sources, statSync(f).mtimeMs);
  }
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
    const result = await esbuild.build({
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
      metafile: true,
    });
    // Chunks app.js imports statically (code it shares with the lazily loaded Excel writer) are
    // fetched with it, not one round trip after it has arrived and been parsed.
    // The chart library is imported dynamically (the page's data shows while it compiles) but every
    // page with a chart needs it at once: it is preloaded too, with what it imports.
    const outputs = result.metafile.outputs;
    const app = Object.entries(outputs).find(([f]) => basename(f) === 'app.js')?.[1];
    const charts = Object.entries(outputs).find(([, o]) => o.entryPoint && resolve(o.entryPoint) === join(DASHBOARDS_DIR, 'src', 'echarts.ts'));
    if (!charts) throw new Error('the dashboards bundle has no chart library chunk (dashboards/src/echarts.ts)');
    const preloaded = new Set<string>();
    for (const i of app?.imports ?? []) if (i.kind === 'import-statement') preloaded.add(basename(i.path));
    // The chart library's chunks (those app.js does not import itself) are marked: pages drawn
    // without the library are served without them (server.ts, PAGES_WITHOUT_CHART_LIBRARY).
    const library = new Set<string>([basename(charts[0])]);
    for (const i of charts[1].imports) if (i.kind === 'import-statement' && !preloaded.has(basename(i.path))) library.add(basename(i.path));
    const preloads = [
      ...[...preloaded].map((f) => `  <link rel="modulepreload" href="/assets/${f}">\n`),
      ...[...library].map((f) => `  <link rel="modulepreload" href="/assets/${f}" data-chart-library>\n`),
    ].join('');
    const html = readFileSync(join(DASHBOARDS_DIR, 'index.html'), 'utf8');
    const script = html.indexOf('  <script type="module"');
    if (script < 0) throw new Error('dashboards/index.html has no module script to preload beside');
    writeFileSync(join(tmp, 'index.html'), html.slice(0, script) + preloads + html.slice(script));
    // What the bundle was built from (sources outside dashboards/src too, such as the shared API contract).
    const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules')).map((f) => relative(ROOT, resolve(f)));
    writeFileSync(join(tmp, 'inputs.json'), JSON.stringify(inputs));
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
