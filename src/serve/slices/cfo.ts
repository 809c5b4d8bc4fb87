import type { Row } from '../../warehouse/engine.js';
import { GROUP_FILTERS, groupFilterShape, monthStart, param, EXPORT_LIMIT } from '../params.js';
import { cfoKpis } from './kpis.js';
import { asOfOf, customerRows, defineSlice, groupWhere, rangeOf, requireMart } from './common.js';
import { MartMissing } from './types.js';
import { note } from '../notes.js';
import { CREDIT_BALANCE_BUCKET, UNAPPLIED_CASH_BUCKET } from '../../warehouse/compile/aging.js';

const periodShape = { as_of: param.asOf.optional(), period: param.period.optional(), ...groupFilterShape };
const W12 = 'ORDER BY month ROWS BETWEEN 11 PRECEDING AND CURRENT ROW';
const month = (col: string) => `CAST(date_trunc('month', ${col}) AS DATE)`;

export const dsoTrend = defineSlice({
  name: 'dso_trend',
  page: 'cfo',
  description: 'DSO per month with BPDSO, ADD, CEI and a 3-month rolling average',
  requires: ['dso_monthly'],
  shape: periodShape,
  kinds: { month: 'month', dso: 'days', dso_rolling_3m: 'days', bpdso: 'days', avg_days_delinquent: 'days', cei: 'pct', pct_current: 'pct', is_complete: 'bool' },
  async run({ engine, catalog, settings }, p) {
    requireMart(catalog, 'dso_monthly');
    const r = rangeOf(catalog, p);
    const g = groupWhere(catalog, 'dso_monthly', p);
    const { rows } = await engine.query(
      `SELECT month, dso, dso_rolling_3m, bpdso, avg_days_delinquent, cei, pct_current, is_complete FROM (
         SELECT CAST(${month('month')} AS VARCHAR) AS month, dso, bpdso, avg_days_delinquent, cei, pct_current,
                ${catalog.hasColumn('dso_monthly', 'is_complete') ? 'is_complete' : 'CAST(NULL AS BOOLEAN) AS is_complete'},
                AVG(dso) OVER (ORDER BY month ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS dso_rolling_3m
         FROM dso_monthly WHERE ${g.sql} AND month <= CAST($to AS DATE)) x
       WHERE month >= $from ORDER BY month`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: g.notes, ignored: g.ignored, meta: { dso_target: settings.targets.dso_days, cei_target: settings.targets.cei_pct } };
  },
});

/** Buckets that are not aged debit balances: money owed to customers, shown apart from the aging. */
export const CREDIT_BUCKETS: readonly string[] = [UNAPPLIED_CASH_BUCKET, CREDIT_BALANCE_BUCKET];

/**
 * Aging per month end. Each row carries the bucket's order and kind (`aging` for debit balances by
 * days past due, `credit` for unapplied cash and credit balances) and, for aging buckets, its share
 * of the month's aged debit balances: the shares add to 100 % and the credit side is shown apart.
 */
export const agingTrend = defineSlice({
  name: 'aging_trend',
  page: 'cfo',
  description: 'Open AR per aging bucket at each month end (amount, count, share of aged debit balances), credit balances apart',
  requires: ['ar_aging'],
  shape: periodShape,
  kinds: { as_of_date: 'date', bucket: 'enum', bucket_kind: 'enum', share_pct: 'pct' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_aging');
    const r = rangeOf(catalog, p);
    const g = groupWhere(catalog, 'ar_aging', p);
    const order = catalog.hasColumn('ar_aging', 'bucket_order') ? 'bucket_order' : 'NULL';
    const credit = CREDIT_BUCKETS.map((b) => `'${b.replace(/'/g, "''")}'`).join(', ');
    const { rows } = await engine.query(
      `SELECT as_of_date, bucket, bucket_order, bucket_kind, open_amount, open_count,
              CASE WHEN bucket_kind = 'aging' AND SUM(CASE WHEN bucket_kind = 'aging' THEN open_amount END) OVER (PARTITION BY as_of_date) > 0
                   THEN 100 * CAST(open_amount AS DOUBLE) / NULLIF(CAST(SUM(CASE WHEN bucket_kind = 'aging' THEN open_amount END) OVER (PARTITION BY as_of_date) AS DOUBLE), 0) END AS share_pct
       FROM (SELECT CAST(as_of_date AS VARCHAR) AS as_of_date, bucket, CAST(${order} AS INTEGER) AS bucket_order,
                    CASE WHEN bucket IN (${credit}) THEN 'credit' ELSE 'aging' END AS bucket_kind, open_amount, open_count
             FROM ar_aging
             WHERE ${g.sql} AND as_of_date BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)) a
       ORDER BY as_of_date, bucket_order, bucket`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: g.notes, ignored: g.ignored };
  },
});

export const arRollforward = defineSlice({
  name: 'ar_rollforward',
  page: 'cfo',
  description: 'AR roll-forward of the as-of month: begin, invoiced, credit notes, collected, written off, end',
  requires: ['ar_rollforward'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  kinds: { month: 'month' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_rollforward');
    const asOf = asOfOf(catalog, p.as_of);
    const g = groupWhere(catalog, 'ar_rollforward', p);
    const { rows } = await engine.query(
      `SELECT CAST(${month('month')} AS VARCHAR) AS month, ar_begin, invoiced, credit_notes, collected, written_off, ar_end
       FROM ar_rollforward WHERE ${g.sql} AND ${month('month')} = CAST($m AS DATE)`,
      { ...g.bind, m: monthStart(asOf) },
    );
    return { rows, notes: g.notes, ignored: g.ignored };
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
  kinds: { month: 'month', bad_debt_ratio: 'pct', bad_debt_ratio_12m: 'pct', ceiling_pct: 'pct' },
  async run({ engine, catalog, settings }, p) {
    const r = rangeOf(catalog, p);
    const meta = { bad_debt_target: settings.targets.bad_debt_pct };
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
      return { rows, notes: g.notes, ignored: g.ignored, meta };
    }
    if (!catalog.has('ar_rollforward')) throw new MartMissing('write_offs_monthly');
    const g = groupWhere(catalog, 'ar_rollforward', p);
    const { rows } = await engine.query(
      `SELECT month, written_off, bad_debt_ratio, bad_debt_ratio_12m FROM (
         SELECT CAST(${month('month')} AS VARCHAR) AS month, written_off,
                100 * CAST(written_off AS DOUBLE) / NULLIF(CAST(CASE WHEN invoiced + credit_notes > 0 THEN invoiced + credit_notes END AS DOUBLE), 0) AS bad_debt_ratio,
                100 * CAST(SUM(written_off) OVER (${W12}) AS DOUBLE)
                    / NULLIF(CAST(CASE WHEN SUM(invoiced + credit_notes) OVER (${W12}) > 0 THEN SUM(invoiced + credit_notes) OVER (${W12}) END AS DOUBLE), 0) AS bad_debt_ratio_12m
         FROM ar_rollforward WHERE ${g.sql} AND month <= CAST($to AS DATE)) x
       WHERE month >= $from ORDER BY month`,
      { ...g.bind, from: r.from, to: r.to },
    );
    return { rows, notes: [...g.notes, note('write_off_costs_missing')], ignored: g.ignored, meta };
  },
});

/**
 * Cash received vs forecast, like with like. The back-test is the forecast made at an earlier month
 * end F against the cash received in the 13 weeks after F on the items open at F (new invoices
 * are in neither), so it measures the forecast and is not the company's total receipts. The open
 * forecast ahead is its own series, from the as-of month end.
 */
export const cashVsForecast = defineSlice({
  name: 'cash_vs_forecast',
  page: 'cfo',
  description: 'Back-test: forecast made at a past month end vs cash received on the items open then; then the forecast ahead',
  requires: ['cash_forecast_backtest'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  kinds: { week: 'date', phase: 'enum', received_on_items: 'money', forecast_backtest: 'money', forecast_ahead: 'money' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'cash_forecast_backtest');
    const asOf = asOfOf(catalog, p.as_of);
    const back = await engine.query(
      `SELECT CAST(week_start AS VARCHAR) AS week, actual, forecast, CAST(forecast_date AS VARCHAR) AS forecast_date, overall_wape
       FROM cash_forecast_backtest
       WHERE forecast_date = (SELECT MAX(forecast_date) FROM cash_forecast_backtest WHERE forecast_date <= CAST($as_of AS DATE))
       ORDER BY week_start`,
      { as_of: asOf },
    );
    let ahead: Row[] = [];
    let aheadDate: string | null = null;
    if (catalog.has('cash_forecast_13w')) {
      ahead = (
        await engine.query(
          `SELECT CAST(week_start AS VARCHAR) AS week, expected_receipts, CAST(forecast_date AS VARCHAR) AS forecast_date
           FROM cash_forecast_13w
           WHERE forecast_date = (SELECT MAX(forecast_date) FROM cash_forecast_13w WHERE forecast_date <= CAST($as_of AS DATE))
           ORDER BY week_start`,
          { as_of: asOf },
        )
      ).rows;
      aheadDate = typeof ahead[0]?.forecast_date === 'string' ? ahead[0].forecast_date : null;
    }
    const rows: Row[] = [
      ...back.rows.map((r) => ({ week: r.week ?? null, phase: 'backtest', received_on_items: r.actual ?? null, forecast_backtest: r.forecast ?? null, forecast_ahead: null })),
      ...ahead.map((r) => ({ week: r.week ?? null, phase: 'ahead', received_on_items: null, forecast_backtest: null, forecast_ahead: r.expected_receipts ?? null })),
    ];
    const wape = back.rows[0]?.overall_wape ?? null;
    const fd = back.rows[0]?.forecast_date;
    const set = GROUP_FILTERS.filter((f) => p[f] !== undefined);
    return {
      rows,
      ignored: set,
      notes: set.length ? [note('cash_forecast_portfolio')] : [],
      meta: {
        backtest_forecast_date: typeof fd === 'string' ? fd : null,
        ahead_forecast_date: aheadDate,
        overall_wape: typeof wape === 'number' ? wape : wape === null ? null : Number(wape),
      },
    };
  },
});

export const topOverdue = defineSlice({
  name: 'top_overdue',
  page: 'cfo',
  description: 'The 20 customers with the most overdue AR at the as-of date',
  requires: ['ar_open_items', 'dim_customers'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape, limit: EXPORT_LIMIT },
  run: (ctx, p) =>
    customerRows(ctx, ['ar_open_items', 'dim_customers'], p, (where) =>
      `SELECT o.customer_id, MAX(c.name) AS name, MAX(c.country) AS country, COUNT(*) OVER () AS total_rows,
              SUM(CASE WHEN o.days_past_due > 0 THEN o.open_amount ELSE 0 END) AS overdue_amount,
              SUM(o.open_amount) AS open_amount,
              SUM(CASE WHEN o.days_past_due > 0 THEN 1 ELSE 0 END) AS overdue_items,
              MAX(o.days_past_due) AS max_days_past_due
       FROM ar_open_items o JOIN dim_customers c ON c.customer_id = o.customer_id
       WHERE o.as_of_date = CAST($as_of AS DATE) AND ${where}
       GROUP BY o.customer_id
       HAVING SUM(CASE WHEN o.days_past_due > 0 THEN o.open_amount ELSE 0 END) > 0
       ORDER BY overdue_amount DESC, o.customer_id LIMIT $lim`,
      { lim: p.limit ?? 20 },
    ),
});

export const customerOpenItems = defineSlice({
  name: 'customer_open_items',
  page: 'customer',
  description: "One customer's open invoices at the as-of date (drill-down from the top overdue list)",
  requires: ['ar_open_items'],
  shape: { as_of: param.asOf.optional(), customer_id: param.customerId, limit: EXPORT_LIMIT },
  kinds: { bucket: 'enum', document_type: 'enum' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'ar_open_items');
    const asOf = asOfOf(catalog, p.as_of);
    const { rows } = await engine.query(
      `SELECT document_id, document_type, CAST(invoice_date AS VARCHAR) AS invoice_date, CAST(due_date AS VARCHAR) AS due_date,
              original_amount, open_amount, days_past_due, bucket, COUNT(*) OVER () AS total_rows
       FROM ar_open_items WHERE as_of_date = CAST($as_of AS DATE) AND customer_id = $customer_id
       ORDER BY days_past_due DESC NULLS LAST, document_id LIMIT $lim`,
      { as_of: asOf, customer_id: p.customer_id, lim: p.limit ?? 500 },
    );
    return { rows };
  },
});

export const cfoSlices = [cfoKpis, dsoTrend, agingTrend, arRollforward, writeOffsTrend, cashVsForecast, topOverdue, customerOpenItems];
