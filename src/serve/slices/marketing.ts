import { EXPORT_LIMIT, groupFilterShape, param } from '../params.js';
import { countNote, note } from '../notes.js';
import { asOfOf, customerRows, defineSlice, requireMart, type Bind } from './common.js';

/**
 * The latest as-of date of a month-end mart on or before the requested one (bind $as_of): a
 * constant the slice's engine resolves before the query runs (common.ts, resolvingLatest).
 */
export function latestAsOfSql(mart: string): string {
  return `CAST($latest_${mart} AS DATE)`;
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
  requires: ['customer_priority', 'customer_risk', 'dim_customers'],
  shape: { ...customerShape, limit: EXPORT_LIMIT },
  kinds: { priority: 'enum', common_band_label: 'enum', score: 'number' },
  async run(ctx, p) {
    const f = priorityFilter(p.priority);
    // Letter ratings (Graydon) have no numeric score: they cannot be placed on the score axis, and
    // are counted apart so "N of M" speaks of the customers that could be drawn.
    const { rows, notes, ignored } = await customerRows(ctx, 'customer_priority', p, (where) =>
      `SELECT cp.customer_id, c.name, r.score, r.provider, cp.common_band_label, cp.revenue_t12m, cp.open_ar, cp.priority, cp.reason,
              cp.priority_rule, cp.common_band, cp.band_change_3m, cp.revenue_prev_t12m, cp.revenue_growth, cp.avg_days_late_12m,
              cp.credit_limit, cp.headroom, cp.industry_rate_per_1000, cp.overall_rate_per_1000, cp.industry_rising, cp.sbi_section,
              COUNT(*) OVER () AS total_rows, SUM(CASE WHEN r.score IS NULL THEN 1 ELSE 0 END) OVER () AS unscored
       FROM customer_priority cp
       JOIN dim_customers c ON c.customer_id = cp.customer_id
       LEFT JOIN customer_risk r ON r.customer_id = cp.customer_id AND r.as_of_date = cp.as_of_date
       WHERE cp.as_of_date = ${latestAsOfSql('customer_priority')} AND ${where}${f.sql}
       ORDER BY CASE WHEN r.score IS NULL THEN 1 ELSE 0 END, cp.revenue_t12m DESC, cp.customer_id LIMIT $lim`,
      { ...f.bind, lim: p.limit ?? 400 },
    );
    const unscored = Number(rows[0]?.unscored ?? 0);
    const total = Number(rows[0]?.total_rows ?? 0);
    const scored = rows.filter((r) => r.score !== null).map(({ unscored: _u, ...r }) => ({ ...r, total_rows: total - unscored }));
    if (unscored > 0) notes.push(countNote('unscored_left_out', unscored));
    return { rows: scored, notes, ignored, meta: { unscored } };
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
    limit: EXPORT_LIMIT,
  },
  kinds: { sbi_section: 'enum', size_class: 'enum', score_band: 'enum', priority: 'enum', revenue_growth: 'ratio', mean_common_band: 'number', industry_rate_per_1000: 'number', mean_days_late_12m: 'days' },
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
              mean_common_band, industry_rate_per_1000, mean_days_late_12m, headroom, priority, reason,
              priority_rule, common_band_label, common_band, insolvent_customers, revenue_prev_t12m, overall_rate_per_1000, open_ar,
              COUNT(*) OVER () AS total_rows
       FROM segment_priority WHERE ${parts.join(' AND ')}
       ORDER BY revenue_t12m DESC, sbi_section, size_class, score_band LIMIT $lim`,
      { ...bind, lim: p.limit ?? 300 },
    );
    return { rows };
  },
});

/** 95 % Wilson score interval of a rate k / n, per 1,000: honest at small n and at k = 0. */
export function wilsonPer1000(k: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (!(n > 0)) return null;
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half) * 1000, high: Math.min(1, centre + half) * 1000 };
}

/**
 * SBI sections whose quarterly bankruptcy rate rose vs the quarter before, among sections with at
 * least the configured number of monitored companies (a rate over 17 companies is noise). Each rate
 * carries its 95 % interval; the national line is CBS where it covers the quarter, else its baseline.
 */
export const risingIndustries = defineSlice({
  name: 'rising_industries',
  page: 'marketing',
  description: 'SBI sections whose quarterly bankruptcy rate rose vs the quarter before (minimum sample, 95 % interval)',
  requires: ['bankruptcy_rates_by_industry'],
  shape: { as_of: param.asOf.optional() },
  kinds: { period_start: 'quarter', sbi_section: 'enum', rate_per_1000: 'number', prev_rate_per_1000: 'number', rate_change_per_1000: 'signed', national_rate_per_1000: 'number', rate_low_per_1000: 'number', rate_high_per_1000: 'number', period_complete: 'bool' },
  async run({ engine, catalog, settings }, p) {
    requireMart(catalog, 'bankruptcy_rates_by_industry');
    const complete = catalog.hasColumn('bankruptcy_rates_by_industry', 'period_complete') ? 'b.period_complete' : 'CAST(NULL AS BOOLEAN)';
    const { rows } = await engine.query(
      `SELECT CAST(b.period_start AS VARCHAR) AS period_start, b.sbi_section, b.monitored_at_start AS monitored, b.bankruptcies,
              b.rate_per_1000, b.prev_rate_per_1000, b.rate_change_per_1000,
              COALESCE(b.national_rate_per_1000, b.national_baseline_per_1000) AS national_rate_per_1000, ${complete} AS period_complete
       FROM bankruptcy_rates_by_industry b
       WHERE b.period_type = 'quarter' AND b.sbi_division = 'ALL' AND b.sbi_section NOT IN ('ALL', 'unknown')
         AND b.period_start = (SELECT MAX(period_start) FROM bankruptcy_rates_by_industry
                               WHERE period_type = 'quarter' AND period_end <= CAST($as_of AS DATE))
         AND b.rate_change_per_1000 > 0
       ORDER BY b.rate_change_per_1000 DESC, b.sbi_section`,
      { as_of: asOfOf(catalog, p.as_of) },
    );
    const min = settings.minIndustrySample;
    const kept = rows.filter((r) => Number(r.monitored ?? 0) >= min);
    const out = kept.map((r) => {
      const ci = wilsonPer1000(Number(r.bankruptcies ?? 0), Number(r.monitored ?? 0));
      return { ...r, rate_low_per_1000: ci?.low ?? null, rate_high_per_1000: ci?.high ?? null };
    });
    const notes = [note('rising_ranked', { min })];
    if (rows.length > kept.length) notes.push(countNote('rising_small_left_out', rows.length - kept.length, { min }));
    return { rows: out, notes, meta: { min_sample: min, below_min_sample: rows.length - kept.length } };
  },
});

export const priorityList = defineSlice({
  name: 'priority_list',
  page: 'marketing',
  description: 'Prioritised customer list (ranked) for export',
  requires: ['customer_priority', 'dim_customers'],
  shape: { ...customerShape, limit: EXPORT_LIMIT },
  kinds: { priority: 'enum', score_band: 'enum', sbi_section: 'enum' },
  async run(ctx, p) {
    const f = priorityFilter(p.priority);
    return customerRows(ctx, 'customer_priority', p, (where) =>
      `SELECT cp.priority_rank, cp.customer_id, c.name, c.country, cp.priority, cp.reason, cp.sbi_section,
              cp.common_band_label AS score_band, cp.revenue_t12m, cp.open_ar, cp.headroom,
              cp.priority_rule, cp.common_band_label, cp.common_band, cp.band_change_3m, cp.revenue_prev_t12m, cp.revenue_growth,
              cp.avg_days_late_12m, cp.credit_limit, cp.industry_rate_per_1000, cp.overall_rate_per_1000, cp.industry_rising,
              COUNT(*) OVER () AS total_rows
       FROM customer_priority cp JOIN dim_customers c ON c.customer_id = cp.customer_id
       WHERE cp.as_of_date = ${latestAsOfSql('customer_priority')} AND ${where}${f.sql}
       ORDER BY cp.priority_rank, cp.customer_id LIMIT $lim`,
      { lim: p.limit ?? 500, ...f.bind },
    );
  },
});

export const marketingSlices = [priorityQuadrant, segmentTable, risingIndustries, priorityList];
