import { note } from '../notes.js';
import { z } from 'zod';
import type { Catalog } from '../catalog.js';
import { ALERT_TYPES } from '../contract.js';
import { EXPORT_LIMIT, groupFilterShape, param } from '../params.js';
import { customerRows, defineSlice, periodRows } from './common.js';
import { latestAsOfSql } from './marketing.js';

const customerShape = { as_of: param.asOf.optional(), ...groupFilterShape };

const SECTION_ROWS = `b.period_type = 'quarter' AND b.sbi_division = 'ALL'`;

/** Whether the quarter lies wholly inside the data (a quarter of one month is marked, not drawn as whole). */
function completeSql(catalog: Catalog): string {
  return catalog.hasColumn('bankruptcy_rates_by_industry', 'period_complete') ? 'b.period_complete' : 'CAST(NULL AS BOOLEAN)';
}

export const bankruptcyHeatmap = defineSlice({
  name: 'bankruptcy_heatmap',
  page: 'risk',
  description: 'Bankruptcy rate per 1,000 monitored companies, SBI section × quarter, with the national CBS rate',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional(), period: param.period.optional() },
  kinds: { period_start: 'quarter', sbi_section: 'enum', rate_per_1000: 'number', national_rate_per_1000: 'number', period_complete: 'bool' },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'bankruptcy_rates_by_industry', p,
      `SELECT CAST(b.period_start AS VARCHAR) AS period_start, b.sbi_section, b.monitored_at_start AS monitored, b.bankruptcies,
              b.rate_per_1000, COALESCE(b.national_rate_per_1000, b.national_baseline_per_1000) AS national_rate_per_1000,
              ${completeSql(ctx.catalog)} AS period_complete
       FROM bankruptcy_rates_by_industry b
       WHERE ${SECTION_ROWS} AND b.sbi_section NOT IN ('ALL', 'unknown')
         AND b.period_start BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       ORDER BY b.period_start, b.sbi_section`,
    );
    return { rows, notes: [note('national_rate')] };
  },
});

export const bankruptcyVsNational = defineSlice({
  name: 'bankruptcy_vs_national',
  page: 'risk',
  description: 'Bankruptcy rate of all monitored companies per quarter beside the national CBS rate',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional(), period: param.period.optional() },
  kinds: { period_start: 'quarter', rate_per_1000: 'number', national_rate_per_1000: 'number', period_complete: 'bool' },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'bankruptcy_rates_by_industry', p,
      `SELECT CAST(b.period_start AS VARCHAR) AS period_start, b.rate_per_1000, b.monitored_at_start AS monitored, b.bankruptcies,
              COALESCE(b.national_rate_per_1000, b.national_baseline_per_1000) AS national_rate_per_1000,
              ${completeSql(ctx.catalog)} AS period_complete
       FROM bankruptcy_rates_by_industry b
       WHERE ${SECTION_ROWS} AND b.sbi_section = 'ALL' AND b.period_start BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       ORDER BY b.period_start`,
    );
    return { rows };
  },
});

export const exposureAtRisk = defineSlice({
  name: 'exposure_at_risk',
  page: 'risk',
  description: 'Open AR per common score band at the as-of month (insolvent customers apart)',
  requires: ['customer_risk', 'dim_customers'],
  shape: customerShape,
  kinds: { band: 'enum' },
  async run(ctx, p) {
    const { rows, notes, ignored } = await customerRows(ctx, 'customer_risk', p, (where) =>
      `SELECT CASE WHEN r.insolvency_flag THEN 'insolvent' ELSE r.common_band_label END AS band,
              MIN(CASE WHEN r.insolvency_flag THEN 9 ELSE COALESCE(r.common_band, 6) END) AS band_order,
              COUNT(*) AS customers, SUM(r.open_ar) AS open_ar, SUM(r.overdue_ar) AS overdue_ar
       FROM customer_risk r JOIN dim_customers c ON c.customer_id = r.customer_id
       WHERE r.as_of_date = ${latestAsOfSql('customer_risk')} AND ${where}
       GROUP BY 1 ORDER BY 2`,
    );
    return { rows, notes, ignored };
  },
});

export const fallingScores = defineSlice({
  name: 'falling_scores',
  page: 'risk',
  description: 'Customers whose score fell or band worsened over the last 3 months',
  requires: ['customer_risk', 'dim_customers'],
  shape: { ...customerShape, limit: EXPORT_LIMIT },
  kinds: { common_band_label: 'enum', score_change_3m: 'signed', score_change_12m: 'signed', band_change_3m: 'signed', score: 'number', provider: 'enum' },
  run: (ctx, p) =>
    customerRows(ctx, 'customer_risk', p, (where) =>
      `SELECT r.customer_id, c.name, r.provider, r.score, r.score_change_3m, r.score_change_12m, r.common_band_label, r.band_change_3m, r.open_ar,
              COUNT(*) OVER () AS total_rows
       FROM customer_risk r JOIN dim_customers c ON c.customer_id = r.customer_id
       WHERE r.as_of_date = ${latestAsOfSql('customer_risk')} AND (r.score_change_3m < 0 OR r.band_change_3m > 0) AND ${where}
       ORDER BY COALESCE(r.band_change_3m, 0) DESC, COALESCE(r.score_change_3m, 0), r.open_ar DESC, r.customer_id LIMIT $lim`,
      { lim: p.limit ?? 25 },
    ),
});

export const limitUtilisation = defineSlice({
  name: 'limit_utilisation',
  page: 'risk',
  description: 'Credit-limit utilisation of customers at the as-of date, in bands, and who is over the limit',
  requires: ['credit_limit_utilisation', 'dim_customers'],
  shape: customerShape,
  kinds: { band: 'enum', band_order: 'int' },
  run: (ctx, p) =>
    customerRows(ctx, 'credit_limit_utilisation', p, (where) =>
      `SELECT band, COUNT(*) AS customers, SUM(open_ar) AS open_ar FROM (
         SELECT u.open_ar,
                CASE WHEN u.utilisation IS NULL THEN 'no limit'
                     WHEN u.utilisation <= 0.5 THEN '0-50%'
                     WHEN u.utilisation <= 0.8 THEN '50-80%'
                     WHEN u.utilisation <= 1 THEN '80-100%'
                     ELSE '>100%' END AS band,
                CASE WHEN u.utilisation IS NULL THEN 5 WHEN u.utilisation <= 0.5 THEN 1 WHEN u.utilisation <= 0.8 THEN 2
                     WHEN u.utilisation <= 1 THEN 3 ELSE 4 END AS band_order
         FROM credit_limit_utilisation u JOIN dim_customers c ON c.customer_id = u.customer_id
         WHERE u.as_of_date = ${latestAsOfSql('credit_limit_utilisation')} AND ${where}) x
       GROUP BY band, band_order ORDER BY band_order`,
    ),
});

/** Typed detail columns of risk_alerts, as the slice returns them (open AR and limit at the alert, not now). */
const ALERT_DETAIL_COLUMNS: [string, string, string][] = [
  ['provider', 'provider', 'VARCHAR'],
  ['value_before', 'value_before', 'DOUBLE'],
  ['value_after', 'value_after', 'DOUBLE'],
  ['open_ar', 'alert_open_ar', 'DECIMAL(18,2)'],
  ['credit_limit', 'alert_credit_limit', 'DECIMAL(18,2)'],
  ['subject', 'subject', 'VARCHAR'],
  ['reference', 'reference', 'VARCHAR'],
];

/** Severity rank of an alert reason: ALERT_TYPES is ordered most severe first. */
const SEVERITY_SQL = `CASE a.reason ${ALERT_TYPES.map((t, i) => `WHEN '${t}' THEN ${i + 1}`).join(' ')} ELSE ${ALERT_TYPES.length + 1} END`;

/**
 * Risk alerts of the configured window up to the as-of date, most severe first and, within a
 * severity, largest exposure (the customer's open AR now) first, so an insolvency on the as-of day
 * is never buried under 50 "over limit" alerts. Counts per type come with the list; `alert_type`
 * filters it.
 */
export const riskAlerts = defineSlice({
  name: 'risk_alerts',
  page: 'risk',
  description: 'Risk alerts of the last days ranked by severity, then exposure; counts per type',
  requires: ['risk_alerts', 'dim_customers'],
  shape: {
    ...customerShape,
    alert_type: z.enum(ALERT_TYPES, { error: `alert_type must be one of ${ALERT_TYPES.join(', ')}` }).optional(),
    limit: EXPORT_LIMIT,
  },
  kinds: { reason: 'enum', severity: 'int', exposure: 'money', subject: 'enum', value_before: 'number', value_after: 'number' },
  async run(ctx, p) {
    const window = ctx.settings.alertWindowDays;
    const exposure = ctx.catalog.has('customer_risk')
      ? `(SELECT MAX(r.open_ar) FROM customer_risk r WHERE r.customer_id = a.customer_id AND r.as_of_date = ${latestAsOfSql('customer_risk')})`
      : 'CAST(NULL AS DECIMAL(18,2))';
    // What changed, typed, so the page words it in its own language (builds before these columns: NULL).
    const detailColumns = ALERT_DETAIL_COLUMNS.map(([c, alias, type]) =>
      `${ctx.catalog.hasColumn('risk_alerts', c) ? `a.${c}` : `CAST(NULL AS ${type})`} AS ${alias}`,
    ).join(', ');
    const dialectSince = ctx.engine.dialect.addDays('CAST($as_of AS DATE)', -window);
    const base = (where: string) => `FROM risk_alerts a JOIN dim_customers c ON c.customer_id = a.customer_id
       WHERE a.alert_date <= CAST($as_of AS DATE) AND a.alert_date > ${dialectSince} AND ${where}`;
    const typeFilter = p.alert_type ? ' AND a.reason = $alert_type' : '';
    const list = await customerRows(ctx, ['risk_alerts', 'dim_customers'], p, (where) =>
      `SELECT a.customer_id, c.name, a.reason, ${SEVERITY_SQL} AS severity, CAST(a.alert_date AS VARCHAR) AS alert_date, a.detail, ${detailColumns},
              ${exposure} AS exposure, COUNT(*) OVER () AS total_rows
       ${base(where)}${typeFilter}
       ORDER BY severity, exposure DESC NULLS LAST, a.alert_date DESC, a.customer_id LIMIT $lim`,
      { lim: p.limit ?? 50, ...(p.alert_type ? { alert_type: p.alert_type } : {}) },
    );
    const counts = await customerRows(ctx, ['risk_alerts', 'dim_customers'], p, (where) =>
      `SELECT a.reason, COUNT(*) AS alerts ${base(where)} GROUP BY a.reason`,
    );
    const byType: Record<string, number> = Object.fromEntries(ALERT_TYPES.map((t) => [t, 0]));
    for (const r of counts.rows) byType[String(r.reason)] = Number(r.alerts);
    return { rows: list.rows, notes: list.notes, ignored: list.ignored, meta: { counts: byType, window_days: window } };
  },
});

export const riskSlices = [bankruptcyHeatmap, bankruptcyVsNational, exposureAtRisk, fallingScores, limitUtilisation, riskAlerts];
