/**
 * KPI suite B end to end: generate a ledger (60 customers × 14 months), ingest it, build, and check
 * every row of cash_flow_weekly/monthly ('ALL' and segments), cash_forecast_13w, cash_forecast_backtest
 * and kpi_summary against values recomputed here from the generated CSVs in integer cents
 * (test/support/cash-ledger-model.ts, cash-forecast-reference.ts), never from the model SQL.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { generateLedger } from '../../src/generator/index.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { buildWarehouse, type BuildReport } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import type { Row } from '../../src/warehouse/engine.js';
import { actualAfter, forecastAt, WEEKS } from '../support/cash-forecast-reference.js';
import { CashLedger, dayOf, daysInMonth, isoOf, money, monthIndex, monthStartOf, toCents, weekdayOf } from '../support/cash-ledger-model.js';

const config: Config = { ...defaultConfig(), duckdb: { threads: 1 } };
let L: CashLedger;
let report: BuildReport;
let q: (sql: string) => Promise<Row[]>;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'creditlake-kpi-b-'));
  const outDir = join(root, 'data');
  const lakeRoot = join(root, 'lake');
  await generateLedger({ customers: 60, months: 14, seed: '23', outDir });
  for (const table of CANONICAL_TABLES) {
    const file = join(outDir, `${table.name}.csv`);
    if (!existsSync(file)) continue;
    const res = await ingestFiles({ lakeRoot, table, files: [file], threads: 1 });
    expect(res.ok, `ingest ${table.name}`).toBe(true);
  }
  report = await buildWarehouse({
    lakeRoot,
    config,
    select: ['+cash_flow_weekly', '+cash_flow_monthly', '+cash_forecast_13w', '+cash_forecast_backtest', '+kpi_summary'],
  });
  q = (sql) => withDuckDB({ path: report.warehouse, readOnly: true, threads: 1 }, async (db) => (await db.query(sql)).rows);
  L = new CashLedger(outDir);
}, 300_000);

const sumBy = <T>(xs: readonly T[], key: (x: T) => string | undefined, cents: (x: T) => number) => {
  const m = new Map<string, number>();
  for (const x of xs) {
    const k = key(x);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + cents(x));
  }
  return (k: string) => m.get(k) ?? 0;
};

describe('KPI suite B on a generated ledger', () => {
  it('builds with every data test passing', () => {
    expect(report.tests.filter((t) => !t.ok).map((t) => t.name)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('cash_flow_monthly: every month, ALL and per segment, from the CSVs', async () => {
    const month = (day: number) => isoOf(monthStartOf(monthIndex(day)));
    const cash = sumBy(L.payments, (p) => month(p.day), (p) => p.cents);
    const invoiced = sumBy(L.documents, (d) => (d.type === 'invoice' ? month(d.day) : undefined), (d) => d.cents);
    const credited = sumBy(L.documents, (d) => (d.type === 'credit_note' ? month(d.day) : undefined), (d) => d.cents);
    const written = sumBy(L.writeOffs, (w) => month(w.day), (w) => w.cents);
    const segCash = sumBy(L.payments, (p) => `${month(p.day)}|${L.segmentOf(p.customer)}`, (p) => p.cents);
    const rows = await q(`SELECT * FROM cash_flow_monthly WHERE group_by IN ('ALL', 'segment') ORDER BY month, group_by, group_value`);
    const all = rows.filter((r) => r.group_by === 'ALL');
    expect(all.map((r) => r.month)).toEqual(L.monthEnds().map((d) => isoOf(monthStartOf(monthIndex(d)))));
    for (const r of all) {
      const m = r.month as string;
      const mEnd = dayOf(r.month_end as string);
      const expected = {
        cash_received: money(cash(m)), invoiced: money(invoiced(m)), credit_notes: money(credited(m)), written_off: money(written(m)),
        net_change_ar: money(invoiced(m) + credited(m) - cash(m) - written(m)),
        ar_begin: money(L.arAt(dayOf(m) - 1)), ar_end: money(L.arAt(mEnd)),
      };
      expect({ month: m, ...pick(r, Object.keys(expected)) }).toEqual({ month: m, ...expected });
    }
    for (const r of rows.filter((x) => x.group_by === 'segment')) {
      expect(r.cash_received, `${r.month} ${r.group_value}`).toBe(money(segCash(`${r.month}|${r.group_value}`)));
    }
  });

  it('cash_flow_weekly: every ISO week from the first event to the last', async () => {
    const monday = (day: number) => day - weekdayOf(day);
    const cash = sumBy(L.payments, (p) => String(monday(p.day)), (p) => p.cents);
    const sales = sumBy(L.documents, (d) => String(monday(d.day)), (d) => d.cents);
    const written = sumBy(L.writeOffs, (w) => String(monday(w.day)), (w) => w.cents);
    const rows = await q(`SELECT week_start, week_end, iso_year, iso_week, cash_received, credit_sales, written_off FROM cash_flow_weekly WHERE group_by = 'ALL' ORDER BY week_start`);
    const first = monday(L.firstDay);
    expect(rows).toHaveLength((monday(L.lastDay) - first) / 7 + 1);
    rows.forEach((r, i) => {
      const start = first + 7 * i;
      const thursday = new Date((start + 3) * 86_400_000);
      const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1) / 86_400_000;
      expect(r).toEqual({
        week_start: isoOf(start), week_end: isoOf(start + 6), iso_year: thursday.getUTCFullYear(), iso_week: Math.floor((start + 3 - jan1) / 7) + 1,
        cash_received: money(cash(String(start))), credit_sales: money(sales(String(start))), written_off: money(written(String(start))),
      });
    });
  });

  it('cash_forecast_13w: the forecast at the last month end, week by week, to the cent', async () => {
    const F = L.monthEnds().at(-1)!;
    const ref = forecastAt(L, F, config);
    const rows = await q(`SELECT * FROM cash_forecast_13w ORDER BY horizon_week`);
    expect(rows.map((r) => r.forecast_date)).toEqual(Array(WEEKS).fill(isoOf(F)));
    expect(rows.map((r) => r.expected_receipts)).toEqual(ref.weeks.map(money));
    expect(rows.map((r) => Number(r.open_items_count))).toEqual(ref.counts);
    expect(rows.map((r) => r.open_amount)).toEqual(ref.openByWeek.map(money));
    expect(rows.map((r) => r.week_start)).toEqual(ref.weeks.map((_, k) => isoOf(F + 7 * k + 1)));
    expect(ref.weeks.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
  });

  it('cash_forecast_backtest: forecast and actual of every past month end with 13 weeks after it', async () => {
    const dates = L.monthEnds().filter((F) => F + 7 * WEEKS <= L.lastDay);
    expect(dates.length).toBeGreaterThanOrEqual(8);
    const rows = await q(`SELECT forecast_date, horizon_week, forecast, actual, horizon_wape FROM cash_forecast_backtest ORDER BY forecast_date, horizon_week`);
    expect(rows).toHaveLength(dates.length * WEEKS);
    const absErr = Array(WEEKS).fill(0) as number[];
    const actualSum = Array(WEEKS).fill(0) as number[];
    for (const [i, F] of dates.entries()) {
      const f = forecastAt(L, F, config).weeks;
      const a = actualAfter(L, F);
      const mine = rows.slice(i * WEEKS, (i + 1) * WEEKS);
      expect(mine.map((r) => [r.forecast_date, r.forecast, r.actual])).toEqual(f.map((x, k) => [isoOf(F), money(x), money(a[k]!)]));
      f.forEach((x, k) => {
        absErr[k] = absErr[k]! + Math.abs(x - a[k]!);
        actualSum[k] = actualSum[k]! + a[k]!;
      });
    }
    for (const r of rows.slice(0, WEEKS)) {
      const k = (r.horizon_week as number) - 1;
      expect(r.horizon_wape as number).toBeCloseTo((absErr[k]! / actualSum[k]!) * 100, 9);
    }
  });

  it('kpi_summary: every month from the CSVs, with month-on-month and year-on-year changes', async () => {
    const rows = await q(`SELECT * FROM kpi_summary ORDER BY month`);
    const ends = L.monthEnds();
    expect(rows).toHaveLength(ends.length);
    const byMonth = new Map<number, Record<string, number>>();
    for (const end of ends) {
      const m = monthIndex(end);
      const inMonth = (day: number) => monthIndex(day) === m;
      const sales = L.documents.filter((d) => inMonth(d.day)).reduce((s, d) => s + d.cents, 0);
      byMonth.set(m, {
        open_ar: L.arAt(end),
        overdue_ar: L.overdueAt(end),
        credit_sales: sales,
        cash_received: L.payments.filter((p) => inMonth(p.day)).reduce((s, p) => s + p.cents, 0),
        written_off: L.writeOffs.filter((w) => inMonth(w.day)).reduce((s, w) => s + w.cents, 0),
        collection_costs: L.actions.filter((a) => inMonth(a.day)).reduce((s, a) => s + a.cents, 0),
        refused_decisions: L.refusals.filter(inMonth).length,
        expected_cash_13w: forecastAt(L, end, config).weeks.reduce((s, x) => s + x, 0),
      });
    }
    let yoyChecked = 0;
    for (const r of rows) {
      const m = monthIndex(dayOf(r.month as string));
      const v = byMonth.get(m)!;
      for (const k of ['open_ar', 'overdue_ar', 'credit_sales', 'cash_received', 'written_off', 'collection_costs', 'expected_cash_13w']) {
        expect(r[k], `${r.month} ${k}`).toBe(money(v[k]!));
      }
      expect(Number(r.refused_decisions)).toBe(v.refused_decisions);
      const days = daysInMonth(m);
      if (v.credit_sales !== 0) expect(r.dso as number).toBeCloseTo((v.open_ar! / v.credit_sales!) * days, 9);
      const prev = byMonth.get(m - 1);
      const ago = byMonth.get(m - 12);
      expect(r.open_ar_mom).toBe(prev ? money(v.open_ar! - prev.open_ar!) : null);
      expect(r.cash_received_mom).toBe(prev ? money(v.cash_received! - prev.cash_received!) : null);
      expect(r.open_ar_yoy).toBe(ago ? money(v.open_ar! - ago.open_ar!) : null);
      expect(r.expected_cash_13w_yoy).toBe(ago ? money(v.expected_cash_13w! - ago.expected_cash_13w!) : null);
      if (ago) yoyChecked++;
    }
    expect(yoyChecked).toBeGreaterThanOrEqual(2);
    expect(toCents(rows.at(-1)!.open_ar as string)).toBe(L.arAt(ends.at(-1)!));
  });
});

function pick(r: Row, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}
