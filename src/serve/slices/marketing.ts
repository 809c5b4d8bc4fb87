import { monthStart, param } from '../params.js';
import { asOfOf, customerWhere, defineSlice, requireMart } from './common.js';
import type { Bind } from './common.js';


/** The latest as-of month of a customer-level mart on or before the requested date. */
function latestMonthSql(mart: string): string {
  return `(SELECT MAX(as_of_month) FROM ${mart} WHERE as_of_month <= CAST($m AS DATE))`;
}

export const priorityQuadrant = defineSlice({
  name: 'priority_quadrant',
  page: 'marketing',
  description: 'Credit score × T12M revenue per customer, bubble = open AR, with the priority',
  requires: ['customer_priority', 'customers'],
  shape: {
    as_of: param.asOf.optional(),
    segment: param.segment.optional(),
    sbi_section: param.sbiSection.optional(),
    country: param.country.optional(),
    size: param.size.optional(),
    priority: param.priority.optional(),
  },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_priority');
    const asOf = asOfOf(catalog, p.as_of);
    const w = customerWhere(catalog, p);
    const bind: Bind = { ...w.bind, m: monthStart(asOf) };
    let extra = '';
    if (p.priority) {
      extra = ' AND cp.priority = $priority';
      bind.priority = p.priority;
    }
    const { rows } = await engine.query(
      `SELECT cp.customer_id, c.name, cp.score, cp.revenue_t12m, cp.open_ar, cp.priority, cp.priority_reason
       FROM customer_priority cp JOIN customers c ON c.customer_id = cp.customer_id
       WHERE cp.as_of_month = ${latestMonthSql('customer_priority')} AND ${w.sql}${extra}
       ORDER BY cp.revenue_t12m DESC, cp.customer_id LIMIT 400`,
      bind,
    );
    return { rows, notes: w.notes };
  },
});

export const segmentTable = defineSlice({
  name: 'segment_table',
  page: 'marketing',
  description: 'Segments (SBI section × size × score band) with revenue, risk and priority',
  requires: ['segment_priority'],
  shape: {
    as_of: param.asOf.optional(),
    sbi_section: param.sbiSection.optional(),
    size: param.size.optional(),
    score_band: param.scoreBand.optional(),
  },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'segment_priority');
    const asOf = asOfOf(catalog, p.as_of);
    const parts = [`as_of_month = ${latestMonthSql('segment_priority')}`];
    const bind: Bind = { m: monthStart(asOf) };
    if (p.sbi_section) (parts.push('sbi_section = $sbi_section'), (bind.sbi_section = p.sbi_section));
    if (p.size) (parts.push('size_class = $size'), (bind.size = p.size));
    if (p.score_band) (parts.push('score_band = $score_band'), (bind.score_band = p.score_band));
    const { rows } = await engine.query(
      `SELECT sbi_section, size_class, score_band, customers, revenue_t12m, revenue_growth, mean_score,
              industry_bankruptcy_rate, mean_days_late, headroom, priority, priority_reason
       FROM segment_priority WHERE ${parts.join(' AND ')}
       ORDER BY revenue_t12m DESC, sbi_section, size_class, score_band LIMIT 300`,
      bind,
    );
    return { rows };
  },
});

export const risingIndustries = defineSlice({
  name: 'rising_industries',
  page: 'marketing',
  description: 'SBI sections whose bankruptcy rate rose vs the previous quarter',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional() },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'bankruptcy_rates_by_industry');
    const asOf = asOfOf(catalog, p.as_of);
    const { rows } = await engine.query(
      `SELECT CAST(period_start AS VARCHAR) AS period_start, sbi_section, rate_per_1000, previous_rate_per_1000,
              rate_per_1000 - previous_rate_per_1000 AS change
       FROM bankruptcy_rates_by_industry
       WHERE period_type = 'quarter' AND period_start = (
         SELECT MAX(period_start) FROM bankruptcy_rates_by_industry
         WHERE period_type = 'quarter' AND period_start <= CAST($as_of AS DATE))
         AND rate_per_1000 > previous_rate_per_1000
       ORDER BY change DESC, sbi_section`,
      { as_of: asOf },
    );
    return { rows };
  },
});

export const priorityList = defineSlice({
  name: 'priority_list',
  page: 'marketing',
  description: 'Prioritised customer list (ranked) for export',
  requires: ['customer_priority', 'customers'],
  shape: {
    as_of: param.asOf.optional(),
    segment: param.segment.optional(),
    sbi_section: param.sbiSection.optional(),
    country: param.country.optional(),
    size: param.size.optional(),
    priority: param.priority.optional(),
    limit: param.limit(1000).optional(),
  },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_priority');
    const asOf = asOfOf(catalog, p.as_of);
    const w = customerWhere(catalog, p);
    const bind: Bind = { ...w.bind, m: monthStart(asOf), lim: p.limit ?? 100 };
    let extra = '';
    if (p.priority) (extra = ' AND cp.priority = $priority'), (bind.priority = p.priority);
    const { rows } = await engine.query(
      `SELECT cp.priority_rank, cp.customer_id, c.name, c.country, cp.priority, cp.priority_reason,
              cp.score, cp.revenue_t12m, cp.open_ar, cp.headroom
       FROM customer_priority cp JOIN customers c ON c.customer_id = cp.customer_id
       WHERE cp.as_of_month = ${latestMonthSql('customer_priority')} AND ${w.sql}${extra}
       ORDER BY cp.priority_rank, cp.customer_id LIMIT $lim`,
      bind,
    );
    return { rows, notes: w.notes };
  },
});

export const marketingSlices = [priorityQuadrant, segmentTable, risingIndustries, priorityList];
