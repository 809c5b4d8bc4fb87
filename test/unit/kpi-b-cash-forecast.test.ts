import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, configWith, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';
import type { Config } from '../../src/config/config.js';
import type { Row } from '../../src/warehouse/engine.js';
import { openCachedWarehouse } from '../helpers/cached-warehouse.js';

/**
 * Reads an intermediate model of a built fixture. Why not `query`: over the published views DuckDB plans
 * the whole nested view tree of int_cash_forecast_items again (minutes on a loaded 2-core machine for an
 * eight-item ledger); the cached copies bind against tables, as the build itself does.
 */
async function queryIntermediate(g: BuiltFixture, sql: string): Promise<Row[]> {
  const engine = await openCachedWarehouse(g.report.warehouse);
  try {
    return (await engine.query(sql)).rows;
  } finally {
    await engine.close();
  }
}

type Paid = [doc: string, customer: string, invoiceDate: string, due: string, amount: string, paid: string];

/** Invoices paid in full by one payment each. */
function paidInvoices(list: Paid[]): Pick<FixtureLedger, 'invoices' | 'payments' | 'payment_allocations'> {
  return {
    invoices: list.map(([d, c, i, due, a]) => invoice(d, c, i, due, a)),
    payments: list.map(([d, c, , , a, p]) => payment(`P-${d}`, c, p, a)),
    payment_allocations: list.map(([d, , , , a]) => allocation(`P-${d}`, d, a)),
  };
}

/*
 * Forecast at F = 2024-04-30 (the last month end with data), worked by hand (docs/metrics.md):
 *   A (smb) paid 100 10 days late, 300 20 late, 100 10 late → own delay (1,000 + 6,000 + 1,000) / 500 = 16.
 *       A4 1,000 due 10 May → 26 May, week 4.  A5 400 due 25 Jan: 96 days past due → stale, p 0.4 → 160,
 *       expected date 25 Jan + 16 is past → F + 7 = 7 May, week 1.
 *   M (ent) paid on 25 Jan, Mon 26 Feb (the 25th a Sunday), 25 Mar: a monthly run on the 25th; delay 16/3 → 5.
 *       M4 600 due 1 Jun → 6 Jun → nearest run: 25 May is a Saturday → Mon 27 May (10 days) beats 25 Jun; week 4.
 *   W (smb) paid three times on a Friday: a weekly run; delay (600 + 200 + 1,400) / 600 = 3.67 → 4.
 *       W4 800 due Tue 30 Apr → Sat 4 May → nearest Friday 3 May; week 1.
 *   D (ent) one payment, 2 days early: too little history → segment ent (D + M: 4 payments)
 *       (−400 + 1,600) / 500 = 2.4 → 2. D2 250 due 30 Apr → 2 May, week 1.  B (ent, new) B1 500 due 15 May → 17 May, week 3.
 *   E (segment other, new, no segment history) → portfolio (8,000 − 400 + 1,600 + 2,200) / 1,600 = 7.125 → 7.
 *       E1 50 due 25 May → 1 Jun, week 5.
 *   S (smb) never paid, 700 due 9 Feb: 81 days past due and no payment in 60 days → stopped paying, p 0.
 * Weeks: 1 = 1,210 (A5 160, D2 250, W4 800, S1 0); 3 = 500; 4 = 1,600; 5 = 50; total 3,360.
 */
const forecastLedger: FixtureLedger = (() => {
  const paid = paidInvoices([
    ['A1', 'A', '2024-01-05', '2024-02-04', '100.00', '2024-02-14'],
    ['A2', 'A', '2024-02-05', '2024-03-06', '300.00', '2024-03-26'],
    ['A3', 'A', '2024-03-01', '2024-03-31', '100.00', '2024-04-10'],
    ['M1', 'M', '2024-01-10', '2024-01-20', '100.00', '2024-01-25'],
    ['M2', 'M', '2024-02-10', '2024-02-20', '100.00', '2024-02-26'],
    ['M3', 'M', '2024-03-10', '2024-03-20', '100.00', '2024-03-25'],
    ['W1', 'W', '2024-01-02', '2024-01-16', '200.00', '2024-01-19'],
    ['W2', 'W', '2024-02-01', '2024-02-15', '200.00', '2024-02-16'],
    ['W3', 'W', '2024-03-01', '2024-03-15', '200.00', '2024-03-22'],
    ['D1', 'D', '2024-03-01', '2024-03-15', '200.00', '2024-03-13'],
  ]);
  return {
    customers: [
      customer('A', 'smb'), customer('M', 'ent'), customer('W', 'smb'), customer('D', 'ent'),
      customer('B', 'ent'), customer('E', 'other'), customer('S', 'smb'),
    ],
    invoices: [
      ...paid.invoices!,
      invoice('A4', 'A', '2024-04-10', '2024-05-10', '1000.00'),
      invoice('A5', 'A', '2024-01-20', '2024-01-25', '400.00'),
      invoice('M4', 'M', '2024-04-20', '2024-06-01', '600.00'),
      invoice('W4', 'W', '2024-04-16', '2024-04-30', '800.00'),
      invoice('D2', 'D', '2024-04-20', '2024-04-30', '250.00'),
      invoice('B1', 'B', '2024-04-15', '2024-05-15', '500.00'),
      invoice('E1', 'E', '2024-04-25', '2024-05-25', '50.00'),
      invoice('S1', 'S', '2024-01-10', '2024-02-09', '700.00'),
    ],
    payments: paid.payments,
    payment_allocations: paid.payment_allocations,
  };
})();

const SELECT = ['+cash_forecast_13w', '+cash_forecast_backtest'];

function forecastConfig(over: Partial<Config['cash_forecast']> = {}): Config {
  const c = configWith();
  return { ...c, cash_forecast: { ...c.cash_forecast, ...over } };
}

describe('cash_forecast_13w on a hand-computed ledger', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(forecastLedger, forecastConfig(), SELECT);
  });

  it('builds with every data test passing', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toContain('cash_forecast_sane');
  });

  it('forecasts the 13 weeks after the last month end with the worked-out amounts', async () => {
    const rows = await f.query(
      `SELECT forecast_date, horizon_week, week_start, week_end, expected_receipts, cumulative_expected_receipts, open_items_count, open_amount
       FROM cash_forecast_13w ORDER BY horizon_week`,
    );
    expect(rows).toHaveLength(13);
    expect(rows[0]).toEqual({
      forecast_date: '2024-04-30', horizon_week: 1, week_start: '2024-05-01', week_end: '2024-05-07',
      expected_receipts: '1210.00', cumulative_expected_receipts: '1210.00', open_items_count: '4', open_amount: '2150.00',
    });
    expect(rows.map((r) => r.expected_receipts)).toEqual([
      '1210.00', '0.00', '500.00', '1600.00', '50.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00',
    ]);
    expect(rows[12]).toMatchObject({ week_start: '2024-07-24', week_end: '2024-07-30', cumulative_expected_receipts: '3360.00' });
  });

  it('explains each item: delay basis, payment run, probability and expected date', async () => {
    const rows = await queryIntermediate(
      f,
      `SELECT document_id, delay_basis, round(expected_delay_days, 4) AS delay, run_kind, stopped_paying,
              CAST(probability AS VARCHAR) AS p, expected_date, horizon_week, expected_amount
       FROM int_cash_forecast_items WHERE forecast_date = DATE '2024-04-30' ORDER BY document_id`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.document_id as string, r]));
    expect(Object.keys(by).sort()).toEqual(['A4', 'A5', 'B1', 'D2', 'E1', 'M4', 'S1', 'W4']);
    expect(by.A4).toMatchObject({ delay_basis: 'customer', delay: 16, run_kind: null, expected_date: '2024-05-26', horizon_week: 4, expected_amount: '1000.00' });
    expect(by.A5).toMatchObject({ p: '0.4000', expected_date: '2024-05-07', horizon_week: 1, expected_amount: '160.00' });
    expect(by.M4).toMatchObject({ delay_basis: 'customer', delay: 5.3333, run_kind: 'monthly', expected_date: '2024-05-27', horizon_week: 4 });
    expect(by.W4).toMatchObject({ delay: 3.6667, run_kind: 'weekly', expected_date: '2024-05-03', horizon_week: 1 });
    expect(by.D2).toMatchObject({ delay_basis: 'segment', delay: 2.4, expected_date: '2024-05-02' });
    expect(by.B1).toMatchObject({ delay_basis: 'segment', expected_date: '2024-05-17', horizon_week: 3 });
    expect(by.E1).toMatchObject({ delay_basis: 'portfolio', delay: 7.125, expected_date: '2024-06-01', horizon_week: 5 });
    expect(by.S1).toMatchObject({ stopped_paying: true, p: '0.0000', expected_amount: '0.00' });
  });

  it('records the method and its parameters in every row', async () => {
    const rows = await f.query(`SELECT DISTINCT method FROM cash_forecast_13w`);
    expect(rows).toEqual([{ method: 'weighted_delay(lookback=12m,min_history=3,runs=0.8,catchup=7d,stale=90d@0.4,stopped=60d@0)' }]);
  });

  it('follows its parameters: no payment runs, a fixed as-of date, other probabilities', async () => {
    const g = await buildFixture(
      forecastLedger,
      forecastConfig({ payment_runs: false, as_of: '2024-04-29', stale_probability: 1, stopped_paying_probability: 0.5 }),
      SELECT,
    );
    const rows = await g.query(`SELECT forecast_date, horizon_week, expected_receipts FROM cash_forecast_13w WHERE expected_receipts <> 0 ORDER BY horizon_week`);
    // as-of 29 April → the month end on or before it, 31 March: a different, earlier forecast
    expect(rows.every((r) => r.forecast_date === '2024-03-31')).toBe(true);
    const items = await queryIntermediate(
      g,
      `SELECT document_id, expected_date, CAST(probability AS VARCHAR) AS p FROM int_cash_forecast_items
       WHERE forecast_date = DATE '2024-04-30' AND document_id IN ('M4', 'W4', 'A5', 'S1') ORDER BY document_id`,
    );
    expect(items).toEqual([
      { document_id: 'A5', expected_date: '2024-05-07', p: '1.0000' },
      { document_id: 'M4', expected_date: '2024-06-06', p: '1.0000' }, // due 1 Jun + 5, not snapped
      { document_id: 'S1', expected_date: '2024-05-07', p: '0.5000' },
      { document_id: 'W4', expected_date: '2024-05-04', p: '1.0000' },
    ]);
  });
});

/*
 * Backtest: customer A pays on the due date (three invoices on a Tuesday, Thursday and Friday: no run).
 * At F = 31 March X1 1,000 (due 10 Apr) is expected in week 2 and X2 500 (due 20 Apr) in week 3. In fact
 * X1 is paid on 12 Apr (week 2), X2 300 on 24 Apr (week 4) and 200 on 30 May (week 9). Those later
 * payments must not change the forecast made at 31 March. An invoice on 5 Jul makes 31 Jan, 29 Feb and
 * 31 Mar the month ends with 13 weeks of data after them.
 */
const backtestLedger: FixtureLedger = (() => {
  const paid = paidInvoices([
    ['H1', 'A', '2024-01-02', '2024-01-16', '100.00', '2024-01-16'],
    ['H2', 'A', '2024-02-01', '2024-02-15', '100.00', '2024-02-15'],
    ['H3', 'A', '2024-03-01', '2024-03-22', '100.00', '2024-03-22'],
  ]);
  return {
    customers: [customer('A', 'smb'), customer('Z', 'smb')],
    invoices: [
      ...paid.invoices!,
      invoice('X1', 'A', '2024-03-11', '2024-04-10', '1000.00'),
      invoice('X2', 'A', '2024-03-21', '2024-04-20', '500.00'),
      invoice('Z1', 'Z', '2024-07-05', '2024-08-04', '100.00'),
    ],
    payments: [...paid.payments!, payment('Q1', 'A', '2024-04-12', '1000.00'), payment('Q2', 'A', '2024-04-24', '300.00'), payment('Q3', 'A', '2024-05-30', '200.00')],
    payment_allocations: [
      ...paid.payment_allocations!,
      allocation('Q1', 'X1', '1000.00'),
      allocation('Q2', 'X2', '300.00'),
      allocation('Q3', 'X2', '200.00'),
    ],
  };
})();

describe('cash_forecast_backtest on a hand-computed ledger', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(backtestLedger, forecastConfig(), SELECT);
  });

  it('builds with every data test passing, the backtest consistency test among them', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toContain('cash_forecast_backtest_consistent');
  });

  it('backtests every month end with 13 weeks of data after it', async () => {
    const rows = await f.query(`SELECT forecast_date, count(*) AS weeks FROM cash_forecast_backtest GROUP BY forecast_date ORDER BY forecast_date`);
    expect(rows).toEqual([
      { forecast_date: '2024-01-31', weeks: '13' },
      { forecast_date: '2024-02-29', weeks: '13' },
      { forecast_date: '2024-03-31', weeks: '13' },
    ]);
  });

  it('compares the 31 March forecast with what was received, week by week', async () => {
    const rows = await f.query(
      `SELECT horizon_week, week_start, week_end, forecast, actual, error, abs_error, ape FROM cash_forecast_backtest
       WHERE forecast_date = DATE '2024-03-31' AND (forecast <> 0 OR actual <> 0) ORDER BY horizon_week`,
    );
    expect(rows).toEqual([
      { horizon_week: 2, week_start: '2024-04-08', week_end: '2024-04-14', forecast: '1000.00', actual: '1000.00', error: '0.00', abs_error: '0.00', ape: 0 },
      { horizon_week: 3, week_start: '2024-04-15', week_end: '2024-04-21', forecast: '500.00', actual: '0.00', error: '500.00', abs_error: '500.00', ape: null },
      { horizon_week: 4, week_start: '2024-04-22', week_end: '2024-04-28', forecast: '0.00', actual: '300.00', error: '-300.00', abs_error: '300.00', ape: 100 },
      { horizon_week: 9, week_start: '2024-05-27', week_end: '2024-06-02', forecast: '0.00', actual: '200.00', error: '-200.00', abs_error: '200.00', ape: 100 },
    ]);
  });

  it('summarises each horizon week over the forecast dates: WAPE, MAPE, bias', async () => {
    const rows = await f.query(`SELECT * FROM cash_forecast_backtest ORDER BY forecast_date, horizon_week`);
    for (const week of [1, 2, 3, 4, 9]) {
      const at = rows.filter((r) => r.horizon_week === week);
      const cents = (k: string) => at.reduce((s, r) => s + Math.round(Number(r[k]) * 100), 0);
      const actual = cents('actual');
      const wape = actual === 0 ? null : (cents('abs_error') / actual) * 100;
      const bias = actual === 0 ? null : (cents('error') / actual) * 100;
      const apes = at.map((r) => r.ape).filter((x): x is number => typeof x === 'number');
      for (const r of at) {
        expect(r.horizon_forecasts).toBe(3);
        if (wape === null) expect(r.horizon_wape).toBeNull();
        else expect(r.horizon_wape as number).toBeCloseTo(wape, 9);
        if (bias !== null) expect(r.horizon_bias as number).toBeCloseTo(bias, 9);
        if (apes.length) expect(r.horizon_mape as number).toBeCloseTo(apes.reduce((s, x) => s + x, 0) / apes.length, 9);
      }
    }
    const all = rows.reduce((s, r) => s + Math.round(Number(r.abs_error) * 100), 0) / rows.reduce((s, r) => s + Math.round(Number(r.actual) * 100), 0);
    expect(rows[0]!.overall_wape as number).toBeCloseTo(all * 100, 9);
  });

  it('the backtest forecast is the same model as cash_forecast_13w: identical at a shared forecast date', async () => {
    const g = await buildFixture(backtestLedger, forecastConfig({ as_of: '2024-03-31' }), SELECT);
    const f13 = await g.query(`SELECT horizon_week, expected_receipts FROM cash_forecast_13w ORDER BY horizon_week`);
    const bt = await g.query(`SELECT horizon_week, forecast FROM cash_forecast_backtest WHERE forecast_date = DATE '2024-03-31' ORDER BY horizon_week`);
    expect(f13.map((r) => r.expected_receipts)).toEqual(bt.map((r) => r.forecast));
    expect(f13[1]!.expected_receipts).toBe('1000.00');
  });
});
