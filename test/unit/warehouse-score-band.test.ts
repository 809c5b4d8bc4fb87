import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import { kpiConfig, writeOff } from '../helpers/kpi-ledger.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/*
 * The score_band grouping: the common band of each customer's latest credit report.
 * S1 (KvK 10000001): Creditsafe 25 → band 4 in January, Graydon A → band 2 in April: latest = 'low risk'.
 * S2 (VAT only): Creditsafe 10 → band 5 ('very high risk'), written off in April.
 * S3: no credit report → 'not rated'. S4: a report without a score or band → 'not rated'.
 */
const report = (company_key: string, provider: string, report_date: string, r: Record<string, string | number>) => ({
  report_id: `${provider}-${company_key}-${report_date}`,
  company_key,
  provider,
  report_date,
  company_status: 'active',
  ...r,
});

const ledger: FixtureLedger = {
  customers: [
    customer('S1', 'smb', { kvk_number: '10000001' }),
    customer('S2', 'ent', { vat_number: 'NL 0000.02.B01' }),
    customer('S3', 'smb'),
    customer('S4', 'smb', { kvk_number: '10000004' }),
  ],
  company_identifiers: [
    { id_type: 'kvk', id_value: '10000001', company_key: 'NL-KVK-10000001' },
    { id_type: 'vat', id_value: 'NL0000.02.B01', company_key: 'NL-KVK-10000002' },
    { id_type: 'kvk', id_value: '10000004', company_key: 'NL-KVK-10000004' },
  ],
  credit_reports: [
    report('NL-KVK-10000001', 'creditsafe', '2024-01-15', { score: 25, score_scale: 'creditsafe_0_100', rating: 'D', common_band: 4 }),
    report('NL-KVK-10000001', 'graydon', '2024-04-10', { score_scale: 'graydon_rating', rating: 'A', common_band: 2 }),
    report('NL-KVK-10000002', 'creditsafe', '2024-02-01', { score: 10, score_scale: 'creditsafe_0_100', rating: 'E', common_band: 5 }),
    report('NL-KVK-10000004', 'creditsafe', '2024-02-01', { score_scale: 'creditsafe_0_100', rating: 'E' }),
  ],
  invoices: [
    invoice('I1', 'S1', '2024-01-10', '2024-02-09', '1000.00'),
    invoice('I2', 'S2', '2024-01-20', '2024-02-19', '2500.00'),
    invoice('I3', 'S3', '2024-02-05', '2024-03-06', '700.00'),
    invoice('I4', 'S4', '2024-03-01', '2024-03-31', '400.00'),
    invoice('I5', 'S1', '2024-04-02', '2024-05-02', '300.00'),
  ],
  payments: [payment('P1', 'S1', '2024-02-12', '1000.00'), payment('P2', 'S3', '2024-03-20', '500.00')],
  payment_allocations: [allocation('P1', 'I1', '1000.00'), allocation('P2', 'I3', '500.00')],
  write_offs: [writeOff('I2', 'S2', '2024-04-15', '2500.00')],
};

const MARTS = ['+ar_aging', '+dso_monthly', '+write_offs_monthly', '+ar_rollforward', '+payment_behaviour', '+open_invoice_counts', '+customer_risk'];

/** Rows where the score_band groups of a mart do not add up to its ALL row, per period (and bucket). */
const mismatches = (f: BuiltFixture, mart: string, period: string, cols: string[], part = `''`) =>
  f.query(
    `WITH m AS (SELECT ${period} AS period, ${part} AS part, group_by, ${cols.join(', ')} FROM ${mart}),
          g AS (SELECT period, part, ${cols.map((c) => `sum(${c}) AS ${c}`).join(', ')} FROM m WHERE group_by = 'score_band' GROUP BY period, part)
     SELECT a.period, a.part FROM m a LEFT JOIN g ON g.period = a.period AND g.part = a.part
     WHERE a.group_by = 'ALL' AND (g.period IS NULL OR ${cols.map((c) => `a.${c} IS DISTINCT FROM g.${c}`).join(' OR ')})`,
  );

describe('group_by score_band on the write-off, DSO and aging marts', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(ledger, kpiConfig(), MARTS);
  });

  it('builds with every data test passing, the groups-sum-to-ALL tests included', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    const names = f.report.tests.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['ar_aging_groups_sum_to_all', 'kpi_groups_sum_to_all']));
  });

  it("puts each customer in its latest report's common band, 'not rated' without one", async () => {
    const rows = await f.query(
      `SELECT customer_id, group_value FROM int_customer_groups WHERE group_by = 'score_band' ORDER BY customer_id`,
    );
    expect(rows).toEqual([
      { customer_id: 'S1', group_value: 'low risk' },
      { customer_id: 'S2', group_value: 'very high risk' },
      { customer_id: 'S3', group_value: 'not rated' },
      { customer_id: 'S4', group_value: 'not rated' },
    ]);
  });

  it("uses customer_risk's band labels (its latest month end agrees)", async () => {
    const rows = await f.query(
      `SELECT r.customer_id, r.common_band_label, g.group_value FROM customer_risk r
       JOIN int_customer_groups g ON g.customer_id = r.customer_id AND g.group_by = 'score_band'
       WHERE r.as_of_date = (SELECT max(as_of_date) FROM customer_risk) ORDER BY r.customer_id`,
    );
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r.group_value).toBe(r.common_band_label);
  });

  it('write_offs_monthly: the write-off lands in its debtor\'s band', async () => {
    const rows = await f.query(
      `SELECT group_value, written_off, write_offs FROM write_offs_monthly
       WHERE group_by = 'score_band' AND month = DATE '2024-04-01' AND written_off <> 0`,
    );
    expect(rows).toEqual([{ group_value: 'very high risk', written_off: '2500.00', write_offs: expect.anything() }]);
  });

  it('ar_aging at 30 April: open AR per band (S1 300, S3 200, S4 400)', async () => {
    const rows = await f.query(
      `SELECT group_value, CAST(sum(open_amount) AS VARCHAR) AS open_amount FROM ar_aging
       WHERE group_by = 'score_band' AND as_of_date = DATE '2024-04-30' GROUP BY group_value ORDER BY group_value`,
    );
    expect(rows).toEqual([
      { group_value: 'low risk', open_amount: '300.00' },
      { group_value: 'not rated', open_amount: '600.00' },
      { group_value: 'very high risk', open_amount: '0.00' },
    ]);
  });

  it('score_band groups add up to ALL in ar_aging, dso_monthly and write_offs_monthly', async () => {
    expect(await mismatches(f, 'ar_aging', 'as_of_date', ['open_amount', 'open_count'], 'bucket')).toEqual([]);
    expect(await mismatches(f, 'dso_monthly', 'month', ['ar_end', 'credit_sales', 'current_ar_end'])).toEqual([]);
    expect(await mismatches(f, 'write_offs_monthly', 'month', ['written_off', 'credit_sales', 'write_offs'])).toEqual([]);
    const [n] = await f.query(`SELECT count(*) AS n FROM dso_monthly WHERE group_by = 'score_band'`);
    expect(Number(n!.n)).toBeGreaterThan(0);
  });
});
