// Page load times of the dashboards on a built lake, in Debian's chromium (not a test).
//
//   npm run bench:dashboards -- --lake ./lake [--runs 3] [--cold 3] [--pages cfo,customer] [--screenshots docs/screenshots] [--lang en] [--prewarm]
//
// For each page (the four dashboards, the worklist and a customer page): time from navigation
// until every section has its data and every chart has finished rendering. Cold loads (--cold, one
// each in a fresh browser context: empty HTTP and code caches, nothing compiled) come first; the
// first of them finds a server that has answered nothing yet, unless --prewarm, so every slice runs
// on the warehouse (with --prewarm: after the server's start-up prewarm has finished, as `creditlake
// serve` does by default); later cold loads of a dashboard find the answers the first one left, as
// a second visitor would. Each cold load of the customer page opens another customer (the most
// overdue ones in turn): no prewarm can know them, so every one runs its slices on the warehouse.
// Then --runs - 1 warm loads in the last context. A page is within budget when the median of its
// cold loads and the median of its warm loads are: 1.0 s per page, 0.5 s for the customer page.
// Also the time of each API slice on its own (uncached: a parameter the page never sends).
// The machine may be shared: beside each wall time the bench prints the load average, the page's
// CPU time of the page's renderer process (script, style, layout, paint) and the server's CPU time
// for the load, which do not grow with other processes' load as wall time does.
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    lake: { type: 'string', default: './lake' },
    runs: { type: 'string', default: '3' },
    cold: { type: 'string', default: '3' },
    pages: { type: 'string' },
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
const coldRuns = Math.max(1, Number(values.cold));
const lakeRoot = resolve(values.lake!);
// The server runs in a process of its own, as `creditlake serve` does (bench/dashboards-server.ts).
// With --prewarm the first load is measured as a user meets it a moment after `serve` started:
// the server has run every page's default queries once, the browser is fresh.
const child = fork(fileURLToPath(new URL('./dashboards-server.ts', import.meta.url)), [lakeRoot, values.prewarm ? 'prewarm' : ''], {
  execArgv: ['--import', 'tsx/esm'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const replies: ((m: { url?: string; cpuMs?: number }) => void)[] = [];
child.on('message', (m) => replies.shift()?.(m as { url?: string; cpuMs?: number }));
child.on('exit', (code) => code && (console.error(`the dashboard server exited with ${code}`), process.exit(1)));
const reply = () => new Promise<{ url?: string; cpuMs?: number }>((r) => replies.push(r));
const server = { url: (await reply()).url! };
/** CPU time the server process has used so far, ms. */
async function serverCpu(): Promise<number> {
  const answer = reply();
  child.send('cpu');
  return (await answer).cpuMs!;
}
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

declare const document: {
  documentElement: object;
  querySelector(s: string): { dataset: Record<string, string | undefined> } | null;
  querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }>;
};
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: object, options: Record<string, unknown>): void;
  disconnect(): void;
}

interface Load {
  wall: number;
  /** CPU time of the page's renderer process during the load (script, style, layout, paint, parsing), ms. */
  browserCpu: number;
  /** CPU time of the server process (its DuckDB threads included) during the load, ms. */
  serverCpu: number;
}

/** CPU seconds of the page's renderer process so far (Chromium's ProcessTime metric). */
async function rendererCpu(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN;
}

async function load(page: Page, cdp: CDPSession, path: string): Promise<Load> {
  const r0 = await rendererCpu(cdp);
  const c0 = await serverCpu();
  const t0 = performance.now();
  await page.goto(new URL(path, server.url).href);
  // Done when every section has its data and every chart is drawn: watched in the page by a
  // MutationObserver, not polled. Polling every 10 ms (waitForFunction) cost the renderer about 30
  // ms and this process about 20 ms of CPU per second of load, counted in the figures below and
  // taken from the page on a machine with no CPU to spare.
  await page.evaluate(
    () =>
      new Promise<void>((resolveDone, rejectDone) => {
        const observer = new MutationObserver(() => {
          if (!document.querySelector('main')?.dataset.loaded || document.querySelector('[data-state="loading"]')) return;
          if (![...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true')) return;
          observer.disconnect();
          resolveDone();
        });
        observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-loaded', 'data-state', 'data-rendered'] });
        setTimeout(() => (observer.disconnect(), rejectDone(new Error('page not rendered within 120 s'))), 120_000);
        // Already done (a warm load may finish before this runs): the observer sees no further change.
        if (document.querySelector('main')?.dataset.loaded && !document.querySelector('[data-state="loading"]') && [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true')) {
          observer.disconnect();
          resolveDone();
        }
      }),
  );
  const wall = performance.now() - t0;
  const c = (await serverCpu()) - c0;
  const r1 = await rendererCpu(cdp);
  // A navigation may move to a new renderer process, whose count starts at 0.
  return { wall, browserCpu: (r1 >= r0 ? r1 - r0 : r1) * 1000, serverCpu: c };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const query = values.lang === 'nl' ? '?lang=nl' : '';
console.log(`lake ${lakeRoot}`);
// Customer pages: the customers with the most overdue AR (ask the API, not the browser), one per cold load.
const top = (await (await fetch(new URL(`/api/slices/top_overdue?limit=${coldRuns}`, server.url))).json()) as { rows?: { customer_id: string }[] };
const customers = (top.rows ?? []).map((r) => r.customer_id);
const customer = customers[0];
const customerPath = (i: number) => `/customers/${encodeURIComponent(customers[i % customers.length]!)}`;
const pages: [string, (i: number) => string, number][] = [
  ['cfo', () => '/cfo', 1000], ['marketing', () => '/marketing', 1000], ['risk', () => '/risk', 1000], ['collections', () => '/collections', 1000],
  ['worklist', () => '/worklist', 1000],
  ...(customer ? [['customer', customerPath, 500] as [string, (i: number) => string, number]] : []),
];
const only = values.pages?.split(',');
if (only) for (const p of only) if (!pages.some(([n]) => n === p)) throw new Error(`--pages: no page ${p} (${pages.map(([n]) => n).join(', ')})`);
let over = 0;
const load1 = () => loadavg()[0]!.toFixed(1);
for (const [name, pathOf, budget] of pages.filter(([n]) => !only || only.includes(n))) {
  const cold: Load[] = [];
  const warmRuns: Load[] = [];
  const loadBefore = load1();
  for (let c = 0; c < coldRuns; c++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    cold.push(await load(page, cdp, `${pathOf(c)}${query}`));
    if (c === coldRuns - 1) {
      // Warm: the same view again in the same context (cached script, answers in the server's memory).
      for (let i = 1; i < runs; i++) warmRuns.push(await load(page, cdp, `${pathOf(c)}${query}`));
      if (values.screenshots) {
        mkdirSync(values.screenshots, { recursive: true });
        await page.screenshot({ path: join(values.screenshots, `${name}.png`), fullPage: true });
      }
    }
    await context.close();
  }
  const coldMedian = median(cold.map((l) => l.wall));
  const warm = warmRuns.length ? median(warmRuns.map((l) => l.wall)) : NaN;
  const ok = coldMedian <= budget && (!warmRuns.length || warm <= budget);
  if (!ok) over++;
  const ms = (x: number) => x.toFixed(0).padStart(5);
  console.log(
    `${(name === 'customer' ? '/customers/…' : pathOf(0)).padEnd(14)} cold median ${ms(coldMedian)} ms (${cold.map((l) => l.wall.toFixed(0)).join(', ')})   warm median ${ms(warm)} ms   budget ${budget} ms ${ok ? 'ok  ' : 'OVER'}` +
      `   cpu: browser cold ${median(cold.map((l) => l.browserCpu)).toFixed(0)} / warm ${warmRuns.length ? median(warmRuns.map((l) => l.browserCpu)).toFixed(0) : '-'} ms, server cold ${median(cold.map((l) => l.serverCpu)).toFixed(0)} / warm ${warmRuns.length ? median(warmRuns.map((l) => l.serverCpu)).toFixed(0) : '-'} ms   load ${loadBefore}→${load1()}`,
  );
}

const meta = (await (await fetch(new URL('/api/meta', server.url))).json()) as { slices: Record<string, { params: string[] }>; filters: { as_of: string[] } };
const slow: [string, number][] = [];
// An as-of date one month back: a view no page has asked for, so the answer is computed, not cached.
const asOf = meta.filters.as_of[meta.filters.as_of.length - 2];
// (With --pages: the pages chosen only.)
for (const [name, s] of only ? [] : Object.entries(meta.slices)) {
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
if (!only) console.log(`slices (warm, ms): ${slow.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
await browser.close();
await new Promise<void>((r) => (child.removeAllListeners('exit'), child.once('exit', () => r()), child.send('close')));
if (over) console.log(`${over} page(s) over budget`);
