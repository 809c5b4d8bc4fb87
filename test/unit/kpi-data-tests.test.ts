/**
 * The KPI suite's data tests can fail: each is run against a correct warehouse (no failing rows) and
 * against one where a single mart value was corrupted (the test must name the bad rows).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { currentMartFile } from '../../src/lake/mart-generations.js';
import { runDataTest } from '../../src/warehouse/data-tests.js';
import { compileModel, duckdbTarget, loadProject } from '../../src/warehouse/compile/index.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { sqlPath } from '../../src/warehouse/materialise.js';
import { allocation, buildFixture, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import { action, decision, kpiConfig, KPI_A_MARTS, writeOff } from '../helpers/kpi-ledger.js';

const ledger = {
  customers: [customer('C1', 'smb', { credit_limit: '1000.00' }), customer('C2', 'ent')],
  invoices: [
    invoice('I1', 'C1', '2024-01-10', '2024-02-09', '1000.00'),
    invoice('I2', 'C2', '2024-01-20', '2024-02-19', '800.00'),
    invoice('I3', 'C2', '2024-02-05', '2024-03-06', '400.00'),
  ],
  payments: [payment('P1', 'C1', '2024-02-12', '1000.00'), payment('P2', 'C2', '2024-03-01', '300.00')],
  payment_allocations: [allocation('P1', 'I1', '1000.00'), allocation('P2', 'I2', '300.00')],
  write_offs: [writeOff('I2', 'C2', '2024-03-20', '500.00')],
  collection_actions: [action('A1', 'C2', 'I2', '2024-02-25', 'reminder', 'email', '0.50')],
  credit_decisions: [decision('D1', { customer_id: 'C1' }, '2024-01-02', 'accepted', '1000.00', '1000.00')],
};

/** `SELECT * REPLACE (…)` over a mart's Parquet: the corrupted mart. */
const corrupt = (lakeRoot: string, mart: string, replace: string) =>
  `CREATE OR REPLACE VIEW ${mart} AS SELECT * REPLACE (${replace}) FROM read_parquet(${sqlPath(currentMartFile(lakeRoot, mart)!)})`;

const cases: { test: string; mart: string; replace: string }[] = [
  { test: 'ar_rollforward_ties_out', mart: 'ar_rollforward', replace: `CASE WHEN month = DATE '2024-02-01' AND group_by = 'ALL' THEN invoiced + 0.01 ELSE invoiced END AS invoiced` },
  { test: 'ar_rollforward_ties_out', mart: 'ar_rollforward', replace: `CASE WHEN month = DATE '2024-03-01' AND group_by = 'segment' THEN ar_end + 1 ELSE ar_end END AS ar_end` },
  { test: 'ar_ratio_ties_to_open_items', mart: 'ar_ratio_monthly', replace: `CASE WHEN as_of_date = DATE '2024-02-29' THEN unpaid - 1 ELSE unpaid END AS unpaid` },
  { test: 'kpi_groups_sum_to_all', mart: 'write_offs_monthly', replace: `CASE WHEN group_by = 'country' THEN collection_costs + 0.01 ELSE collection_costs END AS collection_costs` },
  { test: 'kpi_groups_sum_to_all', mart: 'payment_behaviour', replace: `CASE WHEN group_by = 'customer' THEN invoices_settled + 1 ELSE invoices_settled END AS invoices_settled` },
  { test: 'kpi_counts_non_negative', mart: 'collection_activity_daily', replace: `CASE WHEN actions = 1 THEN -1 ELSE actions END AS actions` },
  { test: 'kpi_ratios_within_bounds', mart: 'credit_decisions_monthly', replace: `CASE WHEN decisions > 0 THEN 1.5 ELSE acceptance_rate END AS acceptance_rate` },
  { test: 'kpi_ratios_within_bounds', mart: 'concentration', replace: `hhi_revenue + 10001 AS hhi_revenue` },
  // issue 11: a credit balance aged as a negative overdue amount, and the tiles it produced
  { test: 'credit_balances_apart', mart: 'ar_open_items', replace: `CASE WHEN document_id = 'I3' AND as_of_date = DATE '2024-03-31' THEN -300 ELSE open_amount END AS open_amount` },
  { test: 'credit_balances_apart', mart: 'ar_aging', replace: `CASE WHEN bucket = '>90' THEN -300 ELSE open_amount END AS open_amount` },
  { test: 'credit_balances_apart', mart: 'dso_monthly', replace: `CASE WHEN group_by = 'ALL' THEN overdue_ar_end - 1000 ELSE overdue_ar_end END AS overdue_ar_end` },
  { test: 'kpi_percentages_within_0_100', mart: 'dso_monthly', replace: `CASE WHEN group_by = 'ALL' THEN 133.3 ELSE cei END AS cei` },
  { test: 'kpi_percentages_within_0_100', mart: 'kpi_summary', replace: `400 AS pct_current` },
  { test: 'kpi_percentages_within_0_100', mart: 'ar_aging', replace: `CASE WHEN bucket = 'not due' THEN -300 ELSE pct_of_debit_ar END AS pct_of_debit_ar` },
];

describe('KPI data tests catch broken marts', () => {
  let f: BuiltFixture;
  const project = loadProject();
  const testSql = (name: string) => {
    const model = project.find((m) => m.kind === 'tests' && m.name === name);
    if (!model) throw new Error(`no data test ${name}`);
    return compileModel(model, duckdbTarget({ tablesWithFiles: new Set() }), kpiConfig(), project).sql;
  };
  const run = async (name: string, sabotage?: string) => {
    const engine = await DuckDBEngine.open({ path: f.report.warehouse, threads: 1 });
    try {
      if (sabotage) await engine.execute(sabotage);
      return await runDataTest(engine, { name, sql: testSql(name), models: [] });
    } finally {
      await engine.close();
    }
  };

  beforeAll(async () => {
    f = await buildFixture(ledger, kpiConfig(), [...KPI_A_MARTS, '+kpi_summary', '+ar_aging']);
  });

  it('passes on the built warehouse', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toEqual(expect.arrayContaining([...new Set(cases.map((c) => c.test))]));
  });

  for (const c of cases) {
    it(`${c.test} fails when ${c.mart}.${c.replace.split(' AS ').pop()} is off`, async () => {
      const result = await run(c.test, corrupt(f.lakeRoot, c.mart, c.replace));
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(false);
      expect(result.failingRows).toBeGreaterThan(0);
      // Restore, and the test passes again.
      const again = await run(c.test, `CREATE OR REPLACE VIEW ${c.mart} AS SELECT * FROM read_parquet(${sqlPath(currentMartFile(f.lakeRoot, c.mart)!)})`);
      expect(again).toMatchObject({ ok: true, failingRows: 0 });
    });
  }
});
