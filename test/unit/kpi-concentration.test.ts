import { describe, expect, it } from 'vitest';
import { buildFixture, customer, invoice } from '../helpers/warehouse.js';
import { byKey, kpiConfig } from '../helpers/kpi-ledger.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

const isoMinusDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

describe('open_invoice_counts bucket edges', () => {
  // At 31 Jan 2024, invoice X<d> is d days past due; its amount is (d + 1) × 10.
  const days = [0, 14, 15, 30, 31, 60, 61, 90, 91];
  const asOf = '2024-01-31';
  const ledger: FixtureLedger = {
    customers: [customer('E1')],
    invoices: [
      ...days.map((d) => {
        const due = isoMinusDays(asOf, d);
        return invoice(`X${d}`, 'E1', isoMinusDays(due, 30), due, `${(d + 1) * 10}.00`);
      }),
      // A credit note is not an open invoice.
      invoice('CN', 'E1', '2024-01-02', '2024-01-02', '-75.00'),
    ],
  };
  const counts = async (edges?: number[]) => {
    const f = await buildFixture(ledger, kpiConfig(edges ? { open_invoice_counts: { bucket_edges: edges } } : {}), ['+open_invoice_counts']);
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    return f.query(
      `SELECT bucket, min_days_past_due, max_days_past_due, open_count, open_amount, count_this_or_older, amount_this_or_older
       FROM open_invoice_counts WHERE group_by = 'ALL' AND as_of_date = DATE '${asOf}' ORDER BY bucket_order`,
    );
  };

  it('puts exactly 14, 30, 60, 90 days in the lower bucket and 15, 31, 61, 91 in the next', async () => {
    const rows = await counts();
    expect(rows.map((r) => [r.bucket, r.min_days_past_due, r.max_days_past_due, r.open_count, r.open_amount, r.count_this_or_older, r.amount_this_or_older])).toEqual([
      ['not due', null, 0, '1', '10.00', '9', '4010.00'],
      ['1-14', 1, 14, '1', '150.00', '8', '4000.00'],
      ['15-30', 15, 30, '2', '470.00', '7', '3850.00'],
      ['31-60', 31, 60, '2', '930.00', '5', '3380.00'],
      ['61-90', 61, 90, '2', '1530.00', '3', '2450.00'],
      ['>90', 91, null, '1', '920.00', '1', '920.00'],
    ]);
  });

  it('takes its edges from config open_invoice_counts.bucket_edges', async () => {
    const rows = await counts([30, 60]);
    expect(rows.map((r) => `${r.bucket} ${r.open_count}`)).toEqual(['not due 1', '1-30 3', '31-60 2', '>60 3']);
  });
});

describe('concentration', () => {
  /*
   * January 2024, trailing 12 months (Feb 2023 – Jan 2024): K1 600, K2 500, K3 400, K4 300, K5 200;
   * K6 only a credit (−50, not ranked). K1's 1,000 of January 2023 is outside that window but still
   * open, so open AR is K1 1,600, K2 500, K3 400, K4 300, K5 200 (K6 −50 not ranked).
   */
  const ledger: FixtureLedger = {
    customers: ['K1', 'K2', 'K3', 'K4', 'K5', 'K6'].map((id) => customer(id)),
    invoices: [
      invoice('OLD', 'K1', '2023-01-15', '2023-02-14', '1000.00'),
      ...[600, 500, 400, 300, 200].map((a, i) => invoice(`J${i + 1}`, `K${i + 1}`, '2024-01-10', '2024-02-09', `${a}.00`)),
      invoice('CN6', 'K6', '2024-01-12', '2024-01-12', '-50.00'),
    ],
  };

  it('top 20%, top 10 and HHI of T12M revenue and of open AR', async () => {
    const f = await buildFixture(ledger, kpiConfig(), ['+concentration']);
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    const rows = byKey(await f.query(`SELECT * FROM concentration`), 'month');
    expect(Object.keys(rows)).toHaveLength(13);
    const jan = rows['2024-01-01']!;
    expect(jan).toMatchObject({
      window_months: 12,
      top_fraction: 0.2,
      top_n: 10,
      customers_with_revenue: '5',
      revenue_t12m: '2000.00',
      top_customers_revenue: '1',
      customers_with_open_ar: '5',
      open_ar: '3000.00',
      top_customers_open_ar: '1',
    });
    expect(jan.top_fraction_revenue_share).toBeCloseTo(0.3, 12);
    expect(jan.top_n_revenue_share).toBeCloseTo(1, 12);
    expect(jan.hhi_revenue).toBeCloseTo(900 + 625 + 400 + 225 + 100, 9);
    expect(jan.top_fraction_open_ar_share).toBeCloseTo(1600 / 3000, 12);
    const arShares = [1600, 500, 400, 300, 200].map((a) => (100 * a) / 3000);
    expect(jan.hhi_open_ar).toBeCloseTo(arShares.reduce((s, x) => s + x * x, 0), 9);
    // January 2023: one customer holds everything.
    expect(rows['2023-01-01']).toMatchObject({ window_months: 1, customers_with_revenue: '1', top_fraction_revenue_share: 1, hhi_revenue: 10000 });
    // A month without sales in its window has nothing to rank.
    expect(rows['2023-06-01']).toMatchObject({ customers_with_revenue: '1', revenue_t12m: '1000.00' });
  });

  it('top fraction and N come from config (rounded up, exact decimal)', async () => {
    const f = await buildFixture(ledger, kpiConfig({ concentration: { top_fraction: 0.5, top_n: 2 } }), ['+concentration']);
    const [jan] = await f.query(`SELECT * FROM concentration WHERE month = DATE '2024-01-01'`);
    expect(jan).toMatchObject({ top_fraction: 0.5, top_n: 2, top_customers_revenue: '3' }); // ceil(2.5)
    expect(jan!.top_fraction_revenue_share).toBeCloseTo(1500 / 2000, 12);
    expect(jan!.top_n_revenue_share).toBeCloseTo(1100 / 2000, 12);
    // 0.6 × 5 = 3 exactly: an exact product is not rounded up to 4.
    const g = await buildFixture(ledger, kpiConfig({ concentration: { top_fraction: 0.6 } }), ['+concentration']);
    const [jan6] = await g.query(`SELECT top_customers_revenue FROM concentration WHERE month = DATE '2024-01-01'`);
    expect(jan6!.top_customers_revenue).toBe('3');
  });
});
