import { describe, expect, it } from 'vitest';
import { hasChromium, useDashboards } from '../support/dashboards-browser.js';

/** The dashboards in Debian's chromium on a generated and built lake: risk page: alerts. */
describe.skipIf(!hasChromium)('dashboards in chromium: risk', () => {
  const d = useDashboards();

  it('risk alerts: most severe first, counts per type, a type filter', async () => {
    const page = await d.open('/risk');
    const reasons = await page.$$eval('[data-card="risk_alerts"] tbody td[data-key="reason"]', (tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(reasons.length).toBeGreaterThan(0);
    const chips = await page.$$eval('[data-card="risk_alerts"] .toggle button', (bs) => bs.map((b) => [b.getAttribute('data-value'), b.textContent]));
    expect(chips.length).toBe(6);
    const res = await (await fetch(`${d.server.url}api/slices/risk_alerts?limit=1000`)).json() as { rows: { reason: string; severity: number; exposure: string | null }[]; meta: { counts: Record<string, number> } };
    const sev = res.rows.map((r) => r.severity);
    expect(sev).toEqual([...sev].sort((a, b) => a - b));
    const total = Object.values(res.meta.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(res.rows.length);
    const present = Object.entries(res.meta.counts).filter(([, n]) => n > 0).map(([k]) => k);
    const pick = present[present.length - 1]!;
    await page.click(`[data-card="risk_alerts"] .toggle button[data-value="${pick}"]`);
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('alert_type')).toBe(pick);
    const filtered = await page.$$eval('[data-card="risk_alerts"] tbody tr', (trs) => trs.length);
    expect(filtered).toBe(Math.min(50, res.meta.counts[pick]!));
    // The type filter is the risk page's own: leaving the page drops it from the URL.
    await page.click('nav a[data-page="cfo"]');
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('alert_type')).toBeNull();
    await page.close();
  });

  it('risk alerts in Dutch: what changed is worded from typed columns, not the English detail line', async () => {
    const res = await (await fetch(`${d.server.url}api/slices/risk_alerts?limit=1000`)).json() as { rows: Record<string, string | number | null>[] };
    const drop = res.rows.find((r) => r.reason === 'score_drop' || r.reason === 'band_worsened');
    expect(drop, 'the demo ledger has a score drop or a worse band').toBeTruthy();
    expect(typeof drop!.value_before).toBe('number');
    expect(typeof drop!.value_after).toBe('number');
    const over = res.rows.find((r) => r.reason === 'over_limit');
    if (over) expect(over.alert_open_ar).toMatch(/^\d+\.\d{2}$/);
    const page = await d.open('/risk?lang=nl');
    const details = await page.$$eval('[data-card="risk_alerts"] tbody td[data-key="detail"]', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(details.length).toBeGreaterThan(0);
    for (const text of details) {
      expect(text).not.toMatch(/open AR|common band|score \d+ ->|per 1,000|bankruptcy|limit \d/);
      expect(text).toMatch(/→|boven limiet|faillissement|surseance|schuldsanering|ontbinding|branche/);
    }
    // The English page words the same alerts in English.
    const en = await d.open('/risk');
    const enDetails = await en.$$eval('[data-card="risk_alerts"] tbody td[data-key="detail"]', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(enDetails.some((t) => /score|risk band|open AR|bankruptcy|industry/.test(t))).toBe(true);
    await en.close();
    await page.close();
    expect(d.problems).toEqual([]);
  });
});
