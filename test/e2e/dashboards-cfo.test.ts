import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasChromium, useDashboards, parseCsv } from '../support/dashboards-browser.js';
import { parseConfig } from '../../src/config/config.js';
import { settingsFromConfig } from '../../src/serve/settings.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { cli } from '../helpers/cli.js';

type Cells = Record<string, string | number | null>;
const cents = (v: unknown) => Math.round(Number(v) * 100);
/** dd/mm/yyyy, as the English pages write dates. */
const enDate = (iso: string) => iso.split('-').reverse().join('/');

/** The dashboards in Debian's chromium on a generated and built lake: CFO page: filters and URL state, CSV export, Dutch formats, aging shares, cut lists, ignored filters. */
describe.skipIf(!hasChromium)('dashboards in chromium: cfo', () => {
  const d = useDashboards();

  it('filters change the numbers and the URL, and the URL restores the view', async () => {
    const page = await d.open('/cfo');
    await page.click('[data-card="dso_trend"] [data-action="table"]');
    const before = await d.tableOf(page, 'dso_trend');
    const segment = await page.$eval('select[data-filter="segment"] option:nth-child(2)', (o) => (o as unknown as { value: string }).value);
    await page.selectOption('select[data-filter="segment"]', segment);
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('segment')).toBe(segment);
    await page.click('[data-card="dso_trend"] [data-action="table"]');
    const after = await d.tableOf(page, 'dso_trend');
    expect(after.length).toBe(before.length);
    expect(after).not.toEqual(before);

    await page.selectOption('select[data-filter="period"]', '6m');
    await d.settled(page);
    const shared = page.url();
    expect(shared).toContain('period=6m');
    await page.click('[data-card="dso_trend"] [data-action="table"]');
    const view = await d.tableOf(page, 'dso_trend');
    expect(view).toHaveLength(6);

    const colleague = await d.open(shared);
    expect(await colleague.$eval('select[data-filter="segment"]', (s) => (s as unknown as { value: string }).value)).toBe(segment);
    expect(await colleague.$eval('select[data-filter="period"]', (s) => (s as unknown as { value: string }).value)).toBe('6m');
    await colleague.click('[data-card="dso_trend"] [data-action="table"]');
    expect(await d.tableOf(colleague, 'dso_trend')).toEqual(view);

    await page.goBack();
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('period')).toBeNull();
    await colleague.close();
    await page.close();
  });

  it('CSV export holds exactly the rows and values of the table', async () => {
    const page = await d.open('/cfo?aging_mode=pct');
    for (const card of ['aging_trend', 'top_overdue']) {
      const toggle = page.locator(`[data-card="${card}"] [data-action="table"]`);
      if (await toggle.count()) await toggle.click();
      const cells = await d.tableOf(page, card);
      const headers = await page.$$eval(`[data-card="${card}"] thead th`, (ths) => ths.map((th) => th.textContent ?? ''));
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-card="${card}"] [data-action="csv"]`)]);
      const csv = parseCsv(readFileSync((await download.path())!, 'utf8'));
      expect(csv[0]).toEqual(headers);
      expect(csv.slice(1)).toEqual(cells);
      expect(cells.length).toBeGreaterThan(0);
    }
    // Sorting the table re-orders the CSV the same way.
    await page.click('[data-card="top_overdue"] thead th[data-key="max_days_past_due"] button');
    const sorted = await d.tableOf(page, 'top_overdue');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-card="top_overdue"] [data-action="csv"]')]);
    const rows = parseCsv(readFileSync((await dl.path())!, 'utf8')).slice(1);
    expect(rows).toEqual(sorted);
    expect(await page.getAttribute('[data-card="top_overdue"] thead th[data-key="max_days_past_due"]', 'aria-sort')).toBe('descending');
    await page.close();
  });

  it('Dutch locale formats numbers, money and dates the Dutch way', async () => {
    const page = await d.open('/cfo?lang=nl');
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

  it('aging in percent: aged debit buckets add to 100 %, unapplied cash apart; cut lists say N of M and export every row', async () => {
    const page = await d.open('/cfo?aging_mode=pct');
    await page.click('[data-card="aging_trend"] [data-action="table"]');
    const keys = await page.$$eval('[data-card="aging_trend"] thead th', (ths) => ths.map((th) => th.getAttribute('data-key')!));
    const cells = await d.tableOf(page, 'aging_trend');
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
    const api = await (await fetch(`${d.server.url}api/slices/top_overdue`)).json() as { rows: unknown[]; total_rows: number };
    if (api.total_rows > api.rows.length) {
      expect(await truncated.textContent()).toContain(`${api.rows.length} of ${api.total_rows}`);
      const href = (await truncated.locator('a[data-action="export-csv"]').getAttribute('href'))!;
      const csv = parseCsv(await (await fetch(new URL(href, d.server.url))).text());
      expect(csv.length - 1).toBe(api.total_rows);
    } else expect(await truncated.count()).toBe(0);
    await page.close();
  });

  it('a filter a card cannot apply is named on the card; pages drop filters they do not show', async () => {
    const metaRes = await (await fetch(`${d.server.url}api/meta`)).json() as { filters: { segment: string[]; country: string[] } };
    const page = await d.open(`/cfo?segment=${encodeURIComponent(metaRes.filters.segment[0]!)}&country=${metaRes.filters.country[0]}`);
    // Grouped marts hold one dimension at a time: the tiles and trends name the country filter they skip;
    // customer lists apply both.
    expect(await page.getAttribute('[data-card="cfo_kpis"]', 'data-ignored')).toBe('Country');
    expect(await page.locator('[data-card="cfo_kpis"] .ignored').textContent()).toMatch(/Not filtered by Country/);
    expect(await page.locator('[data-card="top_overdue"] .ignored').count()).toBe(0);
    // The 13-week forecast is made for the whole portfolio: the filtered tile says so, not "not built".
    expect(await page.getAttribute('[data-kpi="expected_cash_13w"] .na', 'data-reason')).toBe('whole_portfolio');
    expect(await page.textContent('[data-kpi="expected_cash_13w"] .na')).toBe('Whole portfolio only: clear the filters to see it');
    await page.click('nav a[data-page="collections"]');
    await d.settled(page);
    const url = new URL(page.url());
    expect(url.searchParams.get('segment')).toBeNull();
    expect(url.searchParams.get('country')).toBeNull();
    await page.close();
  });

  it('cash: the back-test sets the forecast made at one month end against the cash received on the items open then, and says so', async () => {
    const api = await (await fetch(`${d.server.url}api/slices/cash_vs_forecast`)).json() as { rows: Cells[]; meta: { backtest_forecast_date: string; ahead_forecast_date: string } };
    const F = api.meta.backtest_forecast_date;
    const ahead = api.meta.ahead_forecast_date;
    expect(F < ahead).toBe(true);
    const page = await d.open('/cfo');
    const card = '[data-card="cash_vs_forecast"]';
    expect(await page.textContent(`${card} h2`)).toBe('Cash forecast: back-test and the weeks ahead');
    // Received and forecast of the back-test name the same date: like with like; the forecast ahead names its own.
    const legend = await page.$$eval(`${card} svg text`, (ts) => ts.map((t) => t.textContent ?? ''));
    expect(legend).toEqual(expect.arrayContaining([`Received on items open at ${enDate(F)}`, `Forecast made at ${enDate(F)}`, `Forecast made at ${enDate(ahead)}`]));
    const note = (await page.textContent(`${card} .notes`))!;
    expect(note).toContain(`forecast made at ${enDate(F)}`);
    expect(note).toContain('not total receipts');
    // Each back-test week carries both series; the weeks ahead only the forecast made at the as-of month end.
    const back = api.rows.filter((r) => r.phase === 'backtest');
    const next = api.rows.filter((r) => r.phase === 'ahead');
    expect(back).toHaveLength(13);
    expect(next).toHaveLength(13);
    for (const r of back) expect([typeof r.received_on_items, typeof r.forecast_backtest, r.forecast_ahead]).toEqual(['string', 'string', null]);
    for (const r of next) expect([r.received_on_items, r.forecast_backtest, typeof r.forecast_ahead]).toEqual([null, null, 'string']);
    // Received on the items open at F is of the same order as what was forecast for them (no collapse).
    const received = back.reduce((a, r) => a + cents(r.received_on_items), 0);
    const forecast = back.reduce((a, r) => a + cents(r.forecast_backtest), 0);
    expect(received / forecast).toBeGreaterThan(0.5);
    expect(received / forecast).toBeLessThan(2);
    await page.click(`${card} [data-action="table"]`);
    const rows = await d.tableOf(page, 'cash_vs_forecast');
    expect(rows).toHaveLength(26);
    await page.close();
  });

  it('expected cash is measured against the invoices it comes from, never more than they hold; open AR shows its debit and credit sides', async () => {
    const api = await (await fetch(`${d.server.url}api/slices/cfo_kpis`)).json() as { rows: Cells[] };
    const tile = (k: string) => api.rows.find((r) => r.kpi === k)!;
    const open = tile('open_ar');
    const expected = tile('expected_cash_13w');
    expect(cents(open.value)).toBe(cents(open.debit_ar) + cents(open.credit_balances));
    expect(expected.debit_ar).toBe(open.debit_ar);
    expect(cents(expected.value)).toBeGreaterThan(0);
    expect(cents(expected.value)).toBeLessThanOrEqual(cents(expected.debit_ar));
    const page = await d.open('/cfo');
    const exact = (k: string) => page.getAttribute(`[data-kpi="${k}"] .value`, 'title').then((t) => cents(t!.replace(/[^\d.-]/g, '')));
    expect(await exact('expected_cash_13w')).toBe(cents(expected.value));
    expect(await exact('expected_cash_13w')).toBeLessThanOrEqual(cents(open.debit_ar));
    const pct = ((100 * cents(expected.value)) / cents(expected.debit_ar)).toFixed(1);
    expect(await page.textContent('[data-kpi="expected_cash_13w"] .basis')).toMatch(new RegExp(`^${pct.replace('.', '\\.')}% of the €[\\d.]+[km]? invoices open at month end \\(open AR is net of unapplied cash\\)$`));
    expect(await page.textContent('[data-kpi="open_ar"] .basis')).toMatch(/^€[\d.]+[km]? invoices open, -?€[\d.]+[km]? unapplied cash and credit balances$/);
    const nl = await d.open('/cfo?lang=nl');
    expect((await nl.textContent('[data-kpi="expected_cash_13w"] .basis'))!.replace(/\u00a0/g, ' ')).toMatch(/van de € [\d,.]+ ?(mln|mld|k|dzd)?\.? openstaande facturen/);
    await nl.close();
    await page.close();
  });

  describe('KPI targets from the config', () => {
    let server: RunningServer;
    beforeAll(async () => {
      const config = parseConfig({ targets: { dso_days: 38, overdue_pct: 10, cei_pct: null } });
      server = await startServer({ lakeRoot: d.lake, port: 0, prewarm: false, settings: settingsFromConfig(config) });
    });
    afterAll(async () => server?.close());

    it('are drawn on the tiles and the DSO trend line; a null target is not shown', async () => {
      const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(new URL('/cfo', server.url).href);
      await d.settled(page);
      const dso = (await page.textContent('[data-kpi="dso"]'))!;
      expect(dso).toMatch(/[✓✗] Target 38\.0 \((on|off) target\)/);
      const dsoValue = Number((await page.getAttribute('[data-kpi="dso"] .value', 'title'))!.replace(/,/g, ''));
      expect(dso).toContain(dsoValue <= 38 ? '✓ Target 38.0 (on target)' : '✗ Target 38.0 (off target)');
      expect(await page.textContent('[data-kpi="overdue_pct"]')).toMatch(/Target 10\.0%/);
      expect(await page.textContent('[data-kpi="cei"]')).not.toMatch(/Target/);
      const svg = await page.$$eval('[data-card="dso_trend"] svg text', (ts) => ts.map((t) => t.textContent ?? ''));
      expect(svg).toContain('DSO target: 38 days');
      expect(await page.getAttribute('[data-card="dso_trend"] .chart', 'aria-label')).toMatch(/DSO target 38 days\.$/);
      await page.click('[data-card="dso_trend"] [data-action="table"]');
      const keys = await page.$$eval('[data-card="dso_trend"] thead th', (ths) => ths.map((th) => th.getAttribute('data-key')));
      const col = keys.indexOf('dso_target');
      expect(col).toBeGreaterThan(0);
      for (const row of await d.tableOf(page, 'dso_trend')) expect(row[col]).toBe('38');
      await page.close();
    });

    it('an invalid target stops serve with exit 2, naming the key', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'creditlake-targets-'));
      try {
        writeFileSync(join(dir, 'creditlake.config.json'), JSON.stringify({ targets: { overdue_pct: 150 } }));
        const bad = await cli(dir, 'serve', '--lake', d.lake, '--port', '0');
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/targets\.overdue_pct/);
        writeFileSync(join(dir, 'creditlake.config.json'), JSON.stringify({ targets: { dso: 45 } }));
        const unknown = await cli(dir, 'serve', '--lake', d.lake, '--port', '0');
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/targets.*dso/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
