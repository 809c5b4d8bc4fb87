import type { Row } from '../../warehouse/engine.js';
import { addMonths, groupFilterShape, monthStart, param } from '../params.js';
import { asOfOf, customerWhere, defineSlice, groupWhere, rangeOf, requireMart } from './common.js';

const periodShape = { as_of: param.asOf.optional(), period: param.period.optional(), ...groupFilterShape };
const month = (col: string) => `CAST(date_trunc('month', ${col}) AS DATE)`;

/** Headline tiles: this month, the month before, the same month a year ago, and the target. */
export const cfoKpis = defineSlice({
  name: 'cfo_kpis',
  page: 'cfo',
  description: 'KPI tiles: open AR, overdue %, DSO, BPDSO, ADD, CEI, write-offs, expected cash 13 weeks',
  requires: ['dso_monthly'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  async run({ engine, catalog, settings }, p) {
    requireMart(catalog, 'dso_monthly');
    const asOf = asOfOf(catalog, p.as_of);
    const m0 = monthStart(asOf);
    const months = { m0, m1: addMonths(m0, -1), m12: addMonths(m0, -12) };
    const g = groupWhere(catalog, 'dso_monthly', p);
    const { rows } = await engine.query(
      `SELECT CAST(${month('month')} AS VARCHAR) AS m, ar_end, 100 - pct_current AS overdue_pct,
              dso, bpdso, avg_days_delinquent, cei
       FROM dso_monthly
       WHERE ${g.sql} AND ${month('month')} IN (CAST($m0 AS DATE), CAST($m1 AS DATE), CAST($m12 AS DATE))`,
      { ...g.bind, ...months },
    );
    const at = (m: string) => rows.find((r) => r.m === m);
    const tile = (kpi: string, unit: string, col: string, target: number | null = null): Row => ({
      kpi,
      unit,
      value: at(months.m0)?.[col] ?? null,
      previous: at(months.m1)?.[col] ?? null,
      year_ago: at(months.m12)?.[col] ?? null,
      target,
      unavailable: null,
    });
    const tiles: Row[] = [
      tile('open_ar', 'money', 'ar_end'),
      tile('overdue_pct', 'pct', 'overdue_pct', settings.overduePctTarget),
      tile('dso', 'days', 'dso', settings.dsoTargetDays),
      tile('bpdso', 'days', 'bpdso'),
      tile('add', 'days', 'avg_days_delinquent'),
      tile('cei', 'pct', 'cei', settings.ceiTargetPct),
    ];
    tiles.push(await writeOffTile({ engine, catalog }, p, months));
    tiles.push(await forecastTile({ engine, catalog }, asOf));
    return { rows: tiles, notes: g.notes, meta: { as_of: asOf, month: m0 } };
  },
});

async function writeOffTile(
  { engine, catalog }: { engine: import('../../warehouse/engine.js').WarehouseEngine; catalog: import('../catalog.js').Catalog },
  p: Parameters<typeof groupWhere>[2],
  months: { m0: string; m1: string; m12: string },
): Promise<Row> {
  const base: Row = { kpi: 'write_offs', unit: 'money', value: null, previous: null, year_ago: null, target: null, unavailable: null };
  if (!catalog.has('write_offs_monthly')) return { ...base, unavailable: 'write_offs_monthly' };
  const g = groupWhere(catalog, 'write_offs_monthly', p);
  const { rows } = await engine.query(
    `SELECT CAST(${month('month')} AS VARCHAR) AS m, SUM(written_off) AS v FROM write_offs_monthly
     WHERE ${g.sql} AND ${month('month')} IN (CAST($m0 AS DATE), CAST($m1 AS DATE), CAST($m12 AS DATE))
     GROUP BY 1`,
    { ...g.bind, ...months },
  );
  const at = (m: string) => rows.find((r) => r.m === m)?.v ?? '0.00';
  return { ...base, value: at(months.m0), previous: at(months.m1), year_ago: at(months.m12) };
}

async function forecastTile(
  { engine, catalog }: { engine: import('../../warehouse/engine.js').WarehouseEngine; catalog: import('../catalog.js').Catalog },
  asOf: string,
): Promise<Row> {
  const base: Row = { kpi: 'expected_cash_13w', unit: 'money', value: null, previous: null, year_ago: null, target: null, unavailable: null };
  if (!catalog.has('cash_forecast_13w')) return { ...base, unavailable: 'cash_forecast_13w' };
  const { rows } = await engine.query(
    `SELECT SUM(expected_amount) AS v FROM cash_forecast_13w
     WHERE forecast_date = (SELECT MAX(forecast_date) FROM cash_forecast_13w WHERE forecast_date <= CAST($as_of AS DATE))`,
    { as_of: asOf },
  );
  return { ...base, value: rows[0]?.v ?? null };
}

export const dsoTrend = defineSlice({
  name: 'dso_trend',
  page: 'cfo',
  description: 'DSO per month with BPDSO, ADD, CEI and a 3-month rolling average',
  requires: ['dso_monthly'],
  shape: periodShape,
  async run({ engine, catalog, settings }, p) {
    requireMart(catalog, 'dso_monthly');
    const r = rangeOf(catalog, p);
    const g = groupWhere(catalog, 'dso_monthly', p);
    const { rows } = await engine.query(
      `SELECT month, dso, dso_rolling_3m, bpdso, avg_days_delinquent, cei, pct_current FROM (
         SELECT CAST(${month('month')} AS VARCHAR) AS month, dso, bpdso, avg_days_delinquent, cei, pct_current,
                AVG(dso) OVER (ORDER BY month ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS dso_rolling_3m
         FROM dso_monthly WHERE ${g.sql} AND month <= CAST($to AS DATE)) x
       WHERE month >= $from ORDER BY month`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: g.notes, meta: { dso_target: settings.dsoTargetDays } };
  },
});

export const agingTrend = defineSlice({
  name: 'aging_trend',
  page: 'cfo',
  description: 'Open AR per aging bucket at each month end (amount and count)',
  requires: ['ar_aging'],
  shape: periodShape,
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_aging');
    const r = rangeOf(catalog, p);
    const g = groupWhere(catalog, 'ar_aging', p);
    const { rows } = await engine.query(
      `SELECT CAST(as_of_date AS VARCHAR) AS as_of_date, bucket, open_amount, open_count FROM ar_aging
       WHERE ${g.sql} AND as_of_date BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       ORDER BY as_of_date, ${catalog.hasColumn('ar_aging', 'bucket_order') ? 'bucket_order' : 'bucket'}`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: g.notes };
  },
});

export const arRollforward = defineSlice({
  name: 'ar_rollforward',
  page: 'cfo',
  description: 'AR roll-forward of the as-of month: begin, invoiced, credit notes, collected, written off, end',
  requires: ['ar_rollforward'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_rollforward');
    const asOf = asOfOf(catalog, p.as_of);
    const g = groupWhere(catalog, 'ar_rollforward', p);
    const { rows } = await engine.query(
      `SELECT CAST(${month('month')} AS VARCHAR) AS month, ar_begin, invoiced, credit_notes, collected, written_off, ar_end
       FROM ar_rollforward WHERE ${g.sql} AND ${month('month')} = CAST($m AS DATE)`,
      { ...g.bind, m: monthStart(asOf) },
    );
    return { rows, notes: g.notes };
  },
});

export const writeOffsTrend = defineSlice({
  name: 'write_offs_trend',
  page: 'cfo',
  description: 'Write-offs, their total cost and the bad-debt ratio per month',
  requires: ['write_offs_monthly'],
  shape: periodShape,
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'write_offs_monthly');
    const r = rangeOf(catalog, p);
    const g = groupWhere(catalog, 'write_offs_monthly', p);
    const { rows } = await engine.query(
      `SELECT CAST(${month('month')} AS VARCHAR) AS month, written_off, total_cost, bad_debt_ratio, bad_debt_ratio_12m
       FROM write_offs_monthly
       WHERE ${g.sql} AND month BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) ORDER BY month`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: g.notes };
  },
});

export const cashVsForecast = defineSlice({
  name: 'cash_vs_forecast',
  page: 'cfo',
  description: 'Cash received per week against what the 13-week forecast expected for that week',
  requires: ['cash_flow_weekly', 'cash_forecast_backtest'],
  shape: { as_of: param.asOf.optional(), period: param.period.optional() },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'cash_flow_weekly');
    requireMart(catalog, 'cash_forecast_backtest');
    const r = rangeOf(catalog, p);
    const { rows } = await engine.query(
      `SELECT CAST(w.week_start AS VARCHAR) AS week, w.cash_received AS received, b.forecast_amount AS forecast
       FROM cash_flow_weekly w LEFT JOIN cash_forecast_backtest b ON b.week_start = w.week_start
       WHERE w.week_start BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) ORDER BY w.week_start`,
      { from: r.from, to: r.to },
    );
    return { rows };
  },
});

export const topOverdue = defineSlice({
  name: 'top_overdue',
  page: 'cfo',
  description: 'The 20 customers with the most overdue AR at the as-of date',
  requires: ['ar_open_items', 'customers'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_open_items');
    requireMart(catalog, 'customers');
    const asOf = asOfOf(catalog, p.as_of);
    const w = customerWhere(catalog, p);
    const { rows } = await engine.query(
      `SELECT o.customer_id, MAX(c.name) AS name, MAX(c.country) AS country,
              SUM(CASE WHEN o.days_past_due > 0 THEN o.open_amount ELSE 0 END) AS overdue_amount,
              SUM(o.open_amount) AS open_amount,
              SUM(CASE WHEN o.days_past_due > 0 THEN 1 ELSE 0 END) AS overdue_items,
              MAX(o.days_past_due) AS max_days_past_due
       FROM ar_open_items o JOIN customers c ON c.customer_id = o.customer_id
       WHERE o.as_of_date = CAST($as_of AS DATE) AND ${w.sql}
       GROUP BY o.customer_id
       HAVING SUM(CASE WHEN o.days_past_due > 0 THEN o.open_amount ELSE 0 END) > 0
       ORDER BY overdue_amount DESC, o.customer_id LIMIT 20`,
      { ...w.bind, as_of: asOf },
    );
    return { rows, notes: w.notes };
  },
});

export const customerOpenItems = defineSlice({
  name: 'customer_open_items',
  page: 'cfo',
  description: "One customer's open invoices at the as-of date (drill-down from the top overdue list)",
  requires: ['ar_open_items'],
  shape: { as_of: param.asOf.optional(), customer_id: param.customerId },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_open_items');
    const asOf = asOfOf(catalog, p.as_of);
    const { rows } = await engine.query(
      `SELECT document_id, CAST(due_date AS VARCHAR) AS due_date, open_amount, days_past_due, bucket
       FROM ar_open_items WHERE as_of_date = CAST($as_of AS DATE) AND customer_id = $customer_id
       ORDER BY days_past_due DESC, document_id LIMIT 500`,
      { as_of: asOf, customer_id: p.customer_id },
    );
    return { rows };
  },
});

export const cfoSlices = [cfoKpis, dsoTrend, agingTrend, arRollforward, writeOffsTrend, cashVsForecast, topOverdue, customerOpenItems];
