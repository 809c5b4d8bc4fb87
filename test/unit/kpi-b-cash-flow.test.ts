import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, configWith, type BuiltFixture } from '../helpers/warehouse.js';
import { cashFlowLedger } from '../helpers/cash-flow-ledger.js';

const MONTH_COLS = 'cash_received, payments_count, invoiced, credit_notes, credit_sales, written_off, net_change_ar, ar_begin, ar_end, ar_change_other';
const WEEK_COLS = 'week_end, iso_year, iso_week, cash_received, invoiced, credit_notes, credit_sales, written_off, net_change_ar';

describe('cash_flow_monthly and cash_flow_weekly on a hand-computed ledger', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(cashFlowLedger, configWith(), ['+cash_flow_weekly', '+cash_flow_monthly', '+ar_open_items']);
  });

  it('builds with every data test passing, the cash-flow tie-outs among them', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    const names = f.report.tests.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['cash_flow_ties_to_staging', 'cash_flow_monthly_ties_to_ar']));
  });

  it('monthly totals: January and February by hand, months without events are zero', async () => {
    const rows = await f.query(`SELECT month, ${MONTH_COLS} FROM cash_flow_monthly WHERE group_by = 'ALL' ORDER BY month`);
    expect(rows).toHaveLength(12);
    expect(rows[0]).toEqual({
      month: '2024-01-01', cash_received: '300.00', payments_count: '1', invoiced: '3500.00', credit_notes: '-200.00',
      credit_sales: '3300.00', written_off: '0.00', net_change_ar: '3000.00', ar_begin: '0.00', ar_end: '3000.00', ar_change_other: '0.00',
    });
    expect(rows[1]).toEqual({
      month: '2024-02-01', cash_received: '2600.00', payments_count: '1', invoiced: '0.00', credit_notes: '0.00',
      credit_sales: '0.00', written_off: '500.00', net_change_ar: '-3100.00', ar_begin: '3000.00', ar_end: '-100.00', ar_change_other: '0.00',
    });
    expect(rows[5]).toMatchObject({ month: '2024-06-01', cash_received: '0.00', net_change_ar: '0.00', ar_end: '-100.00' });
    expect(rows[11]).toMatchObject({ month: '2024-12-01', invoiced: '100.00', ar_begin: '-100.00', ar_end: '0.00' });
  });

  it('per customer group, and the groups add up to ALL', async () => {
    const rows = await f.query(
      `SELECT group_by, group_value, segment, cash_received, credit_sales, written_off FROM cash_flow_monthly
       WHERE month = DATE '2024-02-01' AND group_by IN ('segment', 'country') ORDER BY group_by, group_value`,
    );
    expect(rows).toEqual([
      { group_by: 'country', group_value: 'BE', segment: null, cash_received: '2600.00', credit_sales: '0.00', written_off: '0.00' },
      { group_by: 'country', group_value: 'NL', segment: null, cash_received: '0.00', credit_sales: '0.00', written_off: '500.00' },
      { group_by: 'segment', group_value: 'ent', segment: 'ent', cash_received: '2600.00', credit_sales: '0.00', written_off: '0.00' },
      { group_by: 'segment', group_value: 'smb', segment: 'smb', cash_received: '0.00', credit_sales: '0.00', written_off: '500.00' },
    ]);
  });

  it('weeks run Monday to Sunday: a Sunday payment falls in the week that began on Monday the 8th', async () => {
    const rows = await f.query(`SELECT week_start, ${WEEK_COLS} FROM cash_flow_weekly WHERE group_by = 'ALL' ORDER BY week_start`);
    expect(rows[0]).toEqual({
      week_start: '2024-01-01', week_end: '2024-01-07', iso_year: 2024, iso_week: 1, cash_received: '0.00', invoiced: '1000.00',
      credit_notes: '0.00', credit_sales: '1000.00', written_off: '0.00', net_change_ar: '1000.00',
    });
    expect(rows[1]).toEqual({
      week_start: '2024-01-08', week_end: '2024-01-14', iso_year: 2024, iso_week: 2, cash_received: '300.00', invoiced: '2500.00',
      credit_notes: '-200.00', credit_sales: '2300.00', written_off: '0.00', net_change_ar: '2000.00',
    });
    const byWeek = Object.fromEntries(rows.map((r) => [r.week_start as string, r]));
    expect(byWeek['2024-02-05']).toMatchObject({ cash_received: '2600.00', iso_week: 6 });
    expect(byWeek['2024-02-26']).toMatchObject({ written_off: '500.00', week_end: '2024-03-03', iso_week: 9 });
    expect(byWeek['2024-12-23']).toMatchObject({ iso_year: 2024, iso_week: 52, invoiced: '0.00' });
  });

  it('numbers ISO weeks by the year of their Thursday: Monday 2024-12-30 starts week 1 of 2025', async () => {
    const rows = await f.query(`SELECT week_start, iso_year, iso_week, invoiced FROM cash_flow_weekly WHERE group_by = 'ALL' ORDER BY week_start`);
    expect(rows).toHaveLength(53);
    expect(rows.at(-1)).toEqual({ week_start: '2024-12-30', iso_year: 2025, iso_week: 1, invoiced: '100.00' });
    const total = rows.reduce((s, r) => s + Math.round(Number(r.invoiced) * 100), 0);
    expect(total).toBe(360000);
  });
});
