import { groupFilterShape, monthStart, param } from '../params.js';
import { cfoKpis } from './kpis.js';
import { asOfOf, customerRows, defineSlice, groupWhere, rangeOf, requireMart } from './common.js';
import { MartMissing } from './types.js';

const periodShape = { as_of: param.asOf.optional(), period: param.period.optional(), ...groupFilterShape };
const W12 = 'ORDER BY month ROWS BETWEEN 11 PRECEDING AND CURRENT ROW';
const month = (col: string) => `CAST(date_trunc('month', ${col}) AS DATE)`;

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

/**
 * Write-offs per month with the bad-debt ratio (%, month and rolling 12 months). From the
 * write-off mart when built (it adds the collection costs spent on the debt); until then from the
 * roll-forward, which has the written-off amount and credit sales of every customer group.
 */
export const writeOffsTrend = defineSlice({
  name: 'write_offs_trend',
  page: 'cfo',
  description: 'Write-offs, their total cost and the bad-debt ratio per month',
  requires: [],
  shape: periodShape,
  async run({ engine, catalog }, p) {
    const r = rangeOf(catalog, p);
    if (catalog.has('write_offs_monthly')) {
      const g = groupWhere(catalog, 'write_offs_monthly', p);
      const { rows } = await engine.query(
        `SELECT CAST(${month('month')} AS VARCHAR) AS month, written_off, total_cost,
                100 * bad_debt_ratio AS bad_debt_ratio, 100 * bad_debt_ratio_12m AS bad_debt_ratio_12m,
                100 * ceiling_ratio AS ceiling_pct, over_ceiling
         FROM write_offs_monthly
         WHERE ${g.sql} AND month BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) ORDER BY month`,
        { ...g.bind, from: r.from, to: r.to },
      );
      return { rows, notes: g.notes };
    }
    if (!catalog.has('ar_rollforward')) throw new MartMissing('write_offs_monthly');
    const g = groupWhere(catalog, 'ar_rollforward', p);
    const { rows } = await engine.query(
      `SELECT month, written_off, bad_debt_ratio, bad_debt_ratio_12m FROM (
         SELECT CAST(${month('month')} AS VARCHAR) AS month, written_off,
                CASE WHEN invoiced + credit_notes > 0 THEN 100.0 * written_off / (invoiced + credit_notes) END AS bad_debt_ratio,
                CASE WHEN SUM(invoiced + credit_notes) OVER (${W12}) > 0
                     THEN 100.0 * SUM(written_off) OVER (${W12}) / SUM(invoiced + credit_notes) OVER (${W12}) END AS bad_debt_ratio_12m
         FROM ar_rollforward WHERE ${g.sql} AND month <= CAST($to AS DATE)) x
       WHERE month >= $from ORDER BY month`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: [...g.notes, 'write-off costs need mart write_offs_monthly: showing amounts written off'] };
  },
});

/**
 * Cash received vs forecast: the 13 weeks after the latest back-tested forecast date (what the
 * forecast expected against what came in on those items), then the open 13-week forecast ahead.
 */
export const cashVsForecast = defineSlice({
  name: 'cash_vs_forecast',
  page: 'cfo',
  description: 'Weekly receipts against the 13-week forecast (back-test), then the forecast ahead',
  requires: ['cash_forecast_backtest'],
  shape: { as_of: param.asOf.optional() },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'cash_forecast_backtest');
    const asOf = asOfOf(catalog, p.as_of);
    const back = await engine.query(
      `SELECT CAST(week_start AS VARCHAR) AS week, actual AS received, forecast, CAST(forecast_date AS VARCHAR) AS forecast_date, overall_wape
       FROM cash_forecast_backtest
       WHERE forecast_date = (SELECT MAX(forecast_date) FROM cash_forecast_backtest WHERE forecast_date <= CAST($as_of AS DATE))
       ORDER BY week_start`,
      { as_of: asOf },
    );
    let ahead: typeof back.rows = [];
    if (catalog.has('cash_forecast_13w')) {
      ahead = (
        await engine.query(
          `SELECT CAST(week_start AS VARCHAR) AS week, CAST(NULL AS DECIMAL(18,2)) AS received, expected_receipts AS forecast,
                  CAST(forecast_date AS VARCHAR) AS forecast_date
           FROM cash_forecast_13w
           WHERE forecast_date = (SELECT MAX(forecast_date) FROM cash_forecast_13w WHERE forecast_date <= CAST($as_of AS DATE))
           ORDER BY week_start`,
          { as_of: asOf },
        )
      ).rows;
    }
    const lastBack = back.rows[back.rows.length - 1]?.week;
    const rows = [
      ...back.rows.map(({ overall_wape: _w, ...r }) => r),
      ...ahead.filter((r) => lastBack === undefined || String(r.week) > String(lastBack)),
    ];
    const wape = back.rows[0]?.overall_wape ?? null;
    const fd = back.rows[0]?.forecast_date;
    return { rows, meta: { backtest_forecast_date: typeof fd === 'string' ? fd : null, overall_wape: typeof wape === 'number' ? wape : null } };
  },
});

export const topOverdue = defineSlice({
  name: 'top_overdue',
  page: 'cfo',
  description: 'The 20 customers with the most overdue AR at the as-of date',
  requires: ['ar_open_items', 'customers'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  run: (ctx, p) =>
    customerRows(ctx, ['ar_open_items', 'customers'], p, (where) =>
      `SELECT o.customer_id, MAX(c.name) AS name, MAX(c.country) AS country,
              SUM(CASE WHEN o.days_past_due > 0 THEN o.open_amount ELSE 0 END) AS overdue_amount,
              SUM(o.open_amount) AS open_amount,
              SUM(CASE WHEN o.days_past_due > 0 THEN 1 ELSE 0 END) AS overdue_items,
              MAX(o.days_past_due) AS max_days_past_due
       FROM ar_open_items o JOIN customers c ON c.customer_id = o.customer_id
       WHERE o.as_of_date = CAST($as_of AS DATE) AND ${where}
       GROUP BY o.customer_id
       HAVING SUM(CASE WHEN o.days_past_due > 0 THEN o.open_amount ELSE 0 END) > 0
       ORDER BY overdue_amount DESC, o.customer_id LIMIT 20`,
    ),
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
