import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { hasChromium, parseCsv, useDashboards } from '../support/dashboards-browser.js';
import { buildSmallLake } from '../support/small-lake.js';

/*
 * A ledger whose invoices and payments name customers the customer master does not have (an
 * open-items export beside an incomplete debtor list): the grouped marts (int_customer_groups) count
 * them under segment, country and size 'unknown', so every customer list filtered by 'unknown' must
 * list them too, with the amounts the tiles and the aging chart count. Every sixth customer of a
 * generated ledger is taken out of customers.csv before ingest.
 */
const dropped: string[] = [];
function dropFromMaster(dir: string): void {
  const file = join(dir, 'customers.csv');
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const kept = lines.filter((l, i) => {
    if (i % 6 !== 5) return true;
    dropped.push(l.split(',')[0]!);
    return false;
  });
  writeFileSync(file, `${[header, ...kept].join('\n')}\n`);
}

const cents = (v: string | null | undefined) => Math.round(Number(v) * 100);
const sumCents = (values: (string | null | undefined)[]) => values.reduce((a, v) => a + cents(v), 0);

/** The aging chart's table at its last month end: overdue (aged debit buckets) and everything open, in cents. */
async function agingAtLastMonth(page: Page, tableOf: (p: Page, card: string) => Promise<string[][]>) {
  await page.click('[data-card="aging_trend"] [data-action="table"]');
  const keys = await page.$$eval('[data-card="aging_trend"] thead th', (ths) => ths.map((th) => th.getAttribute('data-key')!));
  const rows = await tableOf(page, 'aging_trend');
  const last = rows.reduce((a, r) => (r[0]! > a[0]! ? r : a));
  const at = (k: string) => last[keys.indexOf(k)];
  const overdue = keys.filter((k) => !['as_of_date', 'not due', 'unapplied cash', 'credit balance'].includes(k));
  return { asOf: last[0]!, overdue: sumCents(overdue.map(at)), open: sumCents(keys.filter((k) => k !== 'as_of_date').map(at)) };
}

describe.skipIf(!hasChromium)('dashboards in chromium: customers without a master record under "unknown"', () => {
  const d = useDashboards({ lake: () => buildSmallLake({ customers: 60, months: 13, seed: '11', editLedger: dropFromMaster }) });

  it('the filter offers "unknown" and the lists of each page list the customers the tiles and charts count there', async () => {
    expect(dropped.length).toBe(10);
    const meta = (await (await fetch(`${d.server.url}api/meta`)).json()) as { filters: Record<string, string[]> };
    for (const filter of ['country', 'size', 'segment'] as const) {
      expect(meta.filters[filter], filter).toContain('unknown');
      const page = await d.open(`/cfo?${filter}=unknown`);
      expect(await page.$eval(`select[data-filter="${filter}"]`, (s) => (s as unknown as { value: string }).value)).toBe('unknown');
      const aging = await agingAtLastMonth(page, d.tableOf);
      // The tile and the chart (both grouped marts) count the customers without a master record.
      const openTile = await page.getAttribute('[data-kpi="open_ar"] .value', 'title');
      expect(cents(openTile!.replace(/[^\d.-]/g, '')), `${filter}: open AR tile = aging chart`).toBe(aging.open);
      expect(aging.overdue, `${filter}: the unknown group has overdue AR`).toBeGreaterThan(0);
      // The top-overdue list names exactly those customers, with the overdue AR the chart ages.
      expect(await page.locator('[data-card="top_overdue"] .truncated').count()).toBe(0);
      const ids = await page.$$eval('[data-card="top_overdue"] tbody td[data-key="customer_id"]', (tds) => tds.map((td) => td.getAttribute('data-value')!));
      const overdue = await page.$$eval('[data-card="top_overdue"] tbody td[data-key="overdue_amount"]', (tds) => tds.map((td) => td.getAttribute('data-value')));
      expect(ids.length, `${filter}: top overdue lists customers`).toBeGreaterThan(0);
      for (const id of ids) expect(dropped, `${filter}: ${id} is a customer without a master record`).toContain(id);
      expect(sumCents(overdue), `${filter}: top overdue = aging chart's overdue buckets at ${aging.asOf}`).toBe(aging.overdue);
      // A name-less customer still links to its page.
      const link = page.locator('[data-card="top_overdue"] td[data-key="name"] a').first();
      expect(await link.getAttribute('href')).toBe(`/customers/${ids[0]}`);
      await page.close();

      // The worklist ranks the same customers with the same overdue AR.
      const work = await d.open(`/worklist?${filter}=unknown`);
      const workIds = await work.$$eval('[data-card="worklist"] tbody td[data-key="customer_id"]', (tds) => tds.map((td) => td.getAttribute('data-value')!));
      const workOverdue = await work.$$eval('[data-card="worklist"] tbody td[data-key="overdue_amount"]', (tds) => tds.map((td) => td.getAttribute('data-value')));
      expect([...workIds].sort(), `${filter}: worklist`).toEqual([...ids].sort());
      expect(sumCents(workOverdue)).toBe(aging.overdue);
      await work.close();
    }
    expect(d.problems).toEqual([]);
  });

  it('unfiltered, the lists hold the customers without a master record too: the full export adds up to the aging chart', async () => {
    const page = await d.open('/cfo');
    const aging = await agingAtLastMonth(page, d.tableOf);
    const csv = parseCsv(await (await fetch(`${d.server.url}api/export/top_overdue.csv`)).text());
    const col = csv[0]!.indexOf('overdue_amount');
    expect(col).toBeGreaterThanOrEqual(0);
    expect(sumCents(csv.slice(1).map((r) => r[col]))).toBe(aging.overdue);
    const ids = new Set(csv.slice(1).map((r) => r[csv[0]!.indexOf('customer_id')]));
    expect(dropped.some((id) => ids.has(id))).toBe(true);
    // The customer page of one of them opens, with its open items, and says it has no master record.
    const id = dropped.find((x) => ids.has(x))!;
    const customer = await d.open(`/customers/${id}`);
    expect(await customer.getAttribute('[data-card="customer_profile"]', 'data-state')).toBe('ready');
    expect(await customer.locator('[data-card="customer_open_items"] tbody tr').count()).toBeGreaterThan(0);
    expect(await customer.locator('[data-card="customer_profile"] .notes').textContent()).toContain(`${id} is not in the customer master`);
    await customer.close();
    await page.close();
    expect(d.problems).toEqual([]);
  });
});
