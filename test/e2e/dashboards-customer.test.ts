import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { hasChromium, parseCsv, useDashboards, type El } from '../support/dashboards-browser.js';

type Cells = Record<string, string | number | boolean | null>;
interface Box { x: number; y: number; width: number; height: number }
interface Shape { getBoundingClientRect(): Box; textContent: string | null }
const center = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

/** Centres of the band labels of the y axis and of the drawn point symbols (small shapes) of a chart. */
function chartGeometry(page: Page, card: string) {
  return page.$eval(`[data-card="${card}"] .chart svg`, (svg) => {
    const s = svg as unknown as { querySelectorAll(q: string): Iterable<Shape> };
    const mid = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
    return {
      labels: [...s.querySelectorAll('text')].map((t) => ({ text: t.textContent ?? '', ...mid(t.getBoundingClientRect()) })),
      symbols: [...s.querySelectorAll('path')].map((p) => p.getBoundingClientRect()).filter((b) => b.width > 2 && b.height > 2 && b.width < 14 && b.height < 14).map(mid),
    };
  });
}

declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El>; activeElement: El | null };

/** The dashboards in Debian's chromium on a generated and built lake: customer page and search. */
describe.skipIf(!hasChromium)('dashboards in chromium: customer', () => {
  const d = useDashboards();

  it('customer names open the customer page; search finds customers by name, number and KvK', async () => {
    const page = await d.open('/cfo');
    const id = await page.locator('[data-card="top_overdue"] td[data-key="customer_id"]').first().getAttribute('data-value');
    const name = await page.locator('[data-card="top_overdue"] td[data-key="name"] a').first().textContent();
    await page.locator('[data-card="top_overdue"] td[data-key="name"] a').first().click();
    await d.settled(page);
    expect(new URL(page.url()).pathname).toBe(`/customers/${encodeURIComponent(id!)}`);
    expect(await page.locator('[data-card="customer_profile"] h2').textContent()).toBe(name);
    expect(await page.locator('[data-card="customer_profile"] [data-field="kvk_number"] dd').textContent()).toMatch(/^\d{8}$/);
    expect(await page.locator('[data-card="customer_open_items"] tbody tr').count()).toBeGreaterThan(0);
    for (const card of ['customer_history', 'customer_scores']) expect(await page.locator(`[data-card="${card}"] .chart svg`).count(), card).toBe(1);
    for (const card of ['customer_profile', 'customer_history', 'customer_days_late', 'customer_scores', 'customer_open_items', 'customer_payments', 'customer_actions']) {
      expect(await page.getAttribute(`[data-card="${card}"]`, 'data-state'), card).toMatch(/ready|empty/);
    }
    // What the issue lists for the page, as this customer's data has it: identity, limit and its use,
    // priority with its reason, open items with their aging bucket, dunning history, score history per provider.
    const profile = (await (await fetch(`${d.server.url}api/slices/customer_profile?customer_id=${encodeURIComponent(id!)}`)).json() as { rows: Cells[] }).rows[0]!;
    const identity = ['vat_number', 'sbi_section', 'segment', 'size_class'].filter((f) => profile[f] !== null);
    expect(identity, 'the customer has identity fields beyond its KvK number').toEqual(expect.arrayContaining(['segment', 'size_class']));
    for (const f of [...identity, 'credit_limit', 'open_ar', 'utilisation', 'priority', 'reason', 'common_band_label']) {
      expect((await page.locator(`[data-card="customer_profile"] [data-field="${f}"] dd`).textContent())?.trim(), f).toBeTruthy();
    }
    expect(await page.locator('[data-card="customer_open_items"] tbody td[data-key="bucket"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-card="customer_actions"] tbody tr').count(), 'the most overdue customer has been chased').toBeGreaterThan(0);
    expect(await page.locator('[data-card="customer_days_late"] .chart svg').count()).toBe(1);
    const api = await (await fetch(`${d.server.url}api/slices/customer_history?customer_id=${encodeURIComponent(id!)}`)).json() as { rows: { month: string; utilisation: number | null }[] };
    expect(api.rows.length, 'a month-end history, not one point').toBeGreaterThan(3);
    const kvk = (await page.locator('[data-card="customer_profile"] [data-field="kvk_number"] dd').textContent())!;

    // From the search page: part of the name, then the KvK number, Enter opens the first match.
    await page.click('nav a[data-page="customer"]');
    await d.settled(page);
    expect(new URL(page.url()).pathname).toBe('/customers');
    await page.fill('#customer-search', name!.slice(0, 6));
    await page.waitForSelector(`#customer-search-results a[data-customer="${id}"]`);
    await page.fill('#customer-search', kvk);
    await page.waitForFunction((k) => (document.querySelector('#customer-search-results a') as unknown as { textContent: string } | null)?.textContent?.includes(k) ?? false, kvk);
    await page.press('#customer-search', 'Enter');
    await d.settled(page);
    expect(new URL(page.url()).pathname).toBe(`/customers/${encodeURIComponent(id!)}`);
    // A shared link opens the same customer.
    const other = await d.open(new URL(page.url()).pathname + '?lang=nl');
    expect(await other.locator('h1').textContent()).toContain(id!);
    expect(await other.locator('[data-card="customer_profile"] [data-field="segment"] dd').textContent()).not.toMatch(/_/);
    await other.close();
    await page.close();
    expect(d.problems).toEqual([]);
  });

  it('every list of customers on every page links each name to that customer\'s page', async () => {
    let lists = 0;
    for (const path of ['/cfo', '/marketing', '/risk', '/collections', '/worklist']) {
      const page = await d.open(path);
      const links = await page.evaluate(() =>
        [...document.querySelectorAll('[data-card] table')].flatMap((table) => {
          interface Node { getAttribute(n: string): string | null; href?: string; closest(s: string): Node; querySelector(s: string): Node | null; querySelectorAll(s: string): Iterable<Node> }
          const t = table as unknown as Node;
          const card = t.closest('[data-card]').getAttribute('data-card');
          return [...t.querySelectorAll('tbody tr')].slice(0, 5).flatMap((tr) => {
            const name = tr.querySelector('td[data-key="name"]');
            if (!name) return [];
            return [{ card, href: name.querySelector('a')?.href ?? null }];
          });
        }),
      );
      for (const l of links) expect(l.href, `${path} ${l.card}`).toMatch(/\/customers\/[^/?]+/);
      lists += new Set(links.map((l) => l.card)).size;
      // The first link opens its customer's page.
      if (links.length) {
        const href = new URL(links[0]!.href!);
        await page.locator(`[data-card="${links[0]!.card}"] tbody td[data-key="name"] a`).first().click();
        await d.settled(page);
        expect(new URL(page.url()).pathname).toBe(href.pathname);
        expect(await page.getAttribute('[data-card="customer_profile"]', 'data-state')).toBe('ready');
      }
      await page.close();
    }
    // top overdue, priority list, falling scores, risk alerts, the worklist at least.
    expect(lists).toBeGreaterThanOrEqual(5);
    expect(d.problems).toEqual([]);
  });

  it('score history: a line per provider on the common band scale, each report at its band, the printed score or rating in the tooltip', async () => {
    const id = 'C000003';
    const api = await (await fetch(`${d.server.url}api/slices/customer_scores?customer_id=${id}`)).json() as { rows: Cells[] };
    expect(api.rows.length, 'the test customer has a report history').toBeGreaterThan(3);
    const own = String(api.rows[0]!.provider);
    // A second provider beside the lake's one (the generated customers each have one): its band one
    // step worse at every other report, so the two lines part and meet.
    const other = own === 'dnb' ? 'creditsafe' : 'dnb';
    const extra: Cells[] = api.rows.filter((_, i) => i % 2 === 0).map((r, i) => ({
      ...r, provider: other, score: 40 + i, rating: null, score_scale: other === 'dnb' ? 'dnb_failure_percentile' : 'creditsafe_0_100',
      common_band: Math.min(5, Number(r.common_band ?? 3) + (i % 2)),
    }));
    const rows = [...api.rows, ...extra].sort((a, b) => String(a.report_date).localeCompare(String(b.report_date)) || String(a.provider).localeCompare(String(b.provider)));
    const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/api/slices/customer_scores*', async (route) => {
      const res = await route.fetch();
      const body = await res.json() as { rows: Cells[] };
      body.rows = rows;
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(new URL(`/customers/${id}`, d.server.url).href);
    await d.settled(page);
    const card = '[data-card="customer_scores"]';
    const names: Record<string, string> = { creditsafe: 'Creditsafe', dnb: 'D&B', graydon: 'Graydon' };
    await page.locator(`${card} .chart`).scrollIntoViewIfNeeded();
    const geo = await chartGeometry(page, 'customer_scores');
    const texts = geo.labels.map((l) => l.text);
    expect(texts, 'a legend entry per provider').toEqual(expect.arrayContaining([names[own], names[other]]));
    const bandY = new Map<number, number>();
    for (const [b, name] of [[1, 'very low risk'], [2, 'low risk'], [3, 'moderate risk'], [4, 'high risk'], [5, 'very high risk']] as const) {
      const l = geo.labels.find((x) => x.text === `${b} ${name}`);
      expect(l, `axis label of band ${b}`).toBeTruthy();
      bandY.set(b, l!.y);
    }
    // Band 1 (lowest risk) on top.
    expect(bandY.get(1)!).toBeLessThan(bandY.get(5)!);
    // Every report with a band is a point on its band's line; nothing is drawn between bands.
    const plotted = geo.symbols.filter((p) => p.y > bandY.get(1)! - 6);
    const banded = rows.filter((r) => r.common_band !== null);
    expect(plotted.length).toBe(banded.length);
    const step = (bandY.get(5)! - bandY.get(1)!) / 4;
    const onBand = (y: number) => Math.round((y - bandY.get(1)!) / step) + 1;
    for (const p of plotted) expect(Math.abs(bandY.get(onBand(p.y))! - p.y), 'a point sits on a band').toBeLessThan(3);
    const count = (bands: number[]) => [1, 2, 3, 4, 5].map((b) => bands.filter((x) => x === b).length);
    expect(count(plotted.map((p) => onBand(p.y)))).toEqual(count(banded.map((r) => Number(r.common_band))));
    // The tooltip at the last report date names each provider with its band and the score as printed.
    const last = rows.filter((r) => r.report_date === rows.at(-1)!.report_date);
    const lastX = Math.max(...plotted.map((p) => p.x));
    const chart = (await page.locator(`${card} .chart`).boundingBox())!;
    await page.mouse.move(chart.x + chart.width / 2, chart.y + chart.height / 2);
    await page.mouse.move(lastX, chart.y + chart.height / 2, { steps: 4 });
    const tip = page.locator(`${card} .chart > div:not(:first-child)`);
    await expect.poll(() => tip.textContent()).toContain(names[last[0]!.provider as string]!);
    const tipText = (await tip.textContent())!;
    for (const r of last) {
      const band = ['', 'very low risk', 'low risk', 'moderate risk', 'high risk', 'very high risk'][Number(r.common_band)];
      const printed = [r.score === null ? '' : String(r.score), r.rating ?? ''].filter(Boolean).join(' · ');
      expect(tipText).toContain(`${names[r.provider as string]}: ${r.common_band} ${band}${printed ? ` (${printed})` : ''}`);
    }
    // The table behind the chart: every report, with score, rating and band.
    await page.click(`${card} [data-action="table"]`);
    const table = await d.tableOf(page, 'customer_scores');
    expect(table.length).toBe(rows.length);
    expect(await page.$$eval(`${card} thead th`, (ths) => ths.map((th) => th.getAttribute('data-key')))).toEqual(expect.arrayContaining(['report_date', 'provider', 'score', 'rating', 'common_band']));
    await page.close();
    expect(d.problems).toEqual([]);
  });

  it('monthly history: plain SVG without the chart library, a bar per month in proportion to its amount, exact values in the tooltip, PNG and resize', async () => {
    const id = 'C000003';
    const api = await (await fetch(`${d.server.url}api/slices/customer_history?customer_id=${id}`)).json() as { rows: Cells[] };
    expect(api.rows.length, 'a month-end history').toBeGreaterThan(3);
    const page = await d.open(`/customers/${id}`);
    // The chart library (a script of over 400 kB) is neither fetched nor evaluated on this page.
    const scripts = await page.evaluate(() =>
      (globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string; decodedBodySize: number }[] } }).performance
        .getEntriesByType('resource').filter((r) => r.name.endsWith('.js')).map((r) => r.decodedBodySize));
    expect(Math.max(...scripts)).toBeLessThan(400_000);
    expect(await page.locator('[_echarts_instance_]').count()).toBe(0);
    const card = '[data-card="customer_history"]';
    await page.locator(`${card} .chart`).scrollIntoViewIfNeeded();
    const bars = await page.$$eval(`${card} .chart svg g.series rect`, (rs) => rs.map((r) => {
      const e = r as unknown as { getBoundingClientRect(): Box; getAttribute(n: string): string | null };
      const b = e.getBoundingClientRect();
      return { x: b.x + b.width / 2, h: b.height, textured: (e.getAttribute('fill') ?? '').startsWith('url(') };
    }));
    // Open AR bars plain, overdue bars textured (told apart without colour), one per month with a value, left to right.
    const amounts = (k: string) => api.rows.map((r) => r[k]).filter((v) => v !== null).map((v) => Math.abs(Number(v)));
    for (const [key, drawn] of [['open_ar', bars.filter((b) => !b.textured)], ['overdue_ar', bars.filter((b) => b.textured)]] as const) {
      const want = amounts(key);
      expect(drawn.length, key).toBe(want.length);
      expect(drawn.map((b) => b.x), key).toEqual([...drawn.map((b) => b.x)].sort((a, b) => a - b));
      const scale = Math.max(...drawn.map((b) => b.h)) / Math.max(...want);
      drawn.forEach((b, i) => expect(Math.abs(b.h - want[i]! * scale), `${key} month ${i}`).toBeLessThan(1.5));
    }
    // The tooltip at a month names that month's amounts, formatted from the exact values.
    const k = api.rows.length - 2;
    const eur = (v: unknown) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' }).format(Number(v));
    const box = (await page.locator(`${card} .chart`).boundingBox())!;
    const open = bars.filter((b) => !b.textured);
    await page.mouse.move(open[k]!.x, box.y + box.height / 2);
    const tip = page.locator(`${card} .chart > div:not(:first-child)`);
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = (await tip.textContent())!;
    expect(text).toContain(`Open AR: ${eur(api.rows[k]!.open_ar)}`);
    expect(text).toContain(`Overdue: ${eur(api.rows[k]!.overdue_ar)}`);
    if (api.rows[k]!.credit_limit !== null) expect(text).toContain(`Credit limit: ${eur(api.rows[k]!.credit_limit)}`);
    await page.mouse.move(box.x + box.width + 40, box.y - 40);
    await expect.poll(() => tip.isVisible()).toBe(false);
    // The days-late chart reads its ratio line on a second axis, in percent.
    const right = await page.$$eval('[data-card="customer_days_late"] .chart svg text[text-anchor="start"]', (ts) => ts.map((t) => (t as unknown as Shape).textContent ?? ''));
    expect(right.length).toBeGreaterThan(1);
    for (const label of right) expect(label).toMatch(/%$/);
    // PNG export of a chart drawn without the library.
    const [png] = await Promise.all([page.waitForEvent('download'), page.click(`${card} [data-action="png"]`)]);
    expect((await readFile((await png.path())!)).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // Redrawn at its new size when its box changes.
    const before = Number(await page.getAttribute(`${card} .chart svg`, 'width'));
    await page.setViewportSize({ width: 900, height: 900 });
    await page.waitForFunction((w) => Number((document.querySelector('[data-card="customer_history"] .chart svg') as El).getAttribute('width')) !== w, before);
    expect(Number(await page.getAttribute(`${card} .chart svg`, 'width'))).toBe(await page.$eval(`${card} .chart`, (c) => (c as unknown as { clientWidth: number }).clientWidth));
    await page.close();
    expect(d.problems).toEqual([]);
  });

  it('payments card: every payment newest first as the ledger has it, N of M with the export of all', async () => {
    // The customer of the test lake with the most payments (more than the 50 the card lists).
    const id = 'C000027';
    const all = await (await fetch(`${d.server.url}api/slices/customer_payments?customer_id=${id}&limit=10000`)).json() as { rows: Cells[]; total_rows: number };
    expect(all.total_rows, 'more payments than the card lists').toBeGreaterThan(50);
    const page = await d.open(`/customers/${id}`);
    const card = '[data-card="customer_payments"]';
    const table = await d.tableOf(page, 'customer_payments');
    expect(table).toEqual(all.rows.slice(0, 50).map((r) => [r.payment_date, r.payment_id, r.amount, r.currency].map(String)));
    const dates = table.map((r) => r[0]!);
    expect(dates).toEqual([...dates].sort().reverse());
    // Shown as people read them: a date and an amount in euros.
    const first = await page.$$eval(`${card} tbody tr:first-child td`, (tds) => tds.map((td) => td.textContent ?? ''));
    expect(first[0]).toBe(String(all.rows[0]!.payment_date).split('-').reverse().join('/'));
    expect(first[2]).toMatch(/^€\s?[\d,]+\.\d{2}$/);
    expect(await page.getAttribute(`${card} .truncated`, 'data-total')).toBe(String(all.total_rows));
    expect(await page.textContent(`${card} .truncated`)).toContain(`50 of ${all.total_rows}`);
    const csv = await (await fetch(new URL((await page.getAttribute(`${card} .truncated a[data-action="export-csv"]`, 'href'))!, d.server.url))).text();
    const parsed = parseCsv(csv.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    expect(parsed.length - 1, 'the export holds every payment').toBe(all.total_rows);
    await page.close();
    expect(d.problems).toEqual([]);
  });

  it('dunning, collection and write-off history: every event of the customer, newest first, write-offs with their amount and reason', async () => {
    // A customer of the test lake with a write-off (the API asked per customer: no id hard-coded).
    const ids = Array.from({ length: 80 }, (_, i) => `C${String(i + 1).padStart(6, '0')}`);
    const answers = await Promise.all(ids.map(async (id) => ({ id, res: await (await fetch(`${d.server.url}api/slices/customer_actions?customer_id=${id}&limit=50`)).json() as { rows: Cells[]; total_rows: number } })));
    const withWriteOff = answers.find((a) => a.res.rows.some((r) => r.event === 'write_off'));
    expect(withWriteOff, 'the test lake has a customer with a write-off').toBeTruthy();
    const { id, res } = withWriteOff!;
    const page = await d.open(`/customers/${id}`);
    const card = '[data-card="customer_actions"]';
    const keys = await page.$$eval(`${card} thead th`, (ths) => ths.map((th) => th.getAttribute('data-key')!));
    const table = await d.tableOf(page, 'customer_actions');
    expect(table.length).toBe(res.rows.length);
    const col = (k: string) => table.map((r) => r[keys.indexOf(k)]!);
    expect(col('event_date')).toEqual(res.rows.map((r) => r.event_date));
    expect(col('event_date')).toEqual([...col('event_date')].sort().reverse());
    expect(col('amount')).toEqual(res.rows.map((r) => (r.amount === null ? '' : String(r.amount))));
    // The write-off's row: its reason in words, not the raw code.
    const w = res.rows.findIndex((r) => r.event === 'write_off');
    const shown = await page.$$eval(`${card} tbody tr`, (trs, w) => [...(trs[w] as unknown as { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null; textContent: string | null }> }).querySelectorAll('td')].map((td) => [td.getAttribute('data-key'), td.textContent ?? '']), w);
    const cell = (k: string) => shown.find(([key]) => key === k)?.[1] ?? '';
    expect(cell('event')).toMatch(/write-off/i);
    expect(cell('detail')).not.toMatch(/_/);
    expect(cell('amount')).toMatch(/^€\s?[\d,]+\.\d{2}$/);
    await page.close();
    expect(d.problems).toEqual([]);
  });

  it('a customer page, cold, builds no Intl formatter: its numbers and dates are written by hand (dashboards-format-browser proves them equal)', async () => {
    const context = await d.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Counts every Intl formatter the page builds: the first loads ICU's data, 20-40 ms of a cold page.
    await page.addInitScript({
      content: `window.__intlBuilt = [];
        for (const name of ['NumberFormat', 'DateTimeFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat']) {
          const Real = Intl[name];
          Intl[name] = new Proxy(Real, { construct(target, args) { window.__intlBuilt.push(name); return Reflect.construct(target, args); }, apply(target, self, args) { window.__intlBuilt.push(name); return Reflect.apply(target, self, args); } });
        }
        for (const [proto, method] of [[Number.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleString'], [Date.prototype, 'toLocaleDateString'], [String.prototype, 'localeCompare']]) {
          const real = proto[method];
          proto[method] = function (...args) { window.__intlBuilt.push(method); return real.apply(this, args); };
        }`,
    });
    for (const lang of ['en', 'nl']) {
      await page.goto(new URL(`/customers/C000003?lang=${lang}`, d.server.url).href);
      await d.settled(page);
      expect(await page.locator('[data-card="customer_open_items"] tbody tr').count()).toBeGreaterThan(0);
      expect(await page.evaluate('window.__intlBuilt'), lang).toEqual([]);
    }
    await context.close();
  });
});
