import { afterAll, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { openZip } from '../../src/feeds/xlsx/zip.js';
import { buildSmallLake } from './small-lake.js';

/**
 * Shared setup of the dashboard browser tests (test/e2e/dashboards-*.test.ts): Debian's chromium
 * driven by playwright-core, a server on a generated and built lake, and the helpers the page
 * tests use. Set CREDITLAKE_SCREENSHOTS=<dir> to keep a screenshot of each page.
 */

// The test project is type-checked without the DOM library; this is the little the page callbacks use.
export interface El {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
}
declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El>; activeElement: El | null };

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboards browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

export const PAGES = ['cfo', 'marketing', 'risk', 'collections', 'worklist', 'customers/C000003'] as const;

export const shotsDir = process.env.CREDITLAKE_SCREENSHOTS ? resolve(process.env.CREDITLAKE_SCREENSHOTS) : undefined;

/** RFC 4180 parsing, independent of the code that writes the CSV. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (row.push(cell), (cell = ''));
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ''), i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) (row.push(cell), rows.push(row));
  return rows;
}

export async function unzipText(path: string, entry: string): Promise<string> {
  const zip = await openZip(path);
  try {
    let text = '';
    for await (const chunk of await zip.stream(entry)) text += String(chunk);
    return text;
  } finally {
    zip.close();
  }
}

/** A GET with a chosen Host header (fetch will not send a foreign one). */
export function rawGet(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const HOSTILE = '<img src=x data-pwn=1><b class="pwn" style="color:red">PAY TO NL00HACK</b>';
/** Values that keep their meaning (ids the page switches on); every other text value turns hostile. */
const KEEP = new Set(['priority', 'kpi', 'unit', 'unavailable', 'customer_id', 'bucket_kind', 'alert_type', 'severity']);
export function poison(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => poison(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, k)]));
  if (typeof v === 'string' && !KEEP.has(key) && !/^-?\d+(\.\d+)?$/.test(v) && !/^\d{4}-\d{2}-\d{2}/.test(v)) return `${HOSTILE}${v}`;
  return v;
}

/**
 * Answers an intercepted request with the server's answer, rewritten. The fetch runs in this
 * process, beside the server: like a browser it retries a GET whose reused keep-alive connection
 * was reset, and a request it cannot answer fails (recorded in problems) instead of staying
 * unanswered until the page's wait times out.
 */
export async function proxy(route: Route, rewrite: (body: unknown) => unknown, problems: string[]): Promise<void> {
  try {
    const res = await route.fetch({ maxRetries: 2 });
    await route.fulfill({ response: res, json: rewrite(await res.json()) });
  } catch (e) {
    problems.push(`proxy ${route.request().url()}: ${(e as Error).message.split('\n')[0]}`);
    await route.abort('failed').catch(() => undefined);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * One small lake for all dashboard test files of a test run: vitest's workers are children of one
 * process, so the first file builds under a folder named by that parent's pid and the others wait
 * for it (a lock folder made atomically). Folders of runs that have ended are removed.
 */
async function sharedSmallLake(): Promise<string> {
  const base = join(tmpdir(), 'creditlake-dash-shared');
  mkdirSync(base, { recursive: true });
  for (const d of readdirSync(base)) {
    const pid = Number(/^run-(\d+)$/.exec(d)?.[1]);
    if (pid && pid !== process.ppid && !alive(pid)) rmSync(join(base, d), { recursive: true, force: true });
  }
  const dir = join(base, `run-${process.ppid}`);
  const ready = join(dir, 'lake-path');
  try {
    mkdirSync(dir);
  } catch {
    // Another file of this run is building it: wait for its answer (a build takes seconds to minutes).
    const t0 = Date.now();
    while (!existsSync(ready)) {
      if (existsSync(join(dir, 'failed'))) throw new Error('the shared dashboard lake failed to build (see the first dashboards test file)');
      if (Date.now() - t0 > 10 * 60_000) throw new Error(`timed out waiting for the shared dashboard lake in ${dir}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return readFileSync(ready, 'utf8');
  }
  try {
    const lake = await buildSmallLake({ customers: 80, months: 15 });
    writeFileSync(`${ready}.tmp`, lake);
    renameSync(`${ready}.tmp`, ready);
    return lake;
  } catch (e) {
    writeFileSync(join(dir, 'failed'), String(e));
    throw e;
  }
}

export interface Dashboards {
  server: RunningServer;
  browser: Browser;
  lake: string;
  /** Console errors, page errors, failed and 4xx/5xx requests of pages made by open(). */
  problems: string[];
  /** A page that records console errors, page errors, failed and 4xx/5xx requests. */
  open(path: string): Promise<Page>;
  /** Waits until every section has loaded and every chart has finished rendering. */
  settled(page: Page): Promise<void>;
  /** data-value of every cell of a card's table, row by row. */
  tableOf(page: Page, card: string): Promise<string[][]>;
}

/**
 * Registers beforeAll/afterAll in the calling describe block: a server on the shared lake (or on the
 * lake `lake` builds in a temporary folder of its own, for a ledger of another shape, removed
 * afterwards) and a browser.
 */
export function useDashboards(opts: { lake?: () => Promise<string> } = {}): Dashboards {
  const d = { problems: [] as string[] } as Dashboards;
  beforeAll(async () => {
    d.lake = await (opts.lake ?? sharedSmallLake)();
    d.server = await startServer({ lakeRoot: d.lake, port: 0 });
    const { chromium } = await import('playwright-core');
    d.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    if (shotsDir) mkdirSync(shotsDir, { recursive: true });
  }, 10 * 60_000);
  afterAll(async () => {
    await d.browser?.close();
    await d.server?.close();
    // A lake of the file's own (buildSmallLake: <temp folder>/lake) goes with it; the shared one stays for the run.
    if (opts.lake && d.lake) rmSync(dirname(d.lake), { recursive: true, force: true });
  });
  d.settled = async (page) => {
    // Functions, not strings: the page's CSP forbids eval, and strings would be eval'd.
    await page.waitForFunction(() => !!document.querySelector('main')?.dataset.loaded && !document.querySelector('[data-state="loading"]'));
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true'));
  };
  d.open = async (path) => {
    const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('console', (m) => m.type() === 'error' && d.problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => d.problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => d.problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && d.problems.push(`http ${r.status()}: ${r.url()}`));
    await page.goto(new URL(path, d.server.url).href);
    await d.settled(page);
    return page;
  };
  d.tableOf = (page, card) =>
    page.$$eval(`[data-card="${card}"] tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-value') ?? '')));
  return d;
}
