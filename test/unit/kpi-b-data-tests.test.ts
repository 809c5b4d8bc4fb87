/**
 * The data tests of the cash-flow, forecast and summary marts can fail: each runs against the built
 * warehouse (no failing rows), then against one where a single mart value was corrupted (it must
 * report rows), then against the restored mart (passes again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentMartFile } from '../../src/lake/mart-generations.js';
import { compileModel, duckdbTarget, loadProject } from '../../src/warehouse/compile/index.js';
import { runDataTest } from '../../src/warehouse/data-tests.js';
import type { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { sqlPath } from '../../src/warehouse/materialise.js';
import { openCachedWarehouse } from '../helpers/cached-warehouse.js';
import { cashFlowLedger } from '../helpers/cash-flow-ledger.js';
import { action, decision } from '../helpers/kpi-ledger.js';
import { buildFixture, configWith, invoice, type BuiltFixture } from '../helpers/warehouse.js';

const ledger = {
  ...cashFlowLedger,
  invoices: [...cashFlowLedger.invoices!, invoice('I4', 'C2', '2025-01-15', '2025-02-14', '400.00')],
  collection_actions: [action('ACT1', 'C1', 'I1', '2024-01-20', 'reminder', 'post', '12.50')],
  credit_decisions: [decision('D1', { applicant: 'Bouw X B.V.' }, '2024-01-05', 'refused', '5000.00', '0.00')],
};

const martView = (lakeRoot: string, mart: string, replace?: string) =>
  `CREATE OR REPLACE TEMP VIEW ${mart} AS SELECT *${replace ? ` REPLACE (${replace})` : ''} FROM read_parquet(${sqlPath(currentMartFile(lakeRoot, mart)!)})`;

const cases: { test: string; mart: string; replace: string }[] = [
  { test: 'cash_flow_ties_to_staging', mart: 'cash_flow_weekly', replace: `CASE WHEN week_start = DATE '2024-01-08' AND group_by = 'ALL' THEN cash_received + 0.01 ELSE cash_received END AS cash_received` },
  { test: 'cash_flow_ties_to_staging', mart: 'cash_flow_monthly', replace: `CASE WHEN group_by = 'segment' THEN credit_notes - 1 ELSE credit_notes END AS credit_notes` },
  { test: 'cash_flow_ties_to_staging', mart: 'cash_flow_monthly', replace: `CASE WHEN month = DATE '2024-03-01' THEN net_change_ar + 1 ELSE net_change_ar END AS net_change_ar` },
  { test: 'cash_flow_monthly_ties_to_ar', mart: 'cash_flow_monthly', replace: `CASE WHEN month = DATE '2024-05-01' AND group_by = 'ALL' THEN ar_change_other + 1 ELSE ar_change_other END AS ar_change_other` },
  { test: 'cash_flow_ties_to_rollforward', mart: 'ar_rollforward', replace: `CASE WHEN group_by = 'segment' AND cash_received <> 0 THEN cash_received - 0.01 ELSE cash_received END AS cash_received` },
  { test: 'cash_forecast_sane', mart: 'cash_forecast_13w', replace: `CASE WHEN horizon_week = 1 THEN expected_receipts - 1000 ELSE expected_receipts END AS expected_receipts` },
  { test: 'cash_forecast_sane', mart: 'cash_forecast_13w', replace: `cumulative_expected_receipts + 0.01 AS cumulative_expected_receipts` },
  { test: 'cash_forecast_backtest_consistent', mart: 'cash_forecast_backtest', replace: `CASE WHEN horizon_week = 1 THEN forecast + 1 ELSE forecast END AS forecast` },
  { test: 'cash_forecast_backtest_consistent', mart: 'cash_forecast_backtest', replace: `CASE WHEN actual > 0 THEN actual - 0.01 ELSE actual END AS actual` },
  { test: 'cash_forecast_backtest_consistent', mart: 'cash_forecast_backtest', replace: `horizon_wape * 1.01 AS horizon_wape` },
  { test: 'kpi_summary_ties_out', mart: 'kpi_summary', replace: `CASE WHEN month = DATE '2024-02-01' THEN open_ar_mom + 1 ELSE open_ar_mom END AS open_ar_mom` },
  { test: 'kpi_summary_ties_out', mart: 'kpi_summary', replace: `CASE WHEN month = DATE '2025-01-01' THEN dso_yoy + 0.5 ELSE dso_yoy END AS dso_yoy` },
  { test: 'kpi_summary_ties_out', mart: 'kpi_summary', replace: `cash_received + 0.01 AS cash_received` },
  { test: 'kpi_summary_ties_out', mart: 'kpi_summary', replace: `refused_decisions + 1 AS refused_decisions` },
];

describe('cash-flow, forecast and summary data tests catch broken marts', () => {
  let f: BuiltFixture;
  const project = loadProject();
  const config = configWith();
  const testSql = (name: string) => {
    const model = project.find((m) => m.kind === 'tests' && m.name === name);
    if (!model) throw new Error(`no data test ${name}`);
    return compileModel(model, duckdbTarget({ tablesWithFiles: new Set() }), config, project).sql;
  };
  // One session for the file: the broken mart is a TEMP VIEW over the built one, so the warehouse
  // itself is never changed and each case restores what it broke.
  let engine: DuckDBEngine;
  const run = async (name: string, setup: string) => {
    await engine.execute(setup);
    return runDataTest(engine, { name, sql: testSql(name), models: [] });
  };

  beforeAll(async () => {
    f = await buildFixture(ledger, config, ['+kpi_summary', '+cash_flow_weekly', '+cash_forecast_13w', '+cash_forecast_backtest', '+ar_rollforward']);
    engine = await openCachedWarehouse(f.report.warehouse);
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('pass on the built warehouse, and the backtest has rows to check', async () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toEqual(expect.arrayContaining([...new Set(cases.map((c) => c.test))]));
    const bt = await f.query(`SELECT count(DISTINCT forecast_date) AS n FROM cash_forecast_backtest WHERE actual > 0`);
    expect(Number(bt[0]!.n)).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.test} fails when ${c.mart}.${c.replace.split(' AS ').pop()} is off`, async () => {
      const broken = await run(c.test, martView(f.lakeRoot, c.mart, c.replace));
      expect(broken.error).toBeUndefined();
      expect(broken.ok).toBe(false);
      expect(broken.failingRows).toBeGreaterThan(0);
      const restored = await run(c.test, martView(f.lakeRoot, c.mart));
      expect(restored).toMatchObject({ ok: true, failingRows: 0 });
    });
  }
});
