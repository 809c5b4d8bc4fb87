// Page load times of the dashboards on a built lake, in Debian's chromium (not a test).
//
//   npm run bench:dashboards -- --lake ./lake [--runs 3] [--screenshots docs/screenshots] [--lang en] [--prewarm]
//
// For each page (the four dashboards, the worklist and one customer page): time from navigation
// until every section has its data and every chart has finished rendering. The first load is cold:
// fresh browser context and, unless --prewarm, a server that has answered nothing yet, so every
// slice runs on the warehouse; the others are warm. Budgets: 1.0 s per page, 0.5 s for the customer
// page. Also the time of each API slice on its own (uncached: a parameter the page never sends).
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
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
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});

declare const document: { querySelector(s: string): { dataset: Record<string, string | undefined> } | null; querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> };

async function load(page: Page, path: string): Promise<number> {
  const t0 = performance.now();
  await page.goto(new URL(path, server.url).href);
  await page.waitForFunction(() => !!document.querySelector('main')?.dataset.loaded && !document.querySelector('[data-state="loading"]'), undefined, { timeout: 120_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true'), undefined, { timeout: 120_000 });
  return performance.now() - t0;
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
for (const [name, path, budget] of pages) {
  const times: number[] = [];
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  for (let i = 0; i < runs; i++) times.push(await load(page, `${path}${query}`));
  if (values.screenshots) {
    mkdirSync(values.screenshots, { recursive: true });
    await page.screenshot({ path: join(values.screenshots, `${name}.png`), fullPage: true });
  }
  await context.close();
  const warm = median(times.slice(1).length ? times.slice(1) : times);
  const ok = times[0]! <= budget && warm <= budget;
  if (!ok) over++;
  console.log(`${path.padEnd(24)} cold ${times[0]!.toFixed(0).padStart(5)} ms   warm median ${warm.toFixed(0).padStart(5)} ms   budget ${budget} ms ${ok ? 'ok' : 'OVER'}`);
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
console.log(`slices (warm, ms): ${slow.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
await browser.close();
await server.close();
if (over) console.log(`${over} page(s) over budget`);
