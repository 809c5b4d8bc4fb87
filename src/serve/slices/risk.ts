import { monthStart, param } from '../params.js';
import { asOfOf, customerWhere, defineSlice, rangeOf, requireMart, type Bind } from './common.js';

const customerShape = {
  as_of: param.asOf.optional(),
  segment: param.segment.optional(),
  sbi_section: param.sbiSection.optional(),
  country: param.country.optional(),
  size: param.size.optional(),
};

function latestMonthSql(mart: string): string {
  return `(SELECT MAX(as_of_month) FROM ${mart} WHERE as_of_month <= CAST($m AS DATE))`;
}

export const bankruptcyHeatmap = defineSlice({
  name: 'bankruptcy_heatmap',
  page: 'risk',
  description: 'Bankruptcy rate per 1,000 monitored companies, SBI section × quarter, with the national CBS rate',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional(), period: param.period.optional() },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'bankruptcy_rates_by_industry');
    const r = rangeOf(catalog, { ...p, period: p.period ?? '24m' });
    const { rows } = await engine.query(
      `SELECT CAST(period_start AS VARCHAR) AS period_start, sbi_section, monitored, bankruptcies, rate_per_1000, national_rate_per_1000
       FROM bankruptcy_rates_by_industry
       WHERE period_type = 'quarter' AND period_start BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       ORDER BY period_start, sbi_section`,
      { from: r.from, to: r.to },
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
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_risk');
    const w = customerWhere(catalog, p);
    const { rows } = await engine.query(
      `SELECT CASE WHEN r.insolvent THEN 'insolvent' ELSE COALESCE(r.common_band, 'not rated') END AS band,
              COUNT(*) AS customers, SUM(r.open_ar) AS open_ar
       FROM customer_risk r JOIN customers c ON c.customer_id = r.customer_id
       WHERE r.as_of_month = ${latestMonthSql('customer_risk')} AND ${w.sql}
       GROUP BY 1 ORDER BY 1`,
      { ...w.bind, m: monthStart(asOfOf(catalog, p.as_of)) },
    );
    return { rows, notes: w.notes };
  },
});

export const fallingScores = defineSlice({
  name: 'falling_scores',
  page: 'risk',
  description: 'Customers whose score fell most over the last 3 months',
  requires: ['customer_risk', 'customers'],
  shape: customerShape,
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_risk');
    const w = customerWhere(catalog, p);
    const { rows } = await engine.query(
      `SELECT r.customer_id, c.name, r.score, r.score_change_3m, r.score_change_12m, r.common_band, r.open_ar
       FROM customer_risk r JOIN customers c ON c.customer_id = r.customer_id
       WHERE r.as_of_month = ${latestMonthSql('customer_risk')} AND r.score_change_3m < 0 AND ${w.sql}
       ORDER BY r.score_change_3m, r.customer_id LIMIT 25`,
      { ...w.bind, m: monthStart(asOfOf(catalog, p.as_of)) },
    );
    return { rows, notes: w.notes };
  },
});

export const limitUtilisation = defineSlice({
  name: 'limit_utilisation',
  page: 'risk',
  description: 'Credit-limit utilisation of customers at the as-of date, in bands, and who is over the limit',
  requires: ['credit_limit_utilisation', 'customers'],
  shape: customerShape,
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'credit_limit_utilisation');
    const w = customerWhere(catalog, p);
    const bind: Bind = { ...w.bind, as_of: asOfOf(catalog, p.as_of) };
    const { rows } = await engine.query(
      `SELECT CASE WHEN u.utilisation IS NULL THEN 'no limit'
                   WHEN u.utilisation <= 0.5 THEN '0-50%'
                   WHEN u.utilisation <= 0.8 THEN '50-80%'
                   WHEN u.utilisation <= 1 THEN '80-100%'
                   ELSE '>100%' END AS band,
              COUNT(*) AS customers, SUM(u.open_ar) AS open_ar
       FROM credit_limit_utilisation u JOIN customers c ON c.customer_id = u.customer_id
       WHERE u.as_of_date = (SELECT MAX(as_of_date) FROM credit_limit_utilisation WHERE as_of_date <= CAST($as_of AS DATE))
         AND ${w.sql}
       GROUP BY 1 ORDER BY 1`,
      bind,
    );
    return { rows, notes: w.notes };
  },
});

export const riskAlerts = defineSlice({
  name: 'risk_alerts',
  page: 'risk',
  description: 'The latest risk alerts (score drops, insolvencies, over limit, industry rates rising)',
  requires: ['risk_alerts', 'customers'],
  shape: customerShape,
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'risk_alerts');
    const w = customerWhere(catalog, p);
    const { rows } = await engine.query(
      `SELECT CAST(a.alert_date AS VARCHAR) AS alert_date, a.customer_id, c.name, a.reason, a.detail
       FROM risk_alerts a JOIN customers c ON c.customer_id = a.customer_id
       WHERE a.alert_date <= CAST($as_of AS DATE) AND ${w.sql}
       ORDER BY a.alert_date DESC, a.customer_id LIMIT 50`,
      { ...w.bind, as_of: asOfOf(catalog, p.as_of) },
    );
    return { rows, notes: w.notes };
  },
});

export const riskSlices = [bankruptcyHeatmap, exposureAtRisk, fallingScores, limitUtilisation, riskAlerts];
