import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { readSheet } from '../../src/feeds/xlsx/read.js';
import { openZip } from '../../src/feeds/xlsx/zip.js';
import { buildSmallLake } from '../support/small-lake.js';

/**
 * The dashboards in a real browser (Debian's chromium driven by playwright-core) on a generated and
 * built lake. Set CREDITLAKE_SCREENSHOTS=<dir> to keep a screenshot of each page.
 */
// The test project is type-checked without the DOM library; this is the little the page callbacks use.
interface El {
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  matches(selector: string): boolean;
}
declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El>; activeElement: El | null };

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboards browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const PAGES = ['cfo', 'marketing', 'risk', 'collections', 'worklist', 'customers/C000003'] as const;

/** RFC 4180 parsing, independent of the code that writes the CSV. */
function parseCsv(text: string): string[][] {
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
async function unzipText(path: string, entry: string): Promise<string> {
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
function rawGet(url: string, host: string): Promise<{ status: number; body: string }> {
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

const HOSTILE = '<img src=x data-pwn=1><b class="pwn" style="color:red">PAY TO NL00HACK</b>';
/** Values that keep their meaning (ids the page switches on); every other text value turns hostile. */
const KEEP = new Set(['priority', 'kpi', 'unit', 'unavailable', 'customer_id', 'bucket_kind', 'alert_type', 'severity']);
function poison(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => poison(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poison(x, k)]));
  if (typeof v === 'string' && !KEEP.has(key) && !/^-?\d+(\.\d+)?$/.test(v) && !/^\d{4}-\d{2}-\d{2}/.test(v)) return `${HOSTILE}${v}`;
  return v;
}

const shotsDir = process.env.CREDITLAKE_SCREENSHOTS ? resolve(process.env.CREDITLAKE_SCREENSHOTS) : undefined;

describe.skipIf(!hasChromium)('dashboards in chromium', () => {
  let lake: string;
  let server: RunningServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    lake = await buildSmallLake({ customers: 80, months: 15 });
    server = await startServer({ lakeRoot: lake, port: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    if (shotsDir) mkdirSync(shotsDir, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (lake) rmSync(join(lake, '..'), { recursive: true, force: true });
  });

  /** A page that records console errors, page errors, failed and 4xx/5xx requests. */
  async function open(path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`http ${r.status()}: ${r.url()}`));
    await page.goto(new URL(path, server.url).href);
    await settled(page);
    return page;
  }

  /** Waits until every section has loaded and every chart has finished rendering. */
  async function settled(page: Page): Promise<void> {
    // Functions, not strings: the page's CSP forbids eval, and strings would be eval'd.
    await page.waitForFunction(() => !!document.querySelector('main')?.dataset.loaded && !document.querySelector('[data-state="loading"]'));
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((c) => c.getAttribute('data-rendered') === 'true'));
  }

  async function tableOf(page: Page, card: string): Promise<string[][]> {
    return page.$$eval(`[data-card="${card}"] tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.getAttribute('data-value') ?? '')));
  }

  it('every page loads without console errors or failed requests, and its charts render', async () => {
    for (const p of PAGES) {
      const before = problems.length;
      const t0 = performance.now();
      const page = await open(`/${p}`);
      const ms = performance.now() - t0;
      expect(await page.locator('h1').textContent()).toBeTruthy();
      expect(await page.locator('[data-state="error"]').count(), `${p}: a section failed`).toBe(0);
      for (const chart of await page.locator('.chart').all()) {
        expect(await chart.getAttribute('role')).toBe('img');
        expect((await chart.getAttribute('aria-label'))!.length).toBeGreaterThan(10);
        expect(await chart.locator('svg').count()).toBe(1);
      }
      expect(await page.locator('#stamp [data-stamp]').count(), `${p}: data-as-of stamp`).toBe(1);
      if (shotsDir) await page.screenshot({ path: join(shotsDir, `${p}.png`), fullPage: true });
      console.log(`dashboards: /${p} ready in ${ms.toFixed(0)} ms`);
      expect(problems.slice(before)).toEqual([]);
      await page.close();
    }
    const cfo = await open('/cfo');
    expect(await cfo.locator('.chart').count()).toBeGreaterThanOrEqual(2);
    await cfo.close();
  });

  it('serve answers only its own Host names, and refuses prototype keys with 400', async () => {
    const port = server.port;
    const api = `${server.url}api/slices/top_overdue`;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect((await rawGet(api, host)).status, host).toBe(200);
    for (const host of [`rebind.attacker.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost']) {
      const res = await rawGet(api, host);
      expect(res.status, host).toBe(403);
      expect(res.body).not.toContain('overdue_amount');
    }
    expect((await rawGet(`${server.url}cfo`, `evil.example:${port}`)).status).toBe(403);
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      for (const path of ['api/meta', 'api/slices/top_overdue']) {
        const res = await fetch(`${server.url}${path}?${key}=1`);
        expect(res.status, `${path}?${key}`).toBe(400);
      }
    }
    expect((await fetch(`${server.url}api/slices/top_overdue?__proto__[segment]=x`)).status).toBe(400);
  });

  it('hostile names from the data render as text in tooltips, labels, legends and tables on every chart', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Every slice answer is real, with each text value prefixed by markup a hostile ERP export could carry.
    await context.route(/\/api\/slices\//, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: poison(await res.json()) });
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => /\/x$/.test(r.url()) && problems.push(`injected image requested: ${r.url()}`));
    let tooltipsWithHostileText = 0;
    const chartKinds = new Set<string>();
    for (const p of PAGES) {
      await page.goto(new URL(`/${p}`, server.url).href);
      await settled(page);
      for (const chart of await page.locator('.chart').all()) {
        const card = await chart.evaluate((el) => (el as unknown as { closest(s: string): El | null }).closest('[data-card]')?.getAttribute('data-card') ?? '');
        chartKinds.add(card);
        const box = (await chart.boundingBox())!;
        // Shapes to hover: bars, points, cells (any small filled path), and a sweep across the grid for axis tooltips.
        const targets = await chart.evaluate((el) => {
          const out: [number, number][] = [];
          for (const path of [...(el as unknown as { querySelectorAll(s: string): Iterable<{ getBoundingClientRect(): { x: number; y: number; width: number; height: number } }> }).querySelectorAll('svg path')]) {
            const r = path.getBoundingClientRect();
            if (r.width > 2 && r.height > 2 && r.width < 200 && r.height < 200) out.push([r.x + r.width / 2, r.y + r.height / 2]);
          }
          return out.filter((_, i) => i % Math.max(1, Math.floor(out.length / 12)) === 0).slice(0, 12);
        });
        for (let i = 1; i <= 4; i++) targets.push([box.x + (box.width * i) / 5, box.y + box.height / 2]);
        for (const [x, y] of targets) {
          await page.mouse.move(x, y);
          const tip = await page.evaluate(() => {
            const tips = [...(document as unknown as { querySelectorAll(s: string): Iterable<{ textContent: string | null; style: { display: string } }> }).querySelectorAll('.chart > div:not(:first-child)')];
            return tips.map((t) => t.textContent ?? '').join(' ');
          });
          if (tip.includes('PAY TO NL00HACK') && tip.includes('<b class="pwn"')) tooltipsWithHostileText++;
        }
      }
      const injected = await page.evaluate(() => (document as unknown as { querySelectorAll(s: string): { length: number } }).querySelectorAll('[data-pwn], .pwn').length);
      expect(injected, `${p}: markup from the data became elements`).toBe(0);
      // Tables and legends carry the name as text too.
      expect(await page.locator('text=PAY TO NL00HACK').count(), p).toBeGreaterThan(0);
    }
    expect(tooltipsWithHostileText, 'hovering showed hostile names as text in tooltips').toBeGreaterThan(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('filters change the numbers and the URL, and the URL restores the view', async () => {
    const page = await open('/cfo');
    await page.click('[data-card="dso_trend"] [data-action="table"]');
    const before = await tableOf(page, 'dso_trend');
    const segment = await page.$eval('select[data-filter="segment"] option:nth-child(2)', (o) => (o as unknown as { value: string }).value);
    await page.selectOption('select[data-filter="segment"]', segment);
    await settled(page);
    expect(new URL(page.url()).searchParams.get('segment')).toBe(segment);
    await page.click('[data-card="dso_trend"] [data-action="table"]');
    const after = await tableOf(page, 'dso_trend');
    expect(after.length).toBe(before.length);
    expect(after).not.toEqual(before);

    await page.selectOption('select[data-filter="period"]', '6m');
    await settled(page);
    const shared = page.url();
    expect(shared).toContain('period=6m');
    await page.click('[data-card="dso_trend"] [data-action="table"]');
    const view = await tableOf(page, 'dso_trend');
    expect(view).toHaveLength(6);

    const colleague = await open(shared);
    expect(await colleague.$eval('select[data-filter="segment"]', (s) => (s as unknown as { value: string }).value)).toBe(segment);
    expect(await colleague.$eval('select[data-filter="period"]', (s) => (s as unknown as { value: string }).value)).toBe('6m');
    await colleague.click('[data-card="dso_trend"] [data-action="table"]');
    expect(await tableOf(colleague, 'dso_trend')).toEqual(view);

    await page.goBack();
    await settled(page);
    expect(new URL(page.url()).searchParams.get('period')).toBeNull();
    await colleague.close();
    await page.close();
  });

  it('CSV export holds exactly the rows and values of the table', async () => {
    const page = await open('/cfo?aging_mode=pct');
    for (const card of ['aging_trend', 'top_overdue']) {
      const toggle = page.locator(`[data-card="${card}"] [data-action="table"]`);
      if (await toggle.count()) await toggle.click();
      const cells = await tableOf(page, card);
      const headers = await page.$$eval(`[data-card="${card}"] thead th`, (ths) => ths.map((th) => th.textContent ?? ''));
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-card="${card}"] [data-action="csv"]`)]);
      const csv = parseCsv(readFileSync((await download.path())!, 'utf8'));
      expect(csv[0]).toEqual(headers);
      expect(csv.slice(1)).toEqual(cells);
      expect(cells.length).toBeGreaterThan(0);
    }
    // Sorting the table re-orders the CSV the same way.
    await page.click('[data-card="top_overdue"] thead th[data-key="max_days_past_due"] button');
    const sorted = await tableOf(page, 'top_overdue');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-card="top_overdue"] [data-action="csv"]')]);
    const rows = parseCsv(readFileSync((await dl.path())!, 'utf8')).slice(1);
    expect(rows).toEqual(sorted);
    expect(await page.getAttribute('[data-card="top_overdue"] thead th[data-key="max_days_past_due"]', 'aria-sort')).toBe('descending');
    await page.close();
  });

  it('Dutch locale formats numbers, money and dates the Dutch way', async () => {
    const page = await open('/cfo?lang=nl');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    expect(await page.locator('h1').textContent()).toBe('CFO-overzicht');
    const exact = await page.getAttribute('[data-kpi="open_ar"] .value', 'title');
    expect(exact!.replace(/\u00a0/g, ' ')).toMatch(/^€ -?\d{1,3}(\.\d{3})*,\d{2}$/);
    const money = await page.$$eval('[data-card="top_overdue"] td[data-key="overdue_amount"]', (tds) => tds.map((td) => [td.textContent, td.getAttribute('data-value')]));
    expect(money.length).toBeGreaterThan(0);
    for (const [text, value] of money) {
      const [int, frac] = value!.split('.');
      const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
      expect(text!.replace(/\u00a0/g, ' ')).toBe(`€ ${grouped},${frac}`);
    }
    expect(await page.textContent('#stamp')).toMatch(/Gegevens per \d{2}-\d{2}-\d{4}/);
    await page.close();
  });

  it('customer names open the customer page; search finds customers by name, number and KvK', async () => {
    const page = await open('/cfo');
    const id = await page.locator('[data-card="top_overdue"] td[data-key="customer_id"]').first().getAttribute('data-value');
    const name = await page.locator('[data-card="top_overdue"] td[data-key="name"] a').first().textContent();
    await page.locator('[data-card="top_overdue"] td[data-key="name"] a').first().click();
    await settled(page);
    expect(new URL(page.url()).pathname).toBe(`/customers/${encodeURIComponent(id!)}`);
    expect(await page.locator('[data-card="customer_profile"] h2').textContent()).toBe(name);
    expect(await page.locator('[data-card="customer_profile"] [data-field="kvk_number"] dd').textContent()).toMatch(/^\d{8}$/);
    expect(await page.locator('[data-card="customer_open_items"] tbody tr').count()).toBeGreaterThan(0);
    for (const card of ['customer_history', 'customer_scores']) expect(await page.locator(`[data-card="${card}"] .chart svg`).count(), card).toBe(1);
    for (const card of ['customer_profile', 'customer_history', 'customer_days_late', 'customer_scores', 'customer_open_items', 'customer_payments', 'customer_actions']) {
      expect(await page.getAttribute(`[data-card="${card}"]`, 'data-state'), card).toMatch(/ready|empty/);
    }
    const kvk = (await page.locator('[data-card="customer_profile"] [data-field="kvk_number"] dd').textContent())!;

    // From the search page: part of the name, then the KvK number, Enter opens the first match.
    await page.click('nav a[data-page="customer"]');
    await settled(page);
    expect(new URL(page.url()).pathname).toBe('/customers');
    await page.fill('#customer-search', name!.slice(0, 6));
    await page.waitForSelector(`#customer-search-results a[data-customer="${id}"]`);
    await page.fill('#customer-search', kvk);
    await page.waitForFunction((k) => (document.querySelector('#customer-search-results a') as unknown as { textContent: string } | null)?.textContent?.includes(k) ?? false, kvk);
    await page.press('#customer-search', 'Enter');
    await settled(page);
    expect(new URL(page.url()).pathname).toBe(`/customers/${encodeURIComponent(id!)}`);
    // A shared link opens the same customer.
    const other = await open(new URL(page.url()).pathname + '?lang=nl');
    expect(await other.locator('h1').textContent()).toContain(id!);
    expect(await other.locator('[data-card="customer_profile"] [data-field="segment"] dd').textContent()).not.toMatch(/_/);
    await other.close();
    await page.close();
    expect(problems).toEqual([]);
  });

  it('worklist: ranked by the stated rule, filtered by owner, exported to Excel with real numbers', async () => {
    const page = await open('/worklist');
    expect(await page.locator('#worklist-rule').textContent()).toMatch(/overdue amount × risk weight/);
    const scores = (await tableOf(page, 'worklist')).map((r) => r);
    const header = await page.$$eval('[data-card="worklist"] thead th', (ths) => ths.map((th) => th.getAttribute('data-key')));
    const si = header.indexOf('priority_score');
    expect(scores.length).toBeGreaterThan(0);
    const values = scores.map((r) => Number(r[si]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const owner = await page.$eval('select[data-filter="account_manager"] option:nth-child(2)', (o) => (o as unknown as { value: string }).value);
    await page.selectOption('select[data-filter="account_manager"]', owner);
    await settled(page);
    expect(new URL(page.url()).searchParams.get('account_manager')).toBe(owner);
    const mi = header.indexOf('account_manager');
    const filtered = await tableOf(page, 'worklist');
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.length).toBeLessThan(scores.length);
    expect(new Set(filtered.map((r) => r[mi]))).toEqual(new Set([owner]));

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-card="worklist"] [data-action="xlsx"]')]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const rows: string[][] = [];
    await readSheet((await xlsx.path())!, undefined, (r) => void rows.push(r.cells));
    expect(rows.length).toBe(filtered.length + 1);
    const oi = header.indexOf('overdue_amount');
    const di = header.indexOf('next_step_due');
    for (let i = 0; i < filtered.length; i++) {
      expect(Number(rows[i + 1]![oi])).toBeCloseTo(Number(filtered[i]![oi]), 2);
      expect(rows[i + 1]![di]).toBe(filtered[i]![di]);
    }
    const sheetXml = await unzipText((await xlsx.path())!, 'xl/worksheets/sheet1.xml');
    // The amount column's cells are numbers (no t="s"/"inlineStr"), formatted, not text.
    const cellRef = `${String.fromCharCode(65 + oi)}2`;
    expect(sheetXml).toMatch(new RegExp(`<c r="${cellRef}"(?![^>]*t="(s|inlineStr|str)")[^>]*>`));
    await page.close();
    expect(problems).toEqual([]);
  });

  it('risk alerts: most severe first, counts per type, a type filter', async () => {
    const page = await open('/risk');
    const reasons = await page.$$eval('[data-card="risk_alerts"] tbody td[data-key="reason"]', (tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(reasons.length).toBeGreaterThan(0);
    const chips = await page.$$eval('[data-card="risk_alerts"] .toggle button', (bs) => bs.map((b) => [b.getAttribute('data-value'), b.textContent]));
    expect(chips.length).toBe(6);
    const res = await (await fetch(`${server.url}api/slices/risk_alerts?limit=1000`)).json() as { rows: { reason: string; severity: number; exposure: string | null }[]; meta: { counts: Record<string, number> } };
    const sev = res.rows.map((r) => r.severity);
    expect(sev).toEqual([...sev].sort((a, b) => a - b));
    const total = Object.values(res.meta.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(res.rows.length);
    const present = Object.entries(res.meta.counts).filter(([, n]) => n > 0).map(([k]) => k);
    const pick = present[present.length - 1]!;
    await page.click(`[data-card="risk_alerts"] .toggle button[data-value="${pick}"]`);
    await settled(page);
    expect(new URL(page.url()).searchParams.get('alert_type')).toBe(pick);
    const filtered = await page.$$eval('[data-card="risk_alerts"] tbody tr', (trs) => trs.length);
    expect(filtered).toBe(Math.min(50, res.meta.counts[pick]!));
    // The type filter is the risk page's own: leaving the page drops it from the URL.
    await page.click('nav a[data-page="cfo"]');
    await settled(page);
    expect(new URL(page.url()).searchParams.get('alert_type')).toBeNull();
    await page.close();
  });

  it('aging in percent: aged debit buckets add to 100 %, unapplied cash apart; cut lists say N of M and export every row', async () => {
    const page = await open('/cfo?aging_mode=pct');
    await page.click('[data-card="aging_trend"] [data-action="table"]');
    const keys = await page.$$eval('[data-card="aging_trend"] thead th', (ths) => ths.map((th) => th.getAttribute('data-key')!));
    const cells = await tableOf(page, 'aging_trend');
    const aging = keys.filter((k) => k !== 'as_of_date' && k !== 'unapplied cash' && k !== 'credit balance');
    expect(keys).toContain('unapplied cash');
    for (const row of cells) {
      const sum = aging.reduce((a, k) => a + Number(row[keys.indexOf(k)] || 0), 0);
      expect(sum).toBeCloseTo(100, 6);
      expect(Number(row[keys.indexOf('unapplied cash')])).toBeLessThanOrEqual(0);
    }
    const summary = await page.getAttribute('[data-card="aging_trend"] .chart', 'aria-label');
    expect(summary).toMatch(/unapplied cash .* shown apart/);

    const truncated = page.locator('[data-card="top_overdue"] .truncated');
    const api = await (await fetch(`${server.url}api/slices/top_overdue`)).json() as { rows: unknown[]; total_rows: number };
    if (api.total_rows > api.rows.length) {
      expect(await truncated.textContent()).toContain(`${api.rows.length} of ${api.total_rows}`);
      const href = (await truncated.locator('a[data-action="export-csv"]').getAttribute('href'))!;
      const csv = parseCsv(await (await fetch(new URL(href, server.url))).text());
      expect(csv.length - 1).toBe(api.total_rows);
    } else expect(await truncated.count()).toBe(0);
    await page.close();
  });

  it('a filter a card cannot apply is named on the card; pages drop filters they do not show', async () => {
    const metaRes = await (await fetch(`${server.url}api/meta`)).json() as { filters: { segment: string[]; country: string[] } };
    const page = await open(`/cfo?segment=${encodeURIComponent(metaRes.filters.segment[0]!)}&country=${metaRes.filters.country[0]}`);
    // Grouped marts hold one dimension at a time: the tiles and trends name the country filter they skip;
    // customer lists apply both.
    expect(await page.getAttribute('[data-card="cfo_kpis"]', 'data-ignored')).toBe('Country');
    expect(await page.locator('[data-card="cfo_kpis"] .ignored').textContent()).toMatch(/Not filtered by Country/);
    expect(await page.locator('[data-card="top_overdue"] .ignored').count()).toBe(0);
    await page.click('nav a[data-page="collections"]');
    await settled(page);
    const url = new URL(page.url());
    expect(url.searchParams.get('segment')).toBeNull();
    expect(url.searchParams.get('country')).toBeNull();
    await page.close();
  });

  it('phone (390 px) in Dutch: no page scrolls sideways, labels do not overlap, tables keep their first column, no English or raw enums', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const RAW = /\b(mid_market|small_business|moderate risk|low risk|high risk|not rated|over limit|score dropped|headroom \d|revenue new|pays \d+ days|Download|Show table|Loading)\b/;
    for (const p of PAGES) {
      await page.goto(new URL(`/${p}?lang=nl`, server.url).href);
      await settled(page);
      const width = await page.evaluate(() => (document as unknown as { documentElement: { scrollWidth: number } }).documentElement.scrollWidth);
      expect(width, `${p}: page wider than the phone`).toBeLessThanOrEqual(390);
      const text = await page.evaluate(() => (document as unknown as { body: { innerText: string } }).body.innerText);
      const raw = RAW.exec(text);
      expect(raw ? text.slice(Math.max(0, raw.index - 80), raw.index + 40) : null, `${p}: English or a raw value on a Dutch page: ${raw ? text.slice(Math.max(0, raw.index - 80), raw.index + 40).replace(/\s+/g, " ") : ""}`).toBeNull();
      for (const wrap of await page.locator('.table-wrap:visible').all()) {
        const pos = await wrap.locator('tbody tr:first-child td:first-child').evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(td).position).catch(() => 'sticky');
        expect(pos, `${p}: first column sticky`).toBe('sticky');
      }
    }
    // The roll-forward's step names stand upright on a phone instead of overlapping.
    await page.goto(new URL('/cfo?lang=nl', server.url).href);
    await settled(page);
    const boxes = await page.$$eval('[data-card="ar_rollforward"] .chart svg text', (ts) =>
      ts.map((t) => (t as unknown as { getBoundingClientRect(): { x: number; y: number; width: number; height: number }; textContent: string }))
        .map((t) => ({ text: t.textContent, ...JSON.parse(JSON.stringify(t.getBoundingClientRect())) as { x: number; y: number; width: number; height: number } })));
    const steps = ['Debiteuren begin', 'Gefactureerd', 'Creditnota’s', 'Ontvangen', 'Afgeboekt', 'Debiteuren eind'];
    const axis = boxes.filter((b) => steps.some((s) => b.text === s || (b.text ?? '').startsWith(s.slice(0, 8))));
    expect(axis.length).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < axis.length; i++) {
      for (let j = i + 1; j < axis.length; j++) {
        const a = axis[i]!;
        const b = axis[j]!;
        const overlap = a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
        expect(overlap, `${a.text} / ${b.text}`).toBe(false);
      }
    }
    // Amounts of the top-20 are reachable: the table scrolls inside its card, the customer number stays put.
    const wrap = page.locator('[data-card="top_overdue"] .table-wrap');
    const firstX = await wrap.locator('tbody tr:first-child td:first-child').evaluate((td) => (td as unknown as { getBoundingClientRect(): { x: number } }).getBoundingClientRect().x);
    await wrap.evaluate((w) => ((w as unknown as { scrollLeft: number }).scrollLeft = 10_000));
    const after = await wrap.locator('tbody tr:first-child td:first-child').evaluate((td) => (td as unknown as { getBoundingClientRect(): { x: number } }).getBoundingClientRect().x);
    expect(Math.abs(after - firstX)).toBeLessThan(1);
    const amount = await wrap.locator('tbody tr:first-child td[data-key="overdue_amount"]').evaluate((td) => (td as unknown as { getBoundingClientRect(): { x: number; width: number } }).getBoundingClientRect());
    expect(amount.x + amount.width).toBeLessThanOrEqual(390);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('theme, keyboard and PNG export', async () => {
    const page = await open('/cfo');
    await page.click('#theme-toggle');
    await settled(page);
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(page.url()).toContain('theme=dark');

    // Tab from the top reaches the filters.
    await page.focus('body');
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.matches('select[data-filter]') ?? false);
    }
    expect(reached).toBe(true);

    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-card="dso_trend"] [data-action="png"]')]);
    const bytes = readFileSync((await png.path())!);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    await page.close();
    expect(problems).toEqual([]);
  });
});
