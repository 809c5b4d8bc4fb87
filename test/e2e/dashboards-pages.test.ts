import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasChromium, useDashboards, PAGES, parseCsv, poison, proxy, rawGet, shotsDir, type El } from '../support/dashboards-browser.js';

declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El>; activeElement: El | null };

/** The dashboards in Debian's chromium on a generated and built lake: every page and the server: load, Host allow-list, hostile names, phone layout in Dutch, theme and keyboard. */
describe.skipIf(!hasChromium)('dashboards in chromium: pages', () => {
  const d = useDashboards();

  it('every page loads without console errors or failed requests, and its charts render', async () => {
    for (const p of PAGES) {
      const before = d.problems.length;
      const t0 = performance.now();
      const page = await d.open(`/${p}`);
      const ms = performance.now() - t0;
      expect(await page.locator('h1').textContent()).toBeTruthy();
      expect(await page.locator('[data-state="error"]').count(), `${p}: a section failed`).toBe(0);
      for (const chart of await page.locator('.chart').all()) {
        expect(await chart.getAttribute('role')).toBe('img');
        expect((await chart.getAttribute('aria-label'))!.length).toBeGreaterThan(10);
        expect(await chart.locator('svg').count()).toBe(1);
      }
      expect(await page.locator('#stamp [data-stamp]').count(), `${p}: data-as-of stamp`).toBe(1);
      // Every card with data exports what it shows: as CSV and as an Excel workbook.
      for (const card of await page.locator('[data-card][data-state="ready"]').all()) {
        const id = await card.getAttribute('data-card');
        expect(await card.locator('[data-action="csv"]').count(), `${p} ${id}: CSV`).toBe(1);
        expect(await card.locator('[data-action="xlsx"]').count(), `${p} ${id}: Excel`).toBe(1);
      }
      if (shotsDir) await page.screenshot({ path: join(shotsDir, `${p}.png`), fullPage: true });
      console.log(`dashboards: /${p} ready in ${ms.toFixed(0)} ms`);
      expect(d.problems.slice(before)).toEqual([]);
      await page.close();
    }
    const cfo = await d.open('/cfo');
    expect(await cfo.locator('.chart').count()).toBeGreaterThanOrEqual(2);
    await cfo.close();
  });

  it('serve answers only its own Host names, and refuses prototype keys with 400', async () => {
    const port = d.server.port;
    const api = `${d.server.url}api/slices/top_overdue`;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) expect((await rawGet(api, host)).status, host).toBe(200);
    for (const host of [`rebind.attacker.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost']) {
      const res = await rawGet(api, host);
      expect(res.status, host).toBe(403);
      expect(res.body).not.toContain('overdue_amount');
    }
    expect((await rawGet(`${d.server.url}cfo`, `evil.example:${port}`)).status).toBe(403);
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      for (const path of ['api/meta', 'api/slices/top_overdue']) {
        const res = await fetch(`${d.server.url}${path}?${key}=1`);
        expect(res.status, `${path}?${key}`).toBe(400);
      }
    }
    expect((await fetch(`${d.server.url}api/slices/top_overdue?__proto__[segment]=x`)).status).toBe(400);
  });

  it('hostile names from the data render as text in tooltips, labels, legends and tables on every chart', async () => {
    const context = await d.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Every slice answer is real, with each text value prefixed by markup a hostile ERP export could carry.
    await context.route(/\/api\/slices\//, (route) => proxy(route, (body) => poison(body), d.problems));
    const page = await context.newPage();
    page.on('pageerror', (e) => d.problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => /\/x$/.test(r.url()) && d.problems.push(`injected image requested: ${r.url()}`));
    let tooltipsWithHostileText = 0;
    const pagesWithHostileTips = new Set<string>();
    const chartKinds = new Set<string>();
    for (const p of PAGES) {
      await page.goto(new URL(`/${p}`, d.server.url).href);
      await d.settled(page);
      for (const chart of await page.locator('.chart').all()) {
        const card = await chart.evaluate((el) => (el as unknown as { closest(s: string): El | null }).closest('[data-card]')?.getAttribute('data-card') ?? '');
        chartKinds.add(card);
        // In view: the mouse reaches only what is on screen.
        await chart.scrollIntoViewIfNeeded();
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
          if (tip.includes('PAY TO NL00HACK') && tip.includes('<b class="pwn"')) (tooltipsWithHostileText++, pagesWithHostileTips.add(p));
        }
      }
      const injected = await page.evaluate(() => (document as unknown as { querySelectorAll(s: string): { length: number } }).querySelectorAll('[data-pwn], .pwn').length);
      expect(injected, `${p}: markup from the data became elements`).toBe(0);
      // Tables and legends carry the name as text too.
      expect(await page.locator('text=PAY TO NL00HACK').count(), p).toBeGreaterThan(0);
    }
    expect(tooltipsWithHostileText, 'hovering showed hostile names as text in tooltips').toBeGreaterThan(3);
    // The customer page's charts are drawn without the chart library: its tooltip (provider names) too.
    expect([...pagesWithHostileTips]).toContain('customers/C000003');
    expect(d.problems).toEqual([]);
    await context.close();
  });

  it('phone (390 px) in Dutch: no page scrolls sideways, labels do not overlap, tables keep their first column, no English or raw enums', async () => {
    const context = await d.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (e) => d.problems.push(`pageerror: ${e.message}`));
    // English the models or the API used to send (alert details, notes, sizes), and any raw enum (snake_case).
    const RAW = new RegExp(
      '\\b(mid_market|small_business|moderate risk|low risk|high risk|not rated|over limit|score dropped|headroom \\d|revenue new|pays \\d+ days|Download|Show table|Loading' +
        '|open AR|common band|score \\d+ ->|per 1,000|bankruptcy rate|customers without|monitored companies|national rate|promises to pay|cost of the action' +
        '|is grouped by|breakdown yet|whole portfolio|still in progress|last complete month|small|medium|large|uncollectable|dispute|phone|court|bankruptcy|suspension of payments)\\b',
    );
    const SNAKE = /\b[a-z]+_[a-z]+(_[a-z]+)*\b/;
    for (const p of PAGES) {
      await page.goto(new URL(`/${p}?lang=nl`, d.server.url).href);
      await d.settled(page);
      const width = await page.evaluate(() => (document as unknown as { documentElement: { scrollWidth: number } }).documentElement.scrollWidth);
      expect(width, `${p}: page wider than the phone`).toBeLessThanOrEqual(390);
      const text = await page.evaluate(() => (document as unknown as { body: { innerText: string } }).body.innerText);
      const raw = RAW.exec(text);
      expect(raw ? text.slice(Math.max(0, raw.index - 80), raw.index + 40) : null, `${p}: English or a raw value on a Dutch page: ${raw ? text.slice(Math.max(0, raw.index - 80), raw.index + 40).replace(/\s+/g, " ") : ""}`).toBeNull();
      const snake = SNAKE.exec(text);
      expect(snake ? text.slice(Math.max(0, snake.index - 60), snake.index + 40) : null, `${p}: a raw enum on a Dutch page`).toBeNull();
      for (const wrap of await page.locator('.table-wrap:visible').all()) {
        const pos = await wrap.locator('tbody tr:first-child td:first-child').evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(td).position).catch(() => 'sticky');
        expect(pos, `${p}: first column sticky`).toBe('sticky');
      }
    }
    // The roll-forward's step names stand upright on a phone instead of overlapping.
    await page.goto(new URL('/cfo?lang=nl', d.server.url).href);
    await d.settled(page);
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
    expect(d.problems).toEqual([]);
  });

  it('theme, keyboard and PNG export', async () => {
    const page = await d.open('/cfo');
    await page.click('#theme-toggle');
    await d.settled(page);
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

    // A chart is drawn once at its size and redrawn when its box changes size.
    const svgWidth = () => page.getAttribute('[data-card="dso_trend"] .chart svg', 'width').then(Number);
    const before = await svgWidth();
    await page.setViewportSize({ width: 900, height: 900 });
    await page.waitForFunction((w) => Number((document.querySelector('[data-card="dso_trend"] .chart svg') as unknown as El).getAttribute('width')) !== w, before);
    const after = await svgWidth();
    expect(after).not.toBe(before);
    expect(after).toBe(await page.$eval('[data-card="dso_trend"] .chart', (c) => (c as unknown as { clientWidth: number }).clientWidth));
    await page.close();
    expect(d.problems).toEqual([]);
  });

  it('every page asks for all its slices at once, named in preload hints so they load beside the script: none waits for another\'s answer', async () => {
    for (const path of ['/cfo', '/marketing', '/risk', '/collections', '/worklist', '/customers/C000003']) {
      const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
      // Every fetch of a slice and the moment its answer is read, in order (the page's own fetch, wrapped).
      await page.addInitScript(() => {
        const w = globalThis as unknown as { fetch: (u: unknown, i?: unknown) => Promise<unknown>; __slices: string[] };
        const real = w.fetch.bind(globalThis);
        w.__slices = [];
        w.fetch = (u, i) => {
          const url = String(u);
          if (!url.includes('/api/slices/')) return real(u, i);
          w.__slices.push(`start ${url}`);
          return real(u, i).then((r) => (w.__slices.push(`end ${url}`), r));
        };
      });
      await page.goto(new URL(path, d.server.url).href);
      await d.settled(page);
      const events = await page.evaluate(() => (globalThis as unknown as { __slices: string[] }).__slices);
      const starts = events.filter((e) => e.startsWith('start'));
      expect(starts.length, path).toBeGreaterThanOrEqual(path === '/worklist' ? 1 : 3);
      expect(events.slice(0, starts.length), path).toEqual(starts);
      // The page names its data requests in preload hints: each is fetched once, while the script
      // still downloads (not after it has run), and the page's own request takes that answer.
      const net = await page.evaluate(() => {
        const g = globalThis as unknown as {
          performance: { getEntriesByType(t: string): { name: string; startTime: number; responseEnd: number; decodedBodySize: number }[] };
          document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null }> };
        };
        return {
          preloads: [...g.document.querySelectorAll('link[rel="preload"][as="fetch"][href^="/api/slices/"]')].map((l) => l.getAttribute('href')!),
          resources: g.performance.getEntriesByType('resource').map((r) => ({ path: r.name.replace(/^https?:\/\/[^/]+/, ''), start: r.startTime, end: r.responseEnd, size: r.decodedBodySize })),
        };
      });
      const asked = starts.map((e) => e.slice('start '.length).replace(/^https?:\/\/[^/]+/, ''));
      expect(new Set(net.preloads), path).toEqual(new Set(asked));
      const app = net.resources.find((r) => r.path === '/assets/app.js')!;
      for (const url of new Set(asked)) {
        const fetched = net.resources.filter((r) => r.path === url);
        expect(fetched.length, `${path}: ${url} fetched once`).toBe(1);
        expect(fetched[0]!.start, `${path}: ${url} requested before the script had arrived`).toBeLessThan(app.end);
      }
      // The chart library is a chunk of its own (the page's data shows while it compiles), preloaded
      // by the pages that draw with it; the customer page (plain SVG charts) and the worklist (a
      // table) neither download nor compile it.
      expect(app.size, 'app.js without ECharts').toBeLessThan(200_000);
      const plain = path === '/worklist' || path.startsWith('/customers/');
      expect(net.resources.some((r) => r.path.endsWith('.js') && r.size > 400_000), `${path}: the ECharts chunk ${plain ? 'not ' : ''}loaded`).toBe(!plain);
      await page.close();
    }
  });

  it('every cut list on every page says N of M and links the export of every row', async () => {
    const meta = await (await fetch(`${d.server.url}api/meta`)).json() as { slices: Record<string, { exportable: boolean }> };
    for (const path of ['/cfo', '/marketing', '/risk', '/collections', '/worklist', '/customers/C000003']) {
      const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
      // The test lake's lists are short: each list the page gets is made to say 1,000 more rows matched.
      const cut = new Map<string, number>();
      await page.route('**/api/slices/**', async (route) => {
        const res = await route.fetch();
        const slice = new URL(route.request().url()).pathname.split('/').pop()!;
        const body = await res.json() as { status: string; rows?: unknown[]; total_rows?: number };
        if (body.status === 'ok' && meta.slices[slice]?.exportable && body.rows!.length) {
          body.total_rows = body.rows!.length + 1000;
          cut.set(slice, body.rows!.length);
        }
        await route.fulfill({ response: res, json: body });
      });
      await page.goto(new URL(path, d.server.url).href);
      await d.settled(page);
      const notes = await page.$$eval('.truncated', (ps) => ps.map((p) => ({
        shown: Number(p.getAttribute('data-shown')), total: Number(p.getAttribute('data-total')), text: p.textContent ?? '',
        csv: p.querySelector('a[data-action="export-csv"]')?.getAttribute('href') ?? '', xlsx: p.querySelector('a[data-action="export-xlsx"]')?.getAttribute('href') ?? '',
      })));
      const slices = new Set(notes.map((n) => /\/api\/export\/([a-z0-9_]+)\.csv/.exec(n.csv)?.[1]));
      expect([...slices].sort(), path).toEqual([...cut.keys()].sort());
      for (const n of notes) {
        expect(n.total, path).toBe(n.shown + 1000);
        expect(n.text, path).toContain(`${n.shown.toLocaleString('en-GB')} of ${n.total.toLocaleString('en-GB')}`);
        expect(n.xlsx, path).toBe(n.csv.replace('.csv', '.xlsx'));
        expect(n.csv, path).not.toContain('limit=');
      }
      await page.close();
    }
  });

  it('a long list lays out 100 rows at a time; every row stays a click away and in the CSV', async () => {
    const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    // The test lake's lists are short: the priority list is repeated to 250 rows (ids kept apart).
    await page.route('**/api/slices/priority_list*', async (route) => {
      const res = await route.fetch();
      const body = await res.json() as { rows: Record<string, unknown>[]; total_rows: number };
      const base = body.rows;
      body.rows = Array.from({ length: 250 }, (_, i) => ({ ...base[i % base.length]!, priority_rank: i + 1, customer_id: `X${String(i).padStart(4, '0')}` }));
      body.total_rows = 250;
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(new URL('/marketing', d.server.url).href);
    await d.settled(page);
    const card = '[data-card="priority_list"]';
    const ids = () => page.$$eval(`${card} tbody td[data-key="customer_id"]`, (tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(await ids()).toHaveLength(100);
    expect(await page.textContent(`${card} .pager .range`)).toBe('Rows 1–100 of 250');
    expect(await page.isDisabled(`${card} [data-action="prev-page"]`)).toBe(true);
    await page.click(`${card} [data-action="next-page"]`);
    expect((await ids())[0]).toBe('X0100');
    await page.click(`${card} [data-action="next-page"]`);
    expect(await ids()).toHaveLength(50);
    expect(await page.textContent(`${card} .pager .range`)).toBe('Rows 201–250 of 250');
    expect(await page.isDisabled(`${card} [data-action="next-page"]`)).toBe(true);
    // Sorting sorts all rows and starts again at the first page.
    await page.click(`${card} thead th[data-key="priority_rank"] button`);
    expect((await ids())[0]).toBe('X0249');
    await page.click(`${card} [data-action="all-rows"]`);
    const all = await ids();
    expect(all).toHaveLength(250);
    expect(await page.isHidden(`${card} .pager`)).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${card} [data-action="csv"]`)]);
    const csv = parseCsv(readFileSync((await download.path())!, 'utf8'));
    const col = csv[0]!.indexOf(await page.textContent(`${card} thead th[data-key="customer_id"]`) ?? '');
    expect(csv.slice(1).map((r) => r[col])).toEqual(all);
    const nl = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await nl.route('**/api/slices/priority_list*', async (route) => {
      const res = await route.fetch();
      const body = await res.json() as { rows: Record<string, unknown>[] };
      body.rows = Array.from({ length: 1200 }, (_, i) => ({ ...body.rows[i % body.rows.length]!, customer_id: `X${i}` }));
      await route.fulfill({ response: res, json: body });
    });
    await nl.goto(new URL('/marketing?lang=nl', d.server.url).href);
    await d.settled(nl);
    expect(await nl.textContent(`${card} .pager`)).toBe('Rijen 1–100 van 1.200VorigeVolgendeAlle 1.200 tonen');
    await nl.close();
    await page.close();
  });
});
