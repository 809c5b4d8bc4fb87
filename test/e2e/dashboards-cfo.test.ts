import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { hasChromium, useDashboards, parseCsv } from '../support/dashboards-browser.js';

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
    await page.click('nav a[data-page="collections"]');
    await d.settled(page);
    const url = new URL(page.url());
    expect(url.searchParams.get('segment')).toBeNull();
    expect(url.searchParams.get('country')).toBeNull();
    await page.close();
  });
});
