import { describe, expect, it, beforeAll } from 'vitest';
import { allocation, buildFixture, configWith, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/*
 * The countback example of metrics.md, as a ledger. Credit sales: April 70,000, May 80,000,
 * June 100,000 (250,000 issued). 38,000 is collected on the April invoice (18,000 in May,
 * 20,000 in June), so AR at 30 June = 250,000 − 38,000 = 212,000 and AR at 31 May =
 * 70,000 + 80,000 − 18,000 = 132,000. At 30 June only the June invoice (due 30 July) is current.
 */
const ledger: FixtureLedger = {
  customers: [customer('C1', 'smb')],
  invoices: [
    invoice('I1', 'C1', '2024-04-10', '2024-05-10', '70000.00'),
    invoice('I2', 'C1', '2024-05-10', '2024-06-14', '80000.00'),
    invoice('I3', 'C1', '2024-06-10', '2024-07-30', '100000.00'),
  ],
  payments: [payment('P1', 'C1', '2024-05-20', '18000.00'), payment('P2', 'C1', '2024-06-20', '20000.00')],
  payment_allocations: [allocation('P1', 'I1', '18000.00'), allocation('P2', 'I1', '20000.00')],
};

const june = (f: BuiltFixture, cols: string) =>
  f.query(`SELECT ${cols} FROM dso_monthly WHERE group_by = 'ALL' AND month = DATE '2024-06-01'`).then((r) => r[0]!);

describe('dso_monthly on the metrics.md countback example', () => {
  let thirty: BuiltFixture;
  let calendar: BuiltFixture;
  beforeAll(async () => {
    thirty = await buildFixture(ledger, configWith({ extract_date: '2024-06-30', dso: { month_days: 'thirty' } }));
    calendar = await buildFixture(ledger, configWith({ extract_date: '2024-06-30' }));
  });

  it('builds cleanly with every data test passing', () => {
    expect(thirty.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(thirty.report.ok).toBe(true);
  });

  it('countback DSO is 30 + 30 + 32,000/70,000 × 30 = 73.71 days with 30-day months', async () => {
    const r = await june(thirty, 'ar_end, credit_sales, dso_countback, countback_months, countback_complete');
    expect(r.ar_end).toBe('212000.00');
    expect(r.credit_sales).toBe('100000.00');
    expect(r.dso_countback as number).toBeCloseTo(73.714286, 5);
    expect(r.countback_months).toBe(3);
    expect(r.countback_complete).toBe(true);
  });

  it('countback uses calendar days by default: 30 (June) + 31 (May) + 32/70 × 30 = 74.71', async () => {
    const r = await june(calendar, 'dso_countback, days_in_month');
    expect(r.days_in_month).toBe(30);
    expect(r.dso_countback as number).toBeCloseTo(74.714286, 5);
  });

  it('countback for May (R 132,000): 30 + 52,000/70,000 × 30 = 52.29; April exhausts exactly: 30', async () => {
    const rows = await thirty.query(
      `SELECT month, dso_countback, countback_complete FROM dso_monthly WHERE group_by = 'ALL' ORDER BY month`,
    );
    expect(rows.map((r) => r.month)).toEqual(['2024-04-01', '2024-05-01', '2024-06-01']);
    expect(rows[0]!.dso_countback as number).toBeCloseTo(30, 9);
    expect(rows[0]!.countback_complete).toBe(true);
    expect(rows[1]!.dso_countback as number).toBeCloseTo(52.285714, 5);
  });

  it('stops after countback_max_months and flags the walk as incomplete', async () => {
    const bounded = await buildFixture(ledger, configWith({ extract_date: '2024-06-30', dso: { month_days: 'thirty', countback_max_months: 2 } }));
    const r = await june(bounded, 'dso_countback, countback_months, countback_complete');
    // June and May consume 180,000 of 212,000: 60 days, R left over.
    expect(r.dso_countback).toBe(60);
    expect(r.countback_months).toBe(2);
    expect(r.countback_complete).toBe(false);
  });

  it('period-end, average-AR and 3-month DSO, BPDSO, ADD, CEI and % current', async () => {
    const r = await june(
      thirty,
      'dso, dso_method, dso_period_end, dso_average_ar, dso_3m, bpdso, avg_days_delinquent, cei, cei_months, pct_current, ar_begin, current_ar_end, overdue_ar_end, dso_change',
    );
    expect(r.ar_begin).toBe('132000.00');
    expect(r.current_ar_end).toBe('100000.00');
    expect(r.overdue_ar_end).toBe('112000.00');
    expect(r.dso_method).toBe('period_end');
    expect(r.dso_period_end as number).toBeCloseTo(63.6, 9); // 212/100 × 30
    expect(r.dso).toBe(r.dso_period_end);
    expect(r.dso_average_ar as number).toBeCloseTo(51.6, 9); // (132 + 212)/2 / 100 × 30
    expect(r.dso_3m as number).toBeCloseTo(76.32, 9); // 212 / 250 × 90
    expect(r.bpdso as number).toBeCloseTo(30, 9); // 100/100 × 30
    expect(r.avg_days_delinquent as number).toBeCloseTo(33.6, 9); // 63.6 − 30
    expect(r.cei as number).toBeCloseTo(15.151515, 5); // (132 + 100 − 212) / (132 + 100 − 100) × 100
    expect(r.cei_months).toBe(1);
    expect(r.pct_current as number).toBeCloseTo(47.169811, 5); // 100/212 × 100
    expect(r.dso_change as number).toBeCloseTo(14.1, 9); // 63.6 − May's 132/80 × 30 = 49.5
  });

  it('3-month DSO is empty until three months of history exist', async () => {
    const rows = await thirty.query(`SELECT dso_3m FROM dso_monthly WHERE group_by = 'ALL' ORDER BY month`);
    expect(rows.map((r) => r.dso_3m)).toEqual([null, null, expect.any(Number)]);
  });

  it('fills dso with the configured method and records it', async () => {
    const cb = await buildFixture(ledger, configWith({ extract_date: '2024-06-30', dso: { month_days: 'thirty', method: 'countback' } }));
    const r = await june(cb, 'dso, dso_method, dso_countback');
    expect(r.dso_method).toBe('countback');
    expect(r.dso).toBe(r.dso_countback);
  });

  it('reports every group with ALL totals; segment rows keep the segment column', async () => {
    const rows = await thirty.query(
      `SELECT group_by, group_value, segment, ar_end FROM dso_monthly WHERE month = DATE '2024-06-01' ORDER BY group_by, group_value`,
    );
    expect(rows).toEqual([
      { group_by: 'ALL', group_value: 'ALL', segment: 'ALL', ar_end: '212000.00' },
      { group_by: 'country', group_value: 'NL', segment: null, ar_end: '212000.00' },
      { group_by: 'sbi_section', group_value: 'unknown', segment: null, ar_end: '212000.00' },
      { group_by: 'score_band', group_value: 'not rated', segment: null, ar_end: '212000.00' },
      { group_by: 'segment', group_value: 'smb', segment: 'smb', ar_end: '212000.00' },
      { group_by: 'size_class', group_value: 'small', segment: null, ar_end: '212000.00' },
    ]);
  });
});
