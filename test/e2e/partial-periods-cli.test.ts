/**
 * Issue 11, "a partial last month is reported as a full month" and "a ledger without payments builds
 * green", reproduced through the CLI on small hand-made files: an extract that stops on 15 March,
 * a feed that lags, a ledger of customers and invoices only, and ingest saying the warehouse is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOCATIONS_HEADER, cli, CUSTOMERS_HEADER, INVOICES_HEADER, PAYMENTS_HEADER, queryRows, workFolder, writeCsv,
} from '../support/run-cli.js';
import { handleApiRequest } from '../../src/serve/api.js';
import { ReadOnlyWarehouse } from '../../src/serve/warehouse.js';

const ACTIONS_HEADER = 'action_id,customer_id,document_id,action_date,action_type,channel,cost';

const CUSTOMERS = [['C1', 'Alpha BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '30']];
/* January and February: 3,100 and 2,900 invoiced; March up to the 15th: 1,500 (I5 due 20 March). */
const INVOICES = [
  ['I1', 'C1', 'invoice', '2024-01-05', '2024-02-04', 'EUR', '3100.00', '', ''],
  ['I2', 'C1', 'invoice', '2024-02-05', '2024-03-06', 'EUR', '2900.00', '', ''],
  ['I3', 'C1', 'invoice', '2024-03-01', '2024-03-10', 'EUR', '1000.00', '', ''],
  ['I5', 'C1', 'invoice', '2024-03-15', '2024-03-20', 'EUR', '500.00', '', ''],
];

async function ingestAll(work: string, tables: [string, string, string[][]][]) {
  for (const [table, header, rows] of tables) {
    const r = await cli(work, 'ingest', writeCsv(work, table, header, rows), '--table', table);
    expect(r.code, r.stderr).toBe(0);
  }
}

describe('an extract that stops mid-month', () => {
  const work = workFolder('partial-month');
  let build: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    await ingestAll(work, [
      ['customers', CUSTOMERS_HEADER, CUSTOMERS],
      ['invoices', INVOICES_HEADER, INVOICES],
      ['payments', PAYMENTS_HEADER, [['P1', 'C1', '2024-02-10', '3100.00', 'EUR'], ['P2', 'C1', '2024-03-15', '2900.00', 'EUR']]],
      ['payment_allocations', ALLOCATIONS_HEADER, [['P1', 'I1', '3100.00'], ['P2', 'I2', '2900.00']]],
    ]);
    build = await cli(work, 'build');
    expect(build.code, build.stdout + build.stderr).toBe(0);
  }, 120_000);

  it('marks March partial, with its days elapsed, and says so in the build output', async () => {
    expect(build.stdout).toMatch(/source freshness: .*invoices 2024-03-15.*payments 2024-03-15.*data end 2024-03-15/);
    expect(build.stdout).toMatch(/partial month: March 2024 has data for 15 of 31 days/);
    const rows = await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, is_complete, days_elapsed, days_in_month FROM dso_monthly WHERE group_by = 'ALL' ORDER BY month`);
    expect(rows).toEqual([
      { m: '2024-01-01', is_complete: true, days_elapsed: 31, days_in_month: 31 },
      { m: '2024-02-01', is_complete: true, days_elapsed: 29, days_in_month: 29 },
      { m: '2024-03-01', is_complete: false, days_elapsed: 15, days_in_month: 31 },
    ]);
    for (const mart of ['ar_aging', 'ar_rollforward', 'cash_flow_monthly', 'write_offs_monthly', 'payment_behaviour', 'open_invoice_counts']) {
      const flags = await queryRows(work, `SELECT DISTINCT is_complete FROM ${mart} WHERE ${mart === 'ar_aging' || mart === 'open_invoice_counts' ? 'as_of_date' : 'month_end'} = DATE '2024-03-31'`);
      expect(flags, mart).toEqual([{ is_complete: false }]);
    }
  });

  it('computes the partial month’s DSO on the days elapsed and ages it at the data end', async () => {
    const [march] = await queryRows(work, `SELECT CAST(ar_end AS VARCHAR) AS ar, CAST(credit_sales AS VARCHAR) AS sales, dso_period_end, pct_current, CAST(overdue_ar_end AS VARCHAR) AS overdue
      FROM dso_monthly WHERE group_by = 'ALL' AND month = DATE '2024-03-01'`);
    // AR 1,500 (I3 1,000 overdue since 10 March, I5 500 due 20 March: not overdue on the 15th).
    expect(march).toMatchObject({ ar: '1500.00', sales: '1500.00', overdue: '1000.00' });
    expect(march!.dso_period_end as number).toBeCloseTo((1500 / 1500) * 15, 9); // was × 31 = 31 days
    expect(march!.pct_current as number).toBeCloseTo((500 / 1500) * 100, 9);
    // CEI needs no day count: collected 2,900 (AR 2,900 at February's end + 1,500 sales − 1,500 AR)
    // against collected + 1,000 overdue on the 15th (I3)
    const [cei] = await queryRows(work, `SELECT cei FROM dso_monthly WHERE group_by = 'ALL' AND month = DATE '2024-03-01'`);
    expect(cei!.cei as number).toBeCloseTo((2900 / 3900) * 100, 9);
    const open = await queryRows(work, `SELECT document_id, days_past_due, bucket FROM ar_open_items WHERE as_of_date = DATE '2024-03-31' ORDER BY 1`);
    expect(open).toEqual([
      { document_id: 'I3', days_past_due: 5, bucket: '1-14' },
      { document_id: 'I5', days_past_due: -5, bucket: 'not due' },
    ]);
  });

  it('makes the last complete month the default in kpi_summary', async () => {
    const rows = await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, is_complete, days_elapsed, is_latest_complete FROM kpi_summary ORDER BY month`);
    expect(rows.map((r) => [r.m, r.is_complete, r.days_elapsed, r.is_latest_complete])).toEqual([
      ['2024-01-01', true, 31, false],
      ['2024-02-01', true, 29, true],
      ['2024-03-01', false, 15, false],
    ]);
  });

  // The issue: "the dashboards open on a month after the data ends, where open AR is 0 and CEI is 100".
  it('opens the dashboards on the last complete month, labelled, and offers no month after the data end', async () => {
    const engine = await ReadOnlyWarehouse.open(join(work, 'lake', 'warehouse.duckdb'));
    try {
      const meta = JSON.parse((await handleApiRequest('/api/meta', {}, engine)).body) as { data_as_of: string; filters: { as_of: string[] } };
      expect(meta.filters.as_of).toEqual(['2024-01-31', '2024-02-29', '2024-03-31']);
      expect(meta.data_as_of).toBe('2024-03-31');
      const res = await handleApiRequest('/api/slices/cfo_kpis', {}, engine);
      expect(res.status).toBe(200);
      const tiles = JSON.parse(res.body) as { rows: { kpi: string; value: unknown }[]; notes: string[]; meta: { month: string } };
      expect(tiles.meta.month).toBe('2024-02-01');
      expect(tiles.notes[0]).toBe('showing 2024-02, the last complete month; 2024-03 is in progress (15 days of data)');
      // February as it was: I2 2,900 open (not due), I1 collected, so CEI 3,100 / 3,100
      const value = (k: string) => tiles.rows.find((r) => r.kpi === k)!.value;
      expect([Number(value('open_ar')), value('cei'), value('overdue_pct')]).toEqual([2900, 100, 0]);
      // the partial month is there when asked for, flagged as in progress
      const march = JSON.parse((await handleApiRequest('/api/slices/cfo_kpis', { as_of: '2024-03-31' }, engine)).body) as typeof tiles;
      expect(march.meta.month).toBe('2024-03-01');
      expect(march.notes[0]).toMatch(/2024-03 is still in progress/);
      expect(Number(march.rows.find((r) => r.kpi === 'open_ar')!.value)).toBe(1500);
    } finally {
      await engine.close();
    }
  });

  it('takes a later extract date from the config (the export date, not the last event)', async () => {
    writeFileSync(join(work, 'creditlake.config.json'), JSON.stringify({ extract_date: '2024-03-20' }));
    const b = await cli(work, 'build');
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/partial month: March 2024 has data for 20 of 31 days/);
    const [march] = await queryRows(work, `SELECT days_elapsed, dso_period_end FROM dso_monthly WHERE group_by = 'ALL' AND month = DATE '2024-03-01'`);
    expect(march).toMatchObject({ days_elapsed: 20 });
    expect(march!.dso_period_end as number).toBeCloseTo(20, 9);
  });
});

describe('feeds that lag and ledgers that lack what a figure needs', () => {
  it('warns when payments stop weeks before invoices, and --strict turns it into exit 1', async () => {
    const work = workFolder('lagging-feed');
    await ingestAll(work, [
      ['customers', CUSTOMERS_HEADER, CUSTOMERS],
      ['invoices', INVOICES_HEADER, INVOICES],
      ['payments', PAYMENTS_HEADER, [['P1', 'C1', '2024-02-10', '3100.00', 'EUR']]],
      ['payment_allocations', ALLOCATIONS_HEADER, [['P1', 'I1', '3100.00']]],
      ['collection_actions', ACTIONS_HEADER, [
        ['A1', 'C1', 'I1', '2024-02-09', 'reminder', 'email', '0.50'],
        ['A2', 'C1', 'I2', '2024-03-11', 'reminder', 'email', '0.50'],
      ]],
    ]);
    const b = await cli(work, 'build');
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/warning: payments ends 2024-02-10, 34 days behind the freshest feed \(2024-03-15\)/);
    // February's collections stop on the 10th: not a complete month either, though the invoices run on
    expect(b.stdout).toContain('partial month: February 2024 is not covered by every feed: payments end 2024-02-10');
    expect(await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, is_complete, is_latest_complete FROM kpi_summary ORDER BY month`)).toEqual([
      { m: '2024-01-01', is_complete: true, is_latest_complete: true },
      { m: '2024-02-01', is_complete: false, is_latest_complete: false },
      { m: '2024-03-01', is_complete: false, is_latest_complete: false },
    ]);
    // The weeks and days say the same (they used to count as complete up to the data end, 15 March):
    // the week of 5 February (Friday the 9th) is covered, the week of 12 February no longer.
    const weeks = await queryRows(work, `SELECT CAST(week_start AS VARCHAR) AS w, bool_and(is_complete) AS every, bool_or(is_complete) AS some
      FROM cash_flow_weekly GROUP BY 1 ORDER BY 1`);
    expect(weeks.map((w) => `${w.w} ${w.every}/${w.some}`)).toEqual([
      '2024-01-01 true/true', '2024-01-08 true/true', '2024-01-15 true/true', '2024-01-22 true/true', '2024-01-29 true/true',
      '2024-02-05 true/true', '2024-02-12 false/false', '2024-02-19 false/false', '2024-02-26 false/false',
      '2024-03-04 false/false', '2024-03-11 false/false',
    ]);
    const days = await queryRows(work, `SELECT CAST(action_date AS VARCHAR) AS d, bool_and(is_complete) AS c FROM collection_activity_daily
      WHERE action_date IN (DATE '2024-02-09', DATE '2024-02-10', DATE '2024-02-11', DATE '2024-03-11') GROUP BY 1 ORDER BY 1`);
    expect(days).toEqual([
      { d: '2024-02-09', c: true }, { d: '2024-02-10', c: true }, { d: '2024-02-11', c: false }, { d: '2024-03-11', c: false },
    ]);
    // and the monthly view of the same actions agrees
    expect(await queryRows(work, `SELECT DISTINCT CAST(month AS VARCHAR) AS m, is_complete FROM collection_costs_monthly ORDER BY 1`)).toEqual([
      { m: '2024-02-01', is_complete: false }, { m: '2024-03-01', is_complete: false },
    ]);
    const strict = await cli(work, 'build', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/build --strict: \d+ warning/);
    const [p] = await queryRows(work, `SELECT is_lagging, days_behind FROM source_freshness WHERE feed = 'payments'`);
    expect(p).toEqual({ is_lagging: true, days_behind: 34 });
  }, 120_000);

  it('says which figures are not meaningful on customers and invoices only (no payments)', async () => {
    const work = workFolder('no-payments');
    await ingestAll(work, [
      ['customers', CUSTOMERS_HEADER, CUSTOMERS],
      ['invoices', INVOICES_HEADER, INVOICES],
    ]);
    const b = await cli(work, 'build');
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/not meaningful: DSO, CEI.*no payments and no settled dates/);
    const strict = await cli(work, 'build', '--strict', '--json');
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout) as { checks: { not_meaningful: { figures: string }[] } };
    expect(report.checks.not_meaningful.map((n) => n.figures)).toEqual([expect.stringMatching(/^DSO, CEI/), expect.stringMatching(/^customer_risk/)]);
  }, 120_000);

  it('says after ingest that the warehouse is stale until build, and ingest --build does both', async () => {
    const work = workFolder('stale');
    const first = await cli(work, 'ingest', writeCsv(work, 'customers', CUSTOMERS_HEADER, CUSTOMERS), '--table', 'customers');
    expect(first.stderr).toMatch(/no warehouse yet: run `creditlake build`/);
    const both = await cli(work, 'ingest', writeCsv(work, 'invoices', INVOICES_HEADER, INVOICES), '--table', 'invoices', '--build');
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/ok: \d+ marts written/);
    expect(both.stderr).not.toMatch(/stale/);
    const later = await cli(work, 'ingest', writeCsv(work, 'payments', PAYMENTS_HEADER, [['P1', 'C1', '2024-02-10', '3100.00', 'EUR']]), '--table', 'payments');
    expect(later.stderr).toMatch(/the warehouse is stale until `creditlake build`/);
  }, 120_000);
});
