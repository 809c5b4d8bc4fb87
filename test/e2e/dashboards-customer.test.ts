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
});
