import { describe, expect, it } from 'vitest';
import { hasChromium, useDashboards, type El } from '../support/dashboards-browser.js';

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
    // What the issue lists for the page, as this customer's data has it: limit and its use, priority
    // with its reason, open items with their aging bucket, dunning history, score history per provider.
    for (const f of ['credit_limit', 'open_ar', 'utilisation', 'priority', 'reason', 'common_band_label']) {
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
});
