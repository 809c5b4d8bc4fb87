import { z } from 'zod';
import type { Row } from '../../warehouse/engine.js';
import { sbiSectionSql } from '../catalog.js';
import { EXPORT_LIMIT, param, periodRange } from '../params.js';
import { asOfOf, defineSlice, requireMart } from './common.js';
import type { SliceContext } from './types.js';
import { latestAsOfSql } from './marketing.js';
import { note, type Note } from '../notes.js';

/**
 * One customer's page (/customers/<id>): who they are, what they owe and how that moved, their
 * scores, payments, dunning and write-offs. Every slice is keyed by the customer id (bound, never
 * spliced) and reads the optional marts it finds; a missing one leaves its card "not built".
 */
const customerShape = { as_of: param.asOf.optional(), customer_id: param.customerId };

/** Search text: a name fragment, a customer number or a KvK number. */
const searchText = z
  .string()
  .min(2, 'q must have at least 2 characters')
  .max(64)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} &.,'()/+-]*$/u, 'q must be a name, customer number or KvK number');

export const customerSearch = defineSlice({
  name: 'customer_search',
  page: 'customer',
  description: 'Customers whose name, customer number or KvK number contains the search text (25 best)',
  requires: ['dim_customers'],
  shape: { q: searchText, limit: EXPORT_LIMIT },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'dim_customers');
    const risk = catalog.has('customer_risk');
    // strpos on lower-cased text: no LIKE wildcards for a user to smuggle in, same on DuckDB and Trino.
    const { rows } = await engine.query(
      `SELECT c.customer_id, c.name, c.kvk_number, c.country, c.segment, ${risk ? 'r.open_ar' : 'CAST(NULL AS DECIMAL(18,2))'} AS open_ar, COUNT(*) OVER () AS total_rows
       FROM dim_customers c
       ${risk ? `LEFT JOIN customer_risk r ON r.customer_id = c.customer_id AND r.as_of_date = ${latestAsOfSql('customer_risk')}` : ''}
       WHERE strpos(lower(c.name), lower($q)) > 0 OR strpos(lower(c.customer_id), lower($q)) > 0
          OR strpos(COALESCE(c.kvk_number, ''), $q) > 0
       ORDER BY CASE WHEN lower(c.customer_id) = lower($q) OR c.kvk_number = $q THEN 0
                     WHEN strpos(lower(c.name), lower($q)) = 1 THEN 1 ELSE 2 END, c.name, c.customer_id
       LIMIT $lim`,
      { q: p.q, lim: p.limit ?? 25, ...(risk ? { as_of: asOfOf(catalog, undefined) } : {}) },
    );
    return { rows };
  },
});

/** Identity, limit, risk and priority now: one row. */
export const customerProfile = defineSlice({
  name: 'customer_profile',
  page: 'customer',
  description: "A customer's identity (KvK, VAT, SBI, segment, size), limit and utilisation, risk and priority with its reason",
  requires: ['dim_customers'],
  shape: customerShape,
  kinds: {
    segment: 'enum', size_class: 'enum', sbi_section: 'enum', common_band_label: 'enum', priority: 'enum', utilisation: 'ratio', provider: 'enum',
    payment_terms_days: 'days', score: 'number', avg_days_late_12m: 'days', insolvency_date: 'date',
  },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'dim_customers');
    const asOf = asOfOf(catalog, p.as_of);
    const has = (t: string) => catalog.has(t);
    const manager = catalog.hasColumn('dim_customers', 'account_manager') ? 'c.account_manager' : 'CAST(NULL AS VARCHAR)';
    const master = catalog.hasColumn('dim_customers', 'in_customer_master') ? 'c.in_customer_master' : 'CAST(NULL AS BOOLEAN)';
    const identity = `${manager} AS account_manager, ${master} AS in_customer_master`;
    if (has('customer_months')) return profileFromMonths(engine, p.customer_id, asOf, identity);
    const risk = has('customer_risk');
    const prio = has('customer_priority');
    const util = has('credit_limit_utilisation');
    const { rows } = await engine.query(
      `SELECT c.customer_id, c.name, c.kvk_number, c.vat_number, c.country, c.sbi_code, ${sbiSectionSql('c.sbi_code')} AS sbi_section,
              c.segment, c.size_class, ${identity}, c.payment_terms_days, c.credit_limit, c.currency,
              ${util ? 'u.open_ar, u.overdue_ar, u.utilisation, u.headroom' : 'CAST(NULL AS DECIMAL(18,2)) AS open_ar, CAST(NULL AS DECIMAL(18,2)) AS overdue_ar, CAST(NULL AS DOUBLE) AS utilisation, CAST(NULL AS DECIMAL(18,2)) AS headroom'},
              ${risk ? 'r.provider, r.score, r.rating, r.common_band_label, r.insolvency_flag, CAST(r.insolvency_date AS VARCHAR) AS insolvency_date, r.avg_days_late_12m' : "CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS DOUBLE) AS score, CAST(NULL AS VARCHAR) AS rating, CAST(NULL AS VARCHAR) AS common_band_label, CAST(NULL AS BOOLEAN) AS insolvency_flag, CAST(NULL AS VARCHAR) AS insolvency_date, CAST(NULL AS DOUBLE) AS avg_days_late_12m"},
              ${prio
                ? `cp.priority, cp.priority_rank, cp.reason, cp.priority_rule, cp.common_band, cp.band_change_3m, cp.revenue_t12m, cp.revenue_prev_t12m,
                   cp.revenue_growth, cp.industry_rate_per_1000, cp.overall_rate_per_1000, cp.industry_rising`
                : 'CAST(NULL AS VARCHAR) AS priority, CAST(NULL AS BIGINT) AS priority_rank, CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS priority_rule'}
       FROM dim_customers c
       ${util ? `LEFT JOIN credit_limit_utilisation u ON u.customer_id = c.customer_id AND u.as_of_date = ${latestAsOfSql('credit_limit_utilisation')}` : ''}
       ${risk ? `LEFT JOIN customer_risk r ON r.customer_id = c.customer_id AND r.as_of_date = ${latestAsOfSql('customer_risk')}` : ''}
       ${prio ? `LEFT JOIN customer_priority cp ON cp.customer_id = c.customer_id AND cp.as_of_date = ${latestAsOfSql('customer_priority')}` : ''}
       WHERE c.customer_id = $customer_id`,
      { customer_id: p.customer_id, as_of: asOf },
    );
    if (!rows.length) return { rows, notes: [note('no_customer', { customer: p.customer_id })] };
    const notes: Note[] = masterNotes(rows, p.customer_id);
    if (!util) notes.push(note('no_utilisation'));
    if (!risk) notes.push(note('no_score'));
    return { rows, notes };
  },
});

/**
 * A customer the grouped marts count but the customer master does not have (dim_customers'
 * in_customer_master, builds since it was added): its page says so instead of showing empty fields.
 */
function masterNotes(rows: Row[], customer: string): Note[] {
  return rows[0]?.in_customer_master === false ? [note('not_in_master', { customer })] : [];
}

/**
 * The profile from customer_months (builds since it was added): the same columns as the three marts
 * give, read from the customer's own rows (sorted by customer) instead of a month end of each mart.
 * The month end is the latest of customer_months on or before the as-of date, as each mart's was.
 */
async function profileFromMonths(engine: SliceContext['engine'], customerId: string, asOf: string, identity: string) {
  const { rows } = await engine.query(
    `SELECT c.customer_id, c.name, c.kvk_number, c.vat_number, c.country, c.sbi_code, ${sbiSectionSql('c.sbi_code')} AS sbi_section,
            c.segment, c.size_class, ${identity}, c.payment_terms_days, c.credit_limit, c.currency,
            m.open_ar, m.overdue_ar, m.utilisation, m.headroom,
            m.provider, m.score, m.rating, m.common_band_label, m.insolvency_flag, CAST(m.insolvency_date AS VARCHAR) AS insolvency_date, m.avg_days_late_12m,
            m.priority, m.priority_rank, m.reason, m.priority_rule, m.common_band, m.band_change_3m, m.revenue_t12m, m.revenue_prev_t12m,
            m.revenue_growth, m.industry_rate_per_1000, m.overall_rate_per_1000, m.industry_rising
     FROM dim_customers c
     LEFT JOIN customer_months m ON m.customer_id = c.customer_id AND m.as_of_date = ${latestAsOfSql('customer_months')}
     WHERE c.customer_id = $customer_id`,
    { customer_id: customerId, as_of: asOf },
  );
  if (!rows.length) return { rows, notes: [note('no_customer', { customer: customerId })] };
  return { rows, notes: masterNotes(rows, customerId) };
}

/**
 * Month by month: open and overdue AR, the credit limit and its use (credit_limit_utilisation) and
 * how late the customer pays (mean days late over the 12 months to each month end, customer_risk).
 * Both are materialised marts: the page reads a few dozen rows, not the ledger.
 */
export const customerHistory = defineSlice({
  name: 'customer_history',
  page: 'customer',
  description: "A customer's open and overdue AR, credit limit, utilisation and mean days late (12 months) per month end",
  requires: ['credit_limit_utilisation'],
  shape: { ...customerShape, period: param.period.optional() },
  kinds: { month: 'month', utilisation: 'ratio', avg_days_late_12m: 'days' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'credit_limit_utilisation');
    const asOf = asOfOf(catalog, p.as_of);
    const from = periodRange(asOf, p.period ?? '24m').from;
    if (catalog.has('customer_months')) {
      // One customer's rows of a mart sorted by customer: one row group, not two marts' every month end.
      const { rows } = await engine.query(
        `SELECT CAST(CAST(date_trunc('month', as_of_date) AS DATE) AS VARCHAR) AS month, open_ar, overdue_ar, credit_limit, utilisation, avg_days_late_12m
         FROM customer_months
         WHERE customer_id = $customer_id AND has_open_items AND as_of_date <= CAST($as_of AS DATE) AND as_of_date >= CAST($from AS DATE)
         ORDER BY as_of_date`,
        { customer_id: p.customer_id, as_of: asOf, from },
      );
      return { rows };
    }
    const risk = catalog.hasColumn('customer_risk', 'avg_days_late_12m');
    const { rows } = await engine.query(
      `SELECT CAST(CAST(date_trunc('month', u.as_of_date) AS DATE) AS VARCHAR) AS month, u.open_ar, u.overdue_ar, u.credit_limit, u.utilisation,
              ${risk ? 'r.avg_days_late_12m' : 'CAST(NULL AS DOUBLE) AS avg_days_late_12m'}
       FROM credit_limit_utilisation u
       ${risk ? 'LEFT JOIN customer_risk r ON r.customer_id = u.customer_id AND r.as_of_date = u.as_of_date' : ''}
       WHERE u.customer_id = $customer_id AND u.as_of_date <= CAST($as_of AS DATE) AND u.as_of_date >= CAST($from AS DATE)
       ORDER BY u.as_of_date`,
      { customer_id: p.customer_id, as_of: asOf, from },
    );
    return { rows };
  },
});

/** Every credit report of the customer's companies: score per provider, and the common band they map to. */
export const customerScores = defineSlice({
  name: 'customer_scores',
  page: 'customer',
  description: "A customer's credit reports over time: score and rating per provider, and the common band",
  requires: ['customer_credit_reports'],
  shape: customerShape,
  kinds: { report_date: 'date', score: 'number', common_band: 'int', provider: 'enum', score_scale: 'enum' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_credit_reports');
    const asOf = asOfOf(catalog, p.as_of);
    const { rows } = await engine.query(
      `SELECT CAST(report_date AS VARCHAR) AS report_date, provider, score, score_scale, rating, common_band, credit_limit_advice
       FROM customer_credit_reports
       WHERE customer_id = $customer_id AND report_date <= CAST($as_of AS DATE)
       ORDER BY report_date, provider, report_id`,
      { customer_id: p.customer_id, as_of: asOf },
    );
    return { rows };
  },
});

/** Payments received, newest first (their matching to documents is in the open items and the ledger). */
export const customerPayments = defineSlice({
  name: 'customer_payments',
  page: 'customer',
  description: "A customer's payments received (newest first)",
  requires: ['customer_events'],
  shape: { ...customerShape, limit: EXPORT_LIMIT },
  kinds: { payment_date: 'date', amount: 'money' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_events');
    const asOf = asOfOf(catalog, p.as_of);
    const { rows } = await engine.query(
      `SELECT event_id AS payment_id, CAST(event_date AS VARCHAR) AS payment_date, amount, currency, COUNT(*) OVER () AS total_rows
       FROM customer_events
       WHERE customer_id = $customer_id AND event_kind = 'payment' AND event_date <= CAST($as_of AS DATE)
       ORDER BY event_date DESC, event_id LIMIT $lim`,
      { customer_id: p.customer_id, as_of: asOf, lim: p.limit ?? 50 },
    );
    return { rows };
  },
});

/** Dunning and collection actions, write-offs and recoveries, disputes: one event list, newest first. */
export const customerActions = defineSlice({
  name: 'customer_actions',
  page: 'customer',
  description: "A customer's dunning and collection actions, write-offs and disputes (newest first)",
  requires: ['customer_events'],
  shape: { ...customerShape, limit: EXPORT_LIMIT },
  kinds: { event_date: 'date', event: 'enum', detail: 'enum', amount: 'money', outcome: 'enum', resolved_date: 'date' },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'customer_events');
    const asOf = asOfOf(catalog, p.as_of);
    // Disputes (builds since they were added): open at the as-of date unless resolved by then.
    const hasDisputes = catalog.hasColumn('customer_events', 'outcome');
    const outcome = hasDisputes ? `CASE WHEN event_kind = 'dispute' AND (resolved_date IS NULL OR resolved_date > CAST($as_of AS DATE)) THEN 'open' ELSE outcome END` : 'CAST(NULL AS VARCHAR)';
    const resolved = hasDisputes ? `CAST(CASE WHEN resolved_date <= CAST($as_of AS DATE) THEN resolved_date END AS VARCHAR)` : 'CAST(NULL AS VARCHAR)';
    const { rows } = await engine.query(
      `SELECT CAST(event_date AS VARCHAR) AS event_date, event_type AS event, document_id, detail, amount, currency,
              ${outcome} AS outcome, ${resolved} AS resolved_date, COUNT(*) OVER () AS total_rows
       FROM customer_events
       WHERE customer_id = $customer_id AND event_kind IN ('collection_action', 'write_off', 'dispute') AND event_date <= CAST($as_of AS DATE)
       ORDER BY event_date DESC, event_type, event_id LIMIT $lim`,
      { customer_id: p.customer_id, as_of: asOf, lim: p.limit ?? 50 },
    );
    return { rows: rows as Row[], notes: [note('action_amounts')] };
  },
});

export const customerSlices = [customerSearch, customerProfile, customerHistory, customerScores, customerPayments, customerActions];
