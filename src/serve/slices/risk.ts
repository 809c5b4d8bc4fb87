import { groupFilterShape, param } from '../params.js';
import { customerRows, defineSlice, periodRows } from './common.js';
import { latestAsOfSql } from './marketing.js';

const customerShape = { as_of: param.asOf.optional(), ...groupFilterShape };

const SECTION_ROWS = `b.period_type = 'quarter' AND b.sbi_division = 'ALL'`;

export const bankruptcyHeatmap = defineSlice({
  name: 'bankruptcy_heatmap',
  page: 'risk',
  description: 'Bankruptcy rate per 1,000 monitored companies, SBI section × quarter, with the national CBS rate',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional(), period: param.period.optional() },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'bankruptcy_rates_by_industry', p,
      `SELECT CAST(b.period_start AS VARCHAR) AS period_start, b.sbi_section, b.monitored_at_start AS monitored, b.bankruptcies,
              b.rate_per_1000, COALESCE(b.national_rate_per_1000, b.national_baseline_per_1000) AS national_rate_per_1000
       FROM bankruptcy_rates_by_industry b
       WHERE ${SECTION_ROWS} AND b.sbi_section NOT IN ('ALL', 'unknown')
         AND b.period_start BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       ORDER BY b.period_start, b.sbi_section`,
    );
    return { rows, notes: ['national rate: CBS bankruptcies / firms of the section where CBS covers the quarter, else the CBS baseline'] };
  },
});

export const bankruptcyVsNational = defineSlice({
  name: 'bankruptcy_vs_national',
  page: 'risk',
  description: 'Bankruptcy rate of all monitored companies per quarter beside the national CBS rate',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional(), period: param.period.optional() },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'bankruptcy_rates_by_industry', p,
      `SELECT CAST(b.period_start AS VARCHAR) AS period_start, b.rate_per_1000,
              COALESCE(b.national_rate_per_1000, b.national_baseline_per_1000) AS national_rate_per_1000
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
  requires: ['customer_risk', 'customers'],
  shape: customerShape,
  async run(ctx, p) {
    const { rows, notes } = await customerRows(ctx, 'customer_risk', p, (where) =>
      `SELECT CASE WHEN r.insolvency_flag THEN 'insolvent' ELSE r.common_band_label END AS band,
              MIN(CASE WHEN r.insolvency_flag THEN 9 ELSE COALESCE(r.common_band, 6) END) AS band_order,
              COUNT(*) AS customers, SUM(r.open_ar) AS open_ar, SUM(r.overdue_ar) AS overdue_ar
       FROM customer_risk r JOIN customers c ON c.customer_id = r.customer_id
       WHERE r.as_of_date = ${latestAsOfSql('customer_risk')} AND ${where}
       GROUP BY 1 ORDER BY 2`,
    );
    return { rows: rows.map(({ band_order: _o, ...r }) => r), notes };
  },
});

export const fallingScores = defineSlice({
  name: 'falling_scores',
  page: 'risk',
  description: 'Customers whose score fell or band worsened over the last 3 months',
  requires: ['customer_risk', 'customers'],
  shape: customerShape,
  run: (ctx, p) =>
    customerRows(ctx, 'customer_risk', p, (where) =>
      `SELECT r.customer_id, c.name, r.provider, r.score, r.score_change_3m, r.score_change_12m, r.common_band_label, r.band_change_3m, r.open_ar
       FROM customer_risk r JOIN customers c ON c.customer_id = r.customer_id
       WHERE r.as_of_date = ${latestAsOfSql('customer_risk')} AND (r.score_change_3m < 0 OR r.band_change_3m > 0) AND ${where}
       ORDER BY COALESCE(r.band_change_3m, 0) DESC, COALESCE(r.score_change_3m, 0), r.open_ar DESC, r.customer_id LIMIT 25`,
    ),
});

export const limitUtilisation = defineSlice({
  name: 'limit_utilisation',
  page: 'risk',
  description: 'Credit-limit utilisation of customers at the as-of date, in bands, and who is over the limit',
  requires: ['credit_limit_utilisation', 'customers'],
  shape: customerShape,
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
         FROM credit_limit_utilisation u JOIN customers c ON c.customer_id = u.customer_id
         WHERE u.as_of_date = ${latestAsOfSql('credit_limit_utilisation')} AND ${where}) x
       GROUP BY band, band_order ORDER BY band_order`,
    ),
});

export const riskAlerts = defineSlice({
  name: 'risk_alerts',
  page: 'risk',
  description: 'The latest risk alerts (score drops, insolvencies, over limit, industry rates rising)',
  requires: ['risk_alerts', 'customers'],
  shape: customerShape,
  run: (ctx, p) =>
    customerRows(ctx, 'risk_alerts', p, (where) =>
      `SELECT CAST(a.alert_date AS VARCHAR) AS alert_date, a.customer_id, c.name, a.reason, a.detail
       FROM risk_alerts a JOIN customers c ON c.customer_id = a.customer_id
       WHERE a.alert_date <= CAST($as_of AS DATE) AND ${where}
       ORDER BY a.alert_date DESC, a.customer_id, a.reason LIMIT 50`,
    ),
});

export const riskSlices = [bankruptcyHeatmap, bankruptcyVsNational, exposureAtRisk, fallingScores, limitUtilisation, riskAlerts];
