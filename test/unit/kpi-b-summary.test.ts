import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, configWith, invoice, type BuiltFixture } from '../helpers/warehouse.js';
import { action, decision } from '../helpers/kpi-ledger.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';
import { cashFlowLedger } from '../helpers/cash-flow-ledger.js';

/*
 * The cash-flow ledger (test/helpers/cash-flow-ledger.ts) plus an invoice of 400 to C2 in January 2025 (so
 * January has a year-ago month), three collection actions and four credit decisions. By hand:
 *   Jan 2024: open AR 3,000 (all current), sales 3,300, DSO 3,000/3,300 × 31 = 28.18, CEI 100, cash 300,
 *             costs 12.50, 1 refusal; forecast at 31 Jan: both items (portfolio delay −19 days, i.e.
 *             already past) expected in week 1 → 3,000.
 *   Feb 2024: open AR −100 (unapplied cash), no sales (no DSO, no bad-debt ratio), cash 2,600,
 *             written off 500, costs 43.00; nothing open → expected cash 0.
 *   Dec 2024: open AR 0 (I3 100 − 100 unapplied); forecast: I3 due 29 Jan − 4 days → week 4, 100.
 *   Jan 2025: open AR 400, overdue 100 (I3) = 25 %, sales 400, DSO 31, 2 refusals; forecast: I3 (delay −2,
 *             past) week 1, I4 week 2 → 500.
 */
const ledger: FixtureLedger = {
  ...cashFlowLedger,
  invoices: [...cashFlowLedger.invoices!, invoice('I4', 'C2', '2025-01-15', '2025-02-14', '400.00')],
  collection_actions: [
    action('ACT1', 'C1', 'I1', '2024-01-20', 'reminder', 'post', '12.50'),
    action('ACT2', 'C1', 'I1', '2024-02-10', 'phone_call', 'phone', '3.00'),
    action('ACT3', 'C1', 'I1', '2024-02-20', 'collection_agency', 'agency', '40.00'),
  ],
  credit_decisions: [
    decision('D1', { applicant: 'Bouw X B.V.' }, '2024-01-05', 'refused', '5000.00', '0.00'),
    decision('D2', { customer_id: 'C1' }, '2024-01-06', 'accepted', '2000.00', '2000.00'),
    decision('D3', { applicant: 'Horeca Y' }, '2025-01-10', 'refused', '1000.00', '0.00'),
    decision('D4', { applicant: 'Transport Z' }, '2025-01-11', 'refused', '3000.00', '0.00'),
  ],
};

describe('kpi_summary on a hand-computed ledger', () => {
  let f: BuiltFixture;
  const month = (m: string, cols: string) => f.query(`SELECT ${cols} FROM kpi_summary WHERE month = DATE '${m}'`).then((r) => r[0]!);
  beforeAll(async () => {
    f = await buildFixture(ledger, configWith({ extract_date: '2025-01-31' }), ['+kpi_summary']);
  });

  it('builds with every data test passing; one row per month', async () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toContain('kpi_summary_ties_out');
    const rows = await f.query(`SELECT month FROM kpi_summary ORDER BY month`);
    expect(rows).toHaveLength(13);
  });

  it('January 2024: the headline figures, no earlier month to compare with', async () => {
    const r = await month(
      '2024-01-01',
      'open_ar, overdue_ar, overdue_pct, pct_current, dso, dso_method, bpdso, avg_days_delinquent, cei, credit_sales, cash_received, written_off, bad_debt_pct, collection_costs, refused_decisions, expected_cash_13w, open_ar_mom, open_ar_yoy, dso_mom',
    );
    expect(r).toMatchObject({
      open_ar: '3000.00', overdue_ar: '0.00', overdue_pct: 0, pct_current: 100, dso_method: 'period_end', credit_sales: '3300.00',
      cash_received: '300.00', written_off: '0.00', bad_debt_pct: 0, collection_costs: '12.50', refused_decisions: '1',
      expected_cash_13w: '3000.00', open_ar_mom: null, open_ar_yoy: null, dso_mom: null,
    });
    expect(r.dso as number).toBeCloseTo((3000 / 3300) * 31, 9);
    expect(r.bpdso as number).toBeCloseTo((3000 / 3300) * 31, 9);
    expect(r.avg_days_delinquent as number).toBeCloseTo(0, 9);
    expect(r.cei as number).toBeCloseTo(100, 9);
  });

  it('February 2024: changes against January in each metric\'s unit', async () => {
    const r = await month(
      '2024-02-01',
      'open_ar, dso, written_off, bad_debt_pct, bad_debt_pct_12m, collection_costs, expected_cash_13w, open_ar_mom, cash_received_mom, written_off_mom, collection_costs_mom, refused_decisions_mom, expected_cash_13w_mom, dso_mom',
    );
    expect(r).toMatchObject({
      open_ar: '-100.00', dso: null, written_off: '500.00', bad_debt_pct: null, collection_costs: '43.00', expected_cash_13w: '0.00',
      open_ar_mom: '-3100.00', cash_received_mom: '2300.00', written_off_mom: '500.00', collection_costs_mom: '30.50',
      refused_decisions_mom: '-1', expected_cash_13w_mom: '-3000.00', dso_mom: null,
    });
    expect(r.bad_debt_pct_12m as number).toBeCloseTo((500 / 3300) * 100, 9);
  });

  it('January 2025 against December 2024 and against January 2024', async () => {
    const dec = await month('2024-12-01', 'open_ar, expected_cash_13w');
    expect(dec).toEqual({ open_ar: '0.00', expected_cash_13w: '100.00' });
    const r = await month(
      '2025-01-01',
      'open_ar, overdue_ar, overdue_pct, dso, refused_decisions, expected_cash_13w, open_ar_mom, open_ar_yoy, credit_sales_yoy, dso_yoy, refused_decisions_mom, refused_decisions_yoy, expected_cash_13w_mom, expected_cash_13w_yoy, collection_costs_yoy, overdue_pct_yoy',
    );
    expect(r).toMatchObject({
      // overdue share on the debit balances: 100 of I3 + I4 = 500 (the −100 unapplied cash is no debt)
      open_ar: '400.00', overdue_ar: '100.00', overdue_pct: 20, dso: 31, refused_decisions: '2', expected_cash_13w: '500.00',
      open_ar_mom: '400.00', open_ar_yoy: '-2600.00', credit_sales_yoy: '-2900.00', refused_decisions_mom: '2', refused_decisions_yoy: '1',
      expected_cash_13w_mom: '400.00', expected_cash_13w_yoy: '-2500.00', collection_costs_yoy: '-12.50', overdue_pct_yoy: 20,
    });
    expect(r.dso_yoy as number).toBeCloseTo(31 - (3000 / 3300) * 31, 9);
  });
});
