// Page load times of the dashboards on a built lake, in Debian's chromium (not a test).
//
//   npm run bench:dashboards -- --lake ./lake [--runs 3] [--screenshots docs/screenshots] [--lang en] [--prewarm]
//
// For each page (the four dashboards, the worklist and one customer page): time from navigation
// until every section has its data and every chart has finished rendering. The first load is cold:
// fresh browser context and, unless --prewarm, a server that has answered nothing yet, so every
// slice runs on the warehouse (with --prewarm: after the server's start-up prewarm has finished,
// as `creditlake serve` does by default); the others are warm. Budgets: 1.0 s per page, 0.5 s for
// the customer page. Also the time of each API slice on its own (uncached: a parameter the page never sends).
// The machine may be shared: beside each wall time the bench prints the load average, the page's
// CPU time of the page's renderer process (script, style, layout, paint) and the server's CPU time
// for the load, which do not grow with other processes' load as wall time does.
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { startServer } from '../src/serve/server.js';

const { values } = parseArgs({
  options: {
    lake: { type: 'string', default: './lake' },
    runs: { type: 'string', default: '3' },
    screenshots: { type: 'string' },
    lang: { type: 'string', default: 'en' },
    prewarm: { type: 'boolean', default: false },
  },
});
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is not installed (apt-get install chromium fonts-dejavu-core)`);
  process.exit(2);
}
const runs = Math.max(1, Number(values.runs));
const lakeRoot = resolve(values.lake!);
const server = await startServer({ lakeRoot, port: 0, prewarm: values.prewarm });
// With --prewarm the first load is measured as a user meets it a moment after `serve` started:
// the server has run every page's default queries once, the browser is fresh.
await server.prewarmed;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

declare const document: { querySelector(s: string): { dataset: Record<string, string | undefined> } | null; querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> };

interface Load {
  wall: number;
  /** CPU time of the page's renderer process during the load (script, style, layout, paint, parsing), ms. */
  browserCpu: number;
  /** CPU time of this process (the server and its DuckDB threads) during the load, ms. */
  serverCpu: number;
}

/** CPU seconds of the page's renderer process so far (Chromium's ProcessTime metric). */
async function rendererCpu(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN;
}

async function load(page: Page, cdp: CDPSession, path: string): Promise<Load> {
  const r0 = await rendererCpu(cdp);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await page.goto(new URL(path, server.url).href);
  await page.waitForFunction(() => !!document.querySelector('main')?.dataset.loaded && !document.querySelector('[data-state="loading"]'), undefined, { timeout: 120_000, polling: 10 });
  await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true'), undefined, { timeout: 120_000, polling: 10 });
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const r1 = await rendererCpu(cdp);
  // A navigation may move to a new renderer process, whose count starts at 0.
  return { wall, browserCpu: (r1 >= r0 ? r1 - r0 : r1) * 1000, serverCpu: (c.user + c.system) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const query = values.lang === 'nl' ? '?lang=nl' : '';
console.log(`lake ${lakeRoot}`);
// A customer page: the customer with the most overdue AR (ask the API, not the browser).
const top = (await (await fetch(new URL('/api/slices/top_overdue?limit=1', server.url))).json()) as { rows?: { customer_id: string }[] };
const customer = top.rows?.[0]?.customer_id;
const pages: [string, string, number][] = [
  ['cfo', '/cfo', 1000], ['marketing', '/marketing', 1000], ['risk', '/risk', 1000], ['collections', '/collections', 1000],
  ['worklist', '/worklist', 1000],
  ...(customer ? [['customer', `/customers/${encodeURIComponent(customer)}`, 500] as [string, string, number]] : []),
];
let over = 0;
const load1 = () => loadavg()[0]!.toFixed(1);
for (const [name, path, budget] of pages) {
  const loads: Load[] = [];
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const loadBefore = load1();
  for (let i = 0; i < runs; i++) loads.push(await load(page, cdp, `${path}${query}`));
  if (values.screenshots) {
    mkdirSync(values.screenshots, { recursive: true });
    await page.screenshot({ path: join(values.screenshots, `${name}.png`), fullPage: true });
  }
  await context.close();
  const warmRuns = loads.slice(1).length ? loads.slice(1) : loads;
  const warm = median(warmRuns.map((l) => l.wall));
  const ok = loads[0]!.wall <= budget && warm <= budget;
  if (!ok) over++;
  console.log(
    `${path.padEnd(24)} cold ${loads[0]!.wall.toFixed(0).padStart(5)} ms   warm median ${warm.toFixed(0).padStart(5)} ms   budget ${budget} ms ${ok ? 'ok  ' : 'OVER'}` +
      `   cpu: browser cold ${loads[0]!.browserCpu.toFixed(0)} / warm ${median(warmRuns.map((l) => l.browserCpu)).toFixed(0)} ms, server cold ${loads[0]!.serverCpu.toFixed(0)} / warm ${median(warmRuns.map((l) => l.serverCpu)).toFixed(0)} ms   load ${loadBefore}→${load1()}`,
  );
}

const meta = (await (await fetch(new URL('/api/meta', server.url))).json()) as { slices: Record<string, { params: string[] }>; filters: { as_of: string[] } };
const slow: [string, number][] = [];
// An as-of date one month back: a view no page has asked for, so the answer is computed, not cached.
const asOf = meta.filters.as_of[meta.filters.as_of.length - 2];
for (const [name, s] of Object.entries(meta.slices)) {
  const q = new URLSearchParams();
  if (s.params.includes('customer_id')) {
    if (!customer) continue;
    q.set('customer_id', customer);
  }
  if (s.params.includes('q')) q.set('q', 'bakker');
  if (asOf && s.params.includes('as_of')) q.set('as_of', asOf);
  const t0 = performance.now();
  await (await fetch(new URL(`/api/slices/${name}?${q}`, server.url))).text();
  slow.push([name, performance.now() - t0]);
}
slow.sort((a, b) => b[1] - a[1]);
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (${(await import('node:os')).cpus().length} cores)`);
console.log(`slices (warm, ms): ${slow.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
await browser.close();
await server.close();
if (over) console.log(`${over} page(s) over budget`);
