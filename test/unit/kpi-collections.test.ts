import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, customer, invoice, type BuiltFixture } from '../helpers/warehouse.js';
import { action, byKey, decision, kpiConfig, KPI_A_MARTS, writeOff } from '../helpers/kpi-ledger.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/*
 * W1 (smb, SBI 4711 → section G, limit 1,500) and W2 (ent, SBI 6201 → section J, no limit).
 * Credit sales: January A1 1,000 + B1 3,000 = 4,000; February A2 2,000 − B3 500 = 1,500.
 * A1 is written off in two parts: 600 on 20 Feb, 400 on 5 Mar. The collection actions on A1
 * (1.50 + 5.00 + 0.00 + 150.00 = 156.50) belong to its first write-off month, February.
 */
const ledger: FixtureLedger = {
  customers: [
    customer('W1', 'smb', { sbi_code: '4711', credit_limit: '1500.00' }),
    customer('W2', 'ent', { sbi_code: '6201' }),
  ],
  invoices: [
    invoice('A1', 'W1', '2024-01-05', '2024-01-19', '1000.00'),
    invoice('B1', 'W2', '2024-01-10', '2024-02-09', '3000.00'),
    invoice('A2', 'W1', '2024-02-01', '2024-03-02', '2000.00'),
    invoice('B3', 'W2', '2024-02-15', '2024-02-15', '-500.00', { corrects_document_id: 'B1' }),
  ],
  write_offs: [writeOff('A1', 'W1', '2024-02-20', '600.00'), writeOff('A1', 'W1', '2024-03-05', '400.00')],
  collection_actions: [
    action('X1', 'W1', 'A1', '2024-01-22', 'reminder', 'post', '1.50'),
    action('X2', 'W1', 'A1', '2024-01-29', 'dunning_letter', 'post', '5.00'),
    action('X3', 'W1', 'A1', '2024-02-02', 'phone_call', 'phone', '0.00'),
    action('X4', 'W1', 'A1', '2024-02-10', 'collection_agency', 'agency', '150.00'),
    action('X5', 'W1', 'A2', '2024-02-20', 'reminder', 'email', '0.25'),
    action('X6', 'W2', undefined, '2024-02-02', 'payment_link', 'whatsapp', '0.10'),
  ],
  credit_decisions: [
    decision('D1', { customer_id: 'W1' }, '2024-01-05', 'accepted', '5000.00', '5000.00'),
    decision('D2', { applicant: 'X B.V.' }, '2024-01-20', 'refused', '10000.00', '0.00'),
    decision('D3', { customer_id: 'W2' }, '2024-01-25', 'limited', '20000.00', '8000.00'),
    decision('D4', { applicant: 'Y B.V.' }, '2024-03-01', 'accepted', '1000.00', '1000.00'),
  ],
};

describe('collections, write-offs, credit decisions and limits on a hand-worked ledger', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(ledger, kpiConfig(), KPI_A_MARTS);
  });

  it('builds with every data test passing', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
  });

  it('collection_activity_daily: zero-filled days × the (type, channel) pairs that occur', async () => {
    const [span] = await f.query(
      `SELECT min(action_date) AS first, max(action_date) AS last, count(DISTINCT action_date) AS days, count(*) AS n_rows,
              CAST(sum(actions) AS INTEGER) AS actions, CAST(sum(cost) AS VARCHAR) AS cost FROM collection_activity_daily`,
    );
    // 22 Jan – 20 Feb is 30 days; 6 (type, channel) pairs.
    expect(span).toEqual({ first: '2024-01-22', last: '2024-02-20', days: '30', n_rows: '180', actions: 6, cost: '156.85' });
    const day = await f.query(
      `SELECT action_type, channel, action_group, actions, customers, documents, cost FROM collection_activity_daily
       WHERE action_date = DATE '2024-02-02' AND actions > 0 ORDER BY action_type`,
    );
    expect(day).toEqual([
      { action_type: 'payment_link', channel: 'whatsapp', action_group: 'other', actions: '1', customers: '1', documents: '0', cost: '0.10' },
      { action_type: 'phone_call', channel: 'phone', action_group: 'phone_call', actions: '1', customers: '1', documents: '1', cost: '0.00' },
    ]);
    const quiet = await f.query(`SELECT CAST(sum(actions) AS INTEGER) AS n FROM collection_activity_daily WHERE action_date = DATE '2024-01-25'`);
    expect(quiet[0]!.n).toBe(0);
  });

  it('collection_costs_monthly: agency, legal and internal per month with shares', async () => {
    const rows = byKey(await f.query(`SELECT * FROM collection_costs_monthly`), 'month', 'cost_category');
    expect(Object.keys(rows).sort()).toEqual(
      ['2024-01-01|agency', '2024-01-01|internal', '2024-01-01|legal', '2024-02-01|agency', '2024-02-01|internal', '2024-02-01|legal'],
    );
    expect(rows['2024-01-01|internal']).toMatchObject({ actions: '2', cost: '6.50', cost_per_action: 3.25, month_total_cost: '6.50', share_of_month: 1 });
    expect(rows['2024-01-01|agency']).toMatchObject({ actions: '0', cost: '0.00', cost_per_action: null, share_of_month: 0 });
    expect(rows['2024-02-01|internal']).toMatchObject({ actions: '3', customers: '2', documents: '2', cost: '0.35', month_total_cost: '150.35' });
    expect(rows['2024-02-01|agency']!.share_of_month).toBeCloseTo(150 / 150.35, 12);
  });

  it('collection_costs_monthly: categories come from config', async () => {
    const g = await buildFixture(ledger, kpiConfig({ collections: { cost_categories: { payment_link: 'digital' } } }), ['+collection_costs_monthly']);
    const rows = byKey(await g.query(`SELECT * FROM collection_costs_monthly WHERE month = DATE '2024-02-01'`), 'cost_category');
    expect(Object.keys(rows).sort()).toEqual(['agency', 'digital', 'internal', 'legal']);
    expect(rows.digital).toMatchObject({ actions: '1', cost: '0.10' });
    expect(rows.internal).toMatchObject({ actions: '2', cost: '0.25' });
  });

  it('write_offs_monthly: amount, count, cost of the debt, bad-debt ratios and the ceiling', async () => {
    const rows = byKey(await f.query(`SELECT * FROM write_offs_monthly WHERE group_by = 'ALL'`), 'month');
    expect(rows['2024-01-01']).toMatchObject({ written_off: '0.00', credit_sales: '4000.00', bad_debt_ratio: 0, bad_debt_ratio_12m: 0, over_ceiling: false, months_in_window: 1 });
    expect(rows['2024-02-01']).toMatchObject({
      written_off: '600.00',
      write_offs: '1',
      documents_written_off: '1',
      collection_costs: '156.50',
      total_cost: '756.50',
      credit_sales: '1500.00',
      bad_debt_ratio: 0.4,
      written_off_12m: '600.00',
      credit_sales_12m: '5500.00',
      months_in_window: 2,
      ceiling_ratio: 0.005,
      ceiling_basis: 'rolling_12m',
      over_ceiling: true,
    });
    expect(rows['2024-02-01']!.bad_debt_ratio_12m).toBeCloseTo(600 / 5500, 12);
    // March: the rest of A1; no new document, no sales, so no monthly ratio.
    expect(rows['2024-03-01']).toMatchObject({ written_off: '400.00', write_offs: '1', documents_written_off: '0', collection_costs: '0.00', bad_debt_ratio: null });
    expect(rows['2024-03-01']!.bad_debt_ratio_12m).toBeCloseTo(1000 / 5500, 12);
  });

  it('write_offs_monthly: by SBI section and segment', async () => {
    const rows = await f.query(
      `SELECT group_by, group_value, written_off, collection_costs, credit_sales FROM write_offs_monthly
       WHERE month = DATE '2024-02-01' AND group_by IN ('sbi_section', 'segment') ORDER BY group_by, group_value`,
    );
    expect(rows).toEqual([
      { group_by: 'sbi_section', group_value: 'G', written_off: '600.00', collection_costs: '156.50', credit_sales: '2000.00' },
      { group_by: 'sbi_section', group_value: 'J', written_off: '0.00', collection_costs: '0.00', credit_sales: '-500.00' },
      { group_by: 'segment', group_value: 'ent', written_off: '0.00', collection_costs: '0.00', credit_sales: '-500.00' },
      { group_by: 'segment', group_value: 'smb', written_off: '600.00', collection_costs: '156.50', credit_sales: '2000.00' },
    ]);
  });

  it('write_offs_monthly: a monthly ceiling', async () => {
    const g = await buildFixture(ledger, kpiConfig({ write_offs: { ceiling_ratio: 0.3, ceiling_basis: 'month' } }), ['+write_offs_monthly']);
    const rows = await g.query(`SELECT month, over_ceiling, ceiling_basis, ceiling_ratio FROM write_offs_monthly WHERE group_by = 'ALL' ORDER BY month`);
    expect(rows.map((r) => r.over_ceiling)).toEqual([false, true, false]); // 0, 0.4 > 0.3, no sales
    expect(rows[0]).toMatchObject({ ceiling_basis: 'month', ceiling_ratio: 0.3 });
  });

  it('credit_decisions_monthly: counts and acceptance rate per applicant type, dense months', async () => {
    const rows = byKey(await f.query(`SELECT * FROM credit_decisions_monthly`), 'month', 'applicant_type');
    expect(rows['2024-01-01|ALL']).toMatchObject({ decisions: '3', accepted: '1', limited: '1', refused: '1', acceptance_basis: 'accepted_or_limited', requested_limit: '35000.00', granted_limit: '13000.00' });
    expect(rows['2024-01-01|ALL']!.acceptance_rate).toBeCloseTo(2 / 3, 12);
    expect(rows['2024-01-01|ALL']!.refusal_rate).toBeCloseTo(1 / 3, 12);
    expect(rows['2024-01-01|customer']).toMatchObject({ decisions: '2', acceptance_rate: 1, refusal_rate: 0 });
    expect(rows['2024-01-01|applicant']).toMatchObject({ decisions: '1', acceptance_rate: 0, refusal_rate: 1 });
    expect(rows['2024-02-01|ALL']).toMatchObject({ decisions: '0', acceptance_rate: null });
    expect(rows['2024-03-01|applicant']).toMatchObject({ decisions: '1', accepted: '1', acceptance_rate: 1 });
    const strict = await buildFixture(ledger, kpiConfig({ credit_decisions: { limited_counts_as_accepted: false } }), ['+credit_decisions_monthly']);
    const [jan] = await strict.query(`SELECT acceptance_rate, acceptance_basis FROM credit_decisions_monthly WHERE applicant_type = 'ALL' AND month = DATE '2024-01-01'`);
    expect(jan!.acceptance_basis).toBe('accepted_only');
    expect(jan!.acceptance_rate).toBeCloseTo(1 / 3, 12);
  });

  it('credit_limit_utilisation: from the customer master by default', async () => {
    const rows = byKey(await f.query(`SELECT * FROM credit_limit_utilisation`), 'as_of_date', 'customer_id');
    // W1: January A1 1,000 (overdue since 19 Jan); February A1 400 + A2 2,000.
    expect(rows['2024-01-31|W1']).toMatchObject({ open_ar: '1000.00', overdue_ar: '1000.00', credit_limit: '1500.00', limit_source: 'customer_master', headroom: '500.00', over_limit: false });
    expect(rows['2024-01-31|W1']!.utilisation).toBeCloseTo(2 / 3, 12);
    expect(rows['2024-02-29|W1']).toMatchObject({ open_ar: '2400.00', overdue_ar: '400.00', open_items: '2', utilisation: 1.6, headroom: '-900.00', over_limit: true });
    // W2 has no limit on record.
    expect(rows['2024-02-29|W2']).toMatchObject({ open_ar: '2500.00', credit_limit: null, limit_source: 'none', utilisation: null, headroom: null, over_limit: null });
  });

  it('credit_limit_utilisation: from the latest credit decision', async () => {
    const g = await buildFixture(ledger, kpiConfig({ credit_limits: { source: 'latest_decision' } }), ['+credit_limit_utilisation']);
    const rows = byKey(await g.query(`SELECT * FROM credit_limit_utilisation`), 'as_of_date', 'customer_id');
    expect(rows['2024-02-29|W1']).toMatchObject({ credit_limit: '5000.00', limit_source: 'credit_decision', limit_basis: 'latest_decision', utilisation: 0.48, over_limit: false });
    expect(rows['2024-01-31|W2']).toMatchObject({ open_ar: '3000.00', credit_limit: '8000.00', utilisation: 0.375 });
  });
});
