import { describe, expect, it } from 'vitest';
import { readSheet } from '../../src/feeds/xlsx/read.js';
import { hasChromium, useDashboards, unzipText } from '../support/dashboards-browser.js';

/** The dashboards in Debian's chromium on a generated and built lake: collector worklist. */
describe.skipIf(!hasChromium)('dashboards in chromium: worklist', () => {
  const d = useDashboards();

  it('worklist: ranked by the stated rule, filtered by owner, exported to Excel with real numbers', async () => {
    const page = await d.open('/worklist');
    expect(await page.locator('#worklist-rule').textContent()).toMatch(/overdue amount × risk weight/);
    // The canonical tables carry no promises to pay: the list says it cannot flag a broken one.
    expect(await page.locator('[data-card="worklist"] .notes').textContent()).toContain('promises to pay are not in the data: no "promise broken" flag');
    const scores = (await d.tableOf(page, 'worklist')).map((r) => r);
    const header = await page.$$eval('[data-card="worklist"] thead th', (ths) => ths.map((th) => th.getAttribute('data-key')));
    const si = header.indexOf('priority_score');
    expect(scores.length).toBeGreaterThan(0);
    const values = scores.map((r) => Number(r[si]));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    const owner = await page.$eval('select[data-filter="account_manager"] option:nth-child(2)', (o) => (o as unknown as { value: string }).value);
    await page.selectOption('select[data-filter="account_manager"]', owner);
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('account_manager')).toBe(owner);
    const mi = header.indexOf('account_manager');
    const filtered = await d.tableOf(page, 'worklist');
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
    expect(d.problems).toEqual([]);
  });

  it('worklist rows follow the documented rule: weight by band, score, next step and its due date', async () => {
    const meta = await (await fetch(`${d.server.url}api/meta`)).json() as { data_as_of: string };
    const res = await (await fetch(`${d.server.url}api/slices/worklist?limit=1000`)).json() as { rows: Record<string, string | number | null>[]; total_rows: number };
    expect(res.rows.length).toBe(res.total_rows);
    expect(res.rows.length).toBeGreaterThan(5);
    const WEIGHT: Record<string, number> = { 'very low risk': 1, 'low risk': 1.25, 'moderate risk': 1.5, 'high risk': 2, 'very high risk': 3, 'not rated': 1.5 };
    const LADDER = ['reminder', 'dunning_letter', 'phone_call', 'collection_agency', 'legal'];
    const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    for (const r of res.rows) {
      const w = Number(r.risk_weight);
      // Insolvent customers weigh 4 whatever their band.
      expect(w === 4 || w === WEIGHT[String(r.common_band_label)], `${r.customer_id} ${r.common_band_label} ${w}`).toBe(true);
      expect(Number(r.overdue_amount)).toBeGreaterThan(0);
      expect(Number(r.priority_score)).toBeCloseTo(Number(r.overdue_amount) * w * (1 + Number(r.max_days_past_due) / 30), 4);
      const last = r.last_action === null ? -2 : LADDER.indexOf(String(r.last_action));
      const next = last === -2 ? 'reminder' : last === -1 ? 'dunning_letter' : LADDER[Math.min(last + 1, LADDER.length - 1)];
      expect(r.next_step, `${r.customer_id} after ${r.last_action}`).toBe(next);
      expect(r.next_step_due).toBe(r.last_action_date === null ? meta.data_as_of : plusDays(String(r.last_action_date), 14));
      expect(String(r.last_action_date ?? '') <= meta.data_as_of).toBe(true);
    }
  });
});
