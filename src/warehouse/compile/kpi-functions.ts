/**
 * Template vars and functions of the KPI-suite marts (config sections in src/config/kpi-config.ts).
 * Spread into the project's template functions by ./functions.ts.
 */
import type { Config } from '../../config/config.js';
import { DEFAULT_COST_CATEGORIES } from '../../config/kpi-config.js';
import { ACTION_TYPES } from '../../schema/tables.js';
import { agingBuckets, bucketCase } from './aging.js';
import { sqlString } from './targets.js';
import type { TemplateArg, TemplateFunction } from './template.js';

/** Action types reported under their own name in collection_activity_daily; the rest are 'other'. */
const NULL_INT = 'CAST(NULL AS INTEGER)';

const NAMED_ACTION_GROUPS = ['reminder', 'dunning_letter', 'phone_call'] as const;

export function kpiTemplateVars(config: Config): Record<string, string | number> {
  const pb = config.payment_behaviour;
  return {
    late_grace_days: pb.grace_days,
    settlement_basis: pb.basis ?? (pb.include_written_off === undefined ? 'paid' : pb.include_written_off ? 'all_closures' : 'excluding_write_offs'),
    write_off_ceiling_ratio: config.write_offs.ceiling_ratio,
    write_off_ceiling_basis: config.write_offs.ceiling_basis,
    acceptance_basis: config.credit_decisions.limited_counts_as_accepted ? 'accepted_or_limited' : 'accepted_only',
    concentration_top_fraction: config.concentration.top_fraction,
    concentration_top_n: config.concentration.top_n,
    credit_limit_source: config.credit_limits.source,
  };
}

/** Cost category of every action type: the configured ones over the defaults. */
export function costCategories(config: Config): Record<string, string> {
  return { ...DEFAULT_COST_CATEGORIES, ...config.collections.cost_categories };
}

function expr(v: TemplateArg | undefined, what: string): string {
  if (v === undefined) throw new Error(`missing argument ${what}`);
  return String(v);
}

export function kpiTemplateFunctions(config: Config): Record<string, TemplateFunction> {
  const edges = config.open_invoice_counts.bucket_edges;
  const categories = costCategories(config);
  return {
    /** Bucket of an open invoice by days past due, from config open_invoice_counts.bucket_edges. */
    open_invoice_bucket: (days) => bucketCase(expr(days, 'days past due'), edges, 'label'),
    open_invoice_bucket_order: (days) => bucketCase(expr(days, 'days past due'), edges, 'order'),
    /** `(VALUES (label, order, min_days, max_days), …)`: alias `AS b(bucket, bucket_order, min_days, max_days)`. */
    open_invoice_buckets: () =>
      `(VALUES ${agingBuckets(edges)
        .map((b) => `(${sqlString(b.label)}, ${b.order}, ${b.min ?? NULL_INT}, ${b.max ?? NULL_INT})`)
        .join(', ')})`,
    /** CASE mapping an action type to its cost category (config collections.cost_categories). */
    cost_category: (type) =>
      `CASE ${ACTION_TYPES.map((t) => `WHEN ${expr(type, 'action type')} = ${sqlString(t)} THEN ${sqlString(categories[t]!)}`).join(' ')} ELSE 'other' END`,
    /** `(VALUES (category), …)` of every configured cost category: alias `AS c(cost_category)`. */
    cost_categories: () => `(VALUES ${[...new Set(Object.values(categories))].sort().map((c) => `(${sqlString(c)})`).join(', ')})`,
    /** reminder, dunning_letter, phone_call, or 'other' for every other channel of collection. */
    action_group: (type) =>
      `CASE WHEN ${expr(type, 'action type')} IN (${NAMED_ACTION_GROUPS.map(sqlString).join(', ')}) THEN ${expr(type, 'action type')} ELSE 'other' END`,
    /** `(VALUES (0), (1), …, (30))`: day offsets within a month, alias `AS o(day_offset)`. */
    month_day_offsets: () => `(VALUES ${Array.from({ length: 31 }, (_, i) => `(${i})`).join(', ')})`,
  };
}
