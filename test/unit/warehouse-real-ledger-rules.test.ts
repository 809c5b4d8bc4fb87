/**
 * One hand-computed fixture per real-ledger rule of issue 11 (docs/metrics.md): credit balances aged
 * apart from the overdue buckets with the percentages on debit balances, a partial last month's DSO
 * on its days elapsed, recoveries of written-off debt (net write-offs, gross and net bad-debt
 * ratio, the document never below zero), and a foreign payment's allocations rounded together
 * (no phantom unapplied cent, realised FX apart from unpaid, settled in its own currency).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, configWith, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';

const writeOff = (document_id: string, customer_id: string, write_off_date: string, amount: string, reason = 'uncollectable') => ({
  document_id, customer_id, write_off_date, amount, reason,
});

describe('credit-balance ageing', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture({
      customers: [customer('C1')],
      invoices: [
        invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00'),
        // credited by more than the invoice: the customer is owed 300
        invoice('CN1', 'C1', '2024-01-20', '2024-01-20', '-1300.00', { corrects_document_id: 'I1' }),
        // a credit note naming no invoice (as Exact, AFAS, SAP and Twinfield export them)
        invoice('CN2', 'C1', '2024-01-15', '2024-01-15', '-500.00'),
        invoice('I2', 'C1', '2024-01-02', '2024-01-20', '400.00'),
        invoice('I3', 'C1', '2024-01-25', '2024-02-24', '200.00'),
      ],
      // I2 overpaid by 200, all of it allocated to I2
      payments: [payment('P1', 'C1', '2024-02-10', '600.00')],
      payment_allocations: [allocation('P1', 'I2', '600.00')],
    }, configWith({ extract_date: '2024-02-29' }));
  });

  it('passes every data test, credit_balances_apart among them', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toEqual(expect.arrayContaining(['credit_balances_apart', 'ar_reconciles_to_ledger']));
  });

  it('ages negative documents in the credit balance bucket, never as negative overdue amounts', async () => {
    const rows = await f.query(`SELECT CAST(as_of_date AS VARCHAR) AS d, bucket, CAST(open_amount AS VARCHAR) AS a, open_count AS n, pct_of_debit_ar AS pct
      FROM ar_aging WHERE segment = 'ALL' AND open_count > 0 ORDER BY 1, bucket_order`);
    expect(rows.map((r) => ({ ...r, n: Number(r.n), pct: r.pct === null ? null : Math.round(Number(r.pct) * 100) / 100 }))).toEqual([
      // 31 Jan: I3 200 not due, I2 400 11 days overdue; I1 (−300) and CN2 (−500) are owed to the customer
      { d: '2024-01-31', bucket: 'not due', a: '200.00', n: 1, pct: 33.33 },
      { d: '2024-01-31', bucket: '1-14', a: '400.00', n: 1, pct: 66.67 },
      { d: '2024-01-31', bucket: 'credit balance', a: '-800.00', n: 2, pct: null },
      // 29 Feb: I3 5 days overdue; I2 overpaid by 200 joins the credit balances
      { d: '2024-02-29', bucket: '1-14', a: '200.00', n: 1, pct: 100 },
      { d: '2024-02-29', bucket: 'credit balance', a: '-1000.00', n: 3, pct: null },
    ]);
  });

  it('computes % current and overdue AR on debit balances; net AR keeps the credit balances', async () => {
    const rows = await f.query(`SELECT CAST(month AS VARCHAR) AS m, CAST(ar_end AS VARCHAR) AS ar, CAST(debit_ar_end AS VARCHAR) AS debit,
      CAST(credit_balances_end AS VARCHAR) AS credit, CAST(overdue_ar_end AS VARCHAR) AS overdue, pct_current
      FROM dso_monthly WHERE segment = 'ALL' ORDER BY 1`);
    expect(rows.map((r) => ({ ...r, pct_current: Math.round(Number(r.pct_current) * 100) / 100 }))).toEqual([
      { m: '2024-01-01', ar: '-200.00', debit: '600.00', credit: '-800.00', overdue: '400.00', pct_current: 33.33 },
      { m: '2024-02-01', ar: '-800.00', debit: '200.00', credit: '-1000.00', overdue: '200.00', pct_current: 0 },
    ]);
  });
});

describe('partial last month: DSO on the days elapsed', () => {
  const ledger = {
    customers: [customer('C1')],
    invoices: [
      invoice('I1', 'C1', '2024-01-10', '2024-02-09', '3100.00'),
      invoice('I2', 'C1', '2024-02-12', '2024-03-13', '2900.00'),
      invoice('I3', 'C1', '2024-03-01', '2024-03-11', '1000.00'),
      invoice('I4', 'C1', '2024-03-15', '2024-03-20', '500.00'),
    ],
    payments: [payment('P1', 'C1', '2024-02-09', '3100.00'), payment('P2', 'C1', '2024-03-13', '2900.00')],
    payment_allocations: [allocation('P1', 'I1', '3100.00'), allocation('P2', 'I2', '2900.00')],
  };
  const dso = (f: BuiltFixture) =>
    f.query(`SELECT CAST(month AS VARCHAR) AS m, is_complete, days_elapsed, CAST(ar_end AS VARCHAR) AS ar, dso_period_end, bpdso, pct_current
      FROM dso_monthly WHERE segment = 'ALL' ORDER BY 1`);
  const round2 = (rows: Record<string, unknown>[]) =>
    rows.map((r) => ({ ...r, dso_period_end: Math.round(Number(r.dso_period_end) * 100) / 100, bpdso: Math.round(Number(r.bpdso) * 100) / 100, pct_current: Math.round(Number(r.pct_current) * 100) / 100 }));

  it('an export ending Friday 15 March: March is partial, 15 days; I3 overdue, I4 not due at the data end', async () => {
    const f = await buildFixture(ledger);
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(round2(await dso(f))).toEqual([
      { m: '2024-01-01', is_complete: true, days_elapsed: 31, ar: '3100.00', dso_period_end: 31, bpdso: 31, pct_current: 100 },
      { m: '2024-02-01', is_complete: true, days_elapsed: 29, ar: '2900.00', dso_period_end: 29, bpdso: 29, pct_current: 100 },
      // 1,500 open against 1,500 of March sales over 15 days (31 would read half a month as a whole one)
      { m: '2024-03-01', is_complete: false, days_elapsed: 15, ar: '1500.00', dso_period_end: 15, bpdso: 5, pct_current: 33.33 },
    ]);
  });

  it('an extract date of 20 March (config extract_date) stretches March to 20 days and ages at that date', async () => {
    const f = await buildFixture(ledger, configWith({ extract_date: '2024-03-20' }));
    const march = round2(await dso(f)).at(-1);
    // I4 is due on the 20th itself: still not overdue
    expect(march).toEqual({ m: '2024-03-01', is_complete: false, days_elapsed: 20, ar: '1500.00', dso_period_end: 20, bpdso: 6.67, pct_current: 33.33 });
  });
});

describe('recoveries of written-off debt', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(
      {
        customers: [customer('C1')],
        invoices: [
          invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00'),
          invoice('I2', 'C1', '2024-01-08', '2024-02-07', '500.00'),
          invoice('I4', 'C1', '2024-03-04', '2024-04-03', '1000.00'),
          invoice('I3', 'C1', '2024-04-02', '2024-05-02', '2000.00'),
        ],
        payments: [payment('P1', 'C1', '2024-04-10', '300.00'), payment('P2', 'C1', '2024-05-06', '200.00'), payment('P3', 'C1', '2024-05-02', '2000.00')],
        // P1 is cash on written-off I1 only (a recovery found from the allocation); P2 follows a negative write-off
        payment_allocations: [allocation('P1', 'I1', '300.00'), allocation('P2', 'I2', '200.00'), allocation('P3', 'I3', '2000.00')],
        write_offs: [
          writeOff('I1', 'C1', '2024-03-01', '1000.00'),
          writeOff('I2', 'C1', '2024-03-01', '500.00'),
          writeOff('I2', 'C1', '2024-05-06', '-200.00', 'recovery'),
        ],
      },
      configWith(),
      ['+ar_open_items', '+ar_aging', '+ar_rollforward', '+write_offs_monthly'],
    );
  });

  it('passes every data test', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
  });

  it('never ages a written-off document below zero when cash comes in for it', async () => {
    const rows = await f.query(`SELECT CAST(as_of_date AS VARCHAR) AS d, document_id, CAST(open_amount AS VARCHAR) AS a FROM ar_open_items
      WHERE as_of_date >= DATE '2024-03-31' ORDER BY 1, 2`);
    expect(rows).toEqual([
      { d: '2024-03-31', document_id: 'I4', a: '1000.00' },
      { d: '2024-04-30', document_id: 'I3', a: '2000.00' },
      { d: '2024-04-30', document_id: 'I4', a: '1000.00' },
      { d: '2024-05-31', document_id: 'I4', a: '1000.00' },
    ]);
  });

  it('nets recoveries in write_offs_monthly: gross and net bad-debt ratio', async () => {
    const rows = await f.query(`SELECT CAST(month AS VARCHAR) AS m, CAST(written_off AS VARCHAR) AS gross, CAST(recovered AS VARCHAR) AS rec,
      CAST(net_written_off AS VARCHAR) AS net, CAST(credit_sales AS VARCHAR) AS sales, bad_debt_ratio AS ratio, bad_debt_ratio_net AS ratio_net
      FROM write_offs_monthly WHERE group_by = 'ALL' AND month >= DATE '2024-03-01' ORDER BY 1`);
    expect(rows).toEqual([
      { m: '2024-03-01', gross: '1500.00', rec: '0.00', net: '1500.00', sales: '1000.00', ratio: 1.5, ratio_net: 1.5 },
      { m: '2024-04-01', gross: '0.00', rec: '300.00', net: '-300.00', sales: '2000.00', ratio: 0, ratio_net: -0.15 },
      { m: '2024-05-01', gross: '0.00', rec: '200.00', net: '-200.00', sales: '0.00', ratio: null, ratio_net: null },
    ]);
  });

  it('counts the recovered cash as collected and the recovery against written_off in the roll-forward', async () => {
    const rows = await f.query(`SELECT CAST(month AS VARCHAR) AS m, CAST(collected AS VARCHAR) AS c, CAST(written_off AS VARCHAR) AS w, CAST(ar_end AS VARCHAR) AS e
      FROM ar_rollforward WHERE group_by = 'ALL' AND month >= DATE '2024-03-01' ORDER BY 1`);
    expect(rows).toEqual([
      { m: '2024-03-01', c: '0.00', w: '1500.00', e: '1000.00' },
      { m: '2024-04-01', c: '300.00', w: '-300.00', e: '3000.00' },
      { m: '2024-05-01', c: '2200.00', w: '-200.00', e: '1000.00' },
    ]);
  });
});

describe('a USD payment settling two USD invoices', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    const usd = <T extends object>(r: T) => ({ ...r, currency: 'USD' });
    f = await buildFixture(
      {
        customers: [customer('C1')],
        invoices: [usd(invoice('U1', 'C1', '2024-01-10', '2024-02-09', '100.01')), usd(invoice('U2', 'C1', '2024-01-10', '2024-02-09', '50.00'))],
        payments: [usd(payment('P1', 'C1', '2024-02-05', '150.01'))],
        payment_allocations: [allocation('P1', 'U1', '100.01'), allocation('P1', 'U2', '50.00')],
        fx_rates: [
          { rate_date: '2024-01-10', currency: 'USD', rate: '1.1000' },
          { rate_date: '2024-01-31', currency: 'USD', rate: '1.0800' },
          { rate_date: '2024-02-05', currency: 'USD', rate: '1.1200' },
        ],
      },
      configWith(),
      ['+ar_open_items', '+ar_rollforward', '+ar_ratio_monthly', '+payment_behaviour'],
    );
  });

  it('passes every data test', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
  });

  it('rounds the allocation lines together: 150.01 / 1.12 = 133.94 = 89.29 + 44.65, no unapplied cent', async () => {
    const rows = await f.query(`SELECT document_id, CAST(open_amount AS VARCHAR) AS a FROM ar_open_items WHERE as_of_date = DATE '2024-02-29'`);
    // rounding each line apart gives 89.29 + 44.64 = 133.93 and an unapplied −0.01
    expect(rows).toEqual([]);
    const roll = await f.query(`SELECT CAST(month AS VARCHAR) AS m, CAST(invoiced AS VARCHAR) AS i, CAST(collected AS VARCHAR) AS c, CAST(fx_revaluation AS VARCHAR) AS fx,
      CAST(ar_end AS VARCHAR) AS e FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY 1`);
    // booked 90.92 + 45.45 = 136.37; 31 Jan at 1.08: 92.60 + 46.30 = 138.90 (+2.53); collected 133.94 (−4.96):
    // 2.43 lost in all
    expect(roll).toEqual([
      { m: '2024-01-01', i: '136.37', c: '0.00', fx: '2.53', e: '138.90' },
      { m: '2024-02-01', i: '0.00', c: '133.94', fx: '-4.96', e: '0.00' },
    ]);
  });

  it('reports the realised difference apart from unpaid in ar_ratio_monthly, and both invoices as paid', async () => {
    const ratio = await f.query(`SELECT CAST(sales AS VARCHAR) AS s, CAST(paid AS VARCHAR) AS p, CAST(fx_difference AS VARCHAR) AS fx, CAST(unpaid AS VARCHAR) AS u
      FROM ar_ratio_monthly WHERE invoice_month = DATE '2024-01-01' AND as_of_date = DATE '2024-02-29'`);
    expect(ratio).toEqual([{ s: '136.37', p: '133.94', fx: '2.43', u: '0.00' }]);
    const behaviour = await f.query(`SELECT invoices_settled AS n, mean_days_to_pay AS d FROM payment_behaviour WHERE group_by = 'ALL' AND month = DATE '2024-02-01'`);
    expect(behaviour).toEqual([{ n: '2', d: 26 }]);
  });
});
