// Page load times of the dashboards on a built lake, in Debian's chromium (not a test).
//
//   npm run bench:dashboards -- --lake ./lake [--runs 3] [--screenshots docs/screenshots] [--lang en]
//
// For each page: time from navigation until every section has its data and every chart has
// finished rendering; the first load is cold (fresh browser context), the others warm. Also the
// time of each API slice on its own.
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
  },
});
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is not installed (apt-get install chromium fonts-dejavu-core)`);
  process.exit(2);
}
const runs = Math.max(1, Number(values.runs));
const lakeRoot = resolve(values.lake!);
const server = await startServer({ lakeRoot, port: 0 });
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
for (const p of ['cfo', 'marketing', 'risk', 'collections']) {
  const times: number[] = [];
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  for (let i = 0; i < runs; i++) times.push(await load(page, `/${p}${query}`));
  if (values.screenshots) {
    mkdirSync(values.screenshots, { recursive: true });
    await page.screenshot({ path: join(values.screenshots, `${p}.png`), fullPage: true });
  }
  await context.close();
  console.log(`/${p.padEnd(12)} cold ${times[0]!.toFixed(0).padStart(5)} ms   warm median ${median(times.slice(1).length ? times.slice(1) : times).toFixed(0).padStart(5)} ms`);
}

const meta = (await (await fetch(new URL('/api/meta', server.url))).json()) as { slices: Record<string, { params: string[] }> };
const slow: [string, number][] = [];
for (const [name, s] of Object.entries(meta.slices)) {
  if (s.params.includes('customer_id')) continue;
  const t0 = performance.now();
  await (await fetch(new URL(`/api/slices/${name}`, server.url))).text();
  slow.push([name, performance.now() - t0]);
}
slow.sort((a, b) => b[1] - a[1]);
console.log(`slices (warm, ms): ${slow.map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', ')}`);
await browser.close();
await server.close();
