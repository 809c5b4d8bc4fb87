import { groupFilterShape, param } from '../params.js';
import { asOfOf, customerRows, defineSlice, requireMart, type Bind } from './common.js';

/** The latest as-of date of a month-end mart on or before the requested one. */
export function latestAsOfSql(mart: string): string {
  return `(SELECT MAX(as_of_date) FROM ${mart} WHERE as_of_date <= CAST($as_of AS DATE))`;
}

const customerShape = { as_of: param.asOf.optional(), ...groupFilterShape, priority: param.priority.optional() };

/** The optional priority filter of the customer_priority slices: its condition on `cp` and binding. */
function priorityFilter(priority: string | undefined): { sql: string; bind: Bind } {
  return priority ? { sql: ' AND cp.priority = $priority', bind: { priority } } : { sql: '', bind: {} };
}

export const priorityQuadrant = defineSlice({
  name: 'priority_quadrant',
  page: 'marketing',
  description: 'Credit score (0-100 scales) × T12M revenue per customer, bubble = open AR, with the priority',
  requires: ['customer_priority', 'customer_risk', 'customers'],
  shape: customerShape,
  async run(ctx, p) {
    const f = priorityFilter(p.priority);
    const { rows, notes: whereNotes } = await customerRows(ctx, 'customer_priority', p, (where) =>
      `SELECT cp.customer_id, c.name, r.score, r.provider, cp.common_band_label, cp.revenue_t12m, cp.open_ar, cp.priority, cp.reason
       FROM customer_priority cp
       JOIN customers c ON c.customer_id = cp.customer_id
       LEFT JOIN customer_risk r ON r.customer_id = cp.customer_id AND r.as_of_date = cp.as_of_date
       WHERE cp.as_of_date = ${latestAsOfSql('customer_priority')} AND ${where}${f.sql}
       ORDER BY cp.revenue_t12m DESC, cp.customer_id LIMIT 400`,
      f.bind,
    );
    // Letter ratings (Graydon) have no numeric score: they cannot be placed on the score axis.
    const scored = rows.filter((r) => r.score !== null);
    const notes = [...whereNotes];
    if (scored.length < rows.length) notes.push(`${rows.length - scored.length} customers without a numeric score are left out (see the prioritised list)`);
    return { rows: scored, notes };
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
    priority: param.priority.optional(),
  },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'segment_priority');
    const parts = [`as_of_date = ${latestAsOfSql('segment_priority')}`];
    const bind: Bind = { as_of: asOfOf(catalog, p.as_of) };
    const add = (cond: string, key: string, v: string | undefined) => {
      if (v === undefined) return;
      parts.push(cond);
      bind[key] = v;
    };
    add('sbi_section = $sbi_section', 'sbi_section', p.sbi_section);
    add('size_class = $size', 'size', p.size);
    add('common_band_label = $score_band', 'score_band', p.score_band);
    add('priority = $priority', 'priority', p.priority);
    const { rows } = await engine.query(
      `SELECT sbi_section, size_class, common_band_label AS score_band, customers, revenue_t12m, revenue_growth,
              mean_common_band, industry_rate_per_1000, mean_days_late_12m, headroom, priority, reason
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
  description: 'SBI sections whose quarterly bankruptcy rate rose vs the quarter before',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional() },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'bankruptcy_rates_by_industry');
    const names = catalog.has('ref_sbi_sections');
    const { rows } = await engine.query(
      `SELECT CAST(b.period_start AS VARCHAR) AS period_start, b.sbi_section${names ? ', s.name AS section_name' : ''},
              b.rate_per_1000, b.prev_rate_per_1000, b.rate_change_per_1000, b.national_rate_per_1000
       FROM bankruptcy_rates_by_industry b
       ${names ? 'LEFT JOIN ref_sbi_sections s ON s.sbi_section = b.sbi_section' : ''}
       WHERE b.period_type = 'quarter' AND b.sbi_division = 'ALL' AND b.sbi_section NOT IN ('ALL', 'unknown')
         AND b.period_start = (SELECT MAX(period_start) FROM bankruptcy_rates_by_industry
                               WHERE period_type = 'quarter' AND period_end <= CAST($as_of AS DATE))
         AND b.rate_change_per_1000 > 0
       ORDER BY b.rate_change_per_1000 DESC, b.sbi_section`,
      { as_of: asOfOf(catalog, p.as_of) },
    );
    return { rows };
  },
});

export const priorityList = defineSlice({
  name: 'priority_list',
  page: 'marketing',
  description: 'Prioritised customer list (ranked) for export',
  requires: ['customer_priority', 'customers'],
  shape: { ...customerShape, limit: param.limit(1000).optional() },
  async run(ctx, p) {
    const f = priorityFilter(p.priority);
    return customerRows(ctx, 'customer_priority', p, (where) =>
      `SELECT cp.priority_rank, cp.customer_id, c.name, c.country, cp.priority, cp.reason, cp.sbi_section,
              cp.common_band_label AS score_band, cp.revenue_t12m, cp.open_ar, cp.headroom
       FROM customer_priority cp JOIN customers c ON c.customer_id = cp.customer_id
       WHERE cp.as_of_date = ${latestAsOfSql('customer_priority')} AND ${where}${f.sql}
       ORDER BY cp.priority_rank, cp.customer_id LIMIT $lim`,
      { lim: p.limit ?? 500, ...f.bind },
    );
  },
});

export const marketingSlices = [priorityQuadrant, segmentTable, risingIndustries, priorityList];
