import { z } from 'zod';
import { ACTION_TYPES } from '../schema/tables.js';

/**
 * Config sections of the KPI suite (issue 3, part A). Each parameter names a metric variant from
 * docs/metrics.md; the marts store the variant they were computed with beside every value.
 * Spread into ConfigSchema by ./config.ts.
 */

/** Default cost category of each collection action type (collection_costs_monthly). */
export const DEFAULT_COST_CATEGORIES: Readonly<Record<(typeof ACTION_TYPES)[number], string>> = {
  reminder: 'internal',
  dunning_letter: 'internal',
  phone_call: 'internal',
  email: 'internal',
  payment_link: 'internal',
  collection_agency: 'agency',
  legal: 'legal',
};

const PaymentBehaviourSchema = z
  .object({
    /** An invoice counts as paid late when settled more than this many days after its due date. */
    grace_days: z.number().int().min(0).max(365).default(0),
    /**
     * Which closed invoices count as settled in days to pay and days late: `paid` (default) those
     * cleared by payment or a settled date; `excluding_write_offs` those closed without any write-off
     * (credit-note closures included); `all_closures` every closed invoice (credit notes and write-offs
     * too, the old behaviour). Closures by credit note and write-off have their own columns either way.
     */
    basis: z.enum(['paid', 'excluding_write_offs', 'all_closures']).optional(),
    /** Older spelling: true = basis all_closures, false = excluding_write_offs (basis wins when both are set). */
    include_written_off: z.boolean().optional(),
  })
  .strict()
  .prefault({});

const OpenInvoiceCountsSchema = z
  .object({
    /** Upper edges (inclusive, days past due date) of the overdue buckets: 1-14, 15-30, 31-60, 61-90, >90. */
    bucket_edges: z
      .array(z.number().int().positive())
      .min(1)
      .max(30)
      .default([14, 30, 60, 90])
      .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), 'bucket_edges must be strictly increasing'),
  })
  .strict()
  .prefault({});

const CollectionsSchema = z
  .object({
    /** Cost category per action type; types left out keep DEFAULT_COST_CATEGORIES. */
    cost_categories: z
      .partialRecord(z.enum(ACTION_TYPES), z.string().regex(/^[a-z][a-z0-9_]*$/, 'a lowercase snake_case category name'))
      .default({}),
  })
  .strict()
  .prefault({});

const WriteOffsSchema = z
  .object({
    /** Ceiling on the bad-debt ratio (write-offs / credit sales); months above it are flagged. 0.005 = 0.5%. */
    ceiling_ratio: z.number().min(0).max(1).default(0.005),
    /** Which ratio the ceiling applies to: the rolling 12 months (default) or the month alone. */
    ceiling_basis: z.enum(['rolling_12m', 'month']).default('rolling_12m'),
  })
  .strict()
  .prefault({});

const CreditDecisionsSchema = z
  .object({
    /** Acceptance rate counts 'limited' decisions (granted less than asked) as accepted. */
    limited_counts_as_accepted: z.boolean().default(true),
  })
  .strict()
  .prefault({});

const ConcentrationSchema = z
  .object({
    /** The top group's size as a fraction of the customers: 0.2 = the 80/20 check (rounded up). */
    top_fraction: z.number().gt(0).max(1).default(0.2),
    /** The top-N share's N. */
    top_n: z.number().int().min(1).max(1000).default(10),
  })
  .strict()
  .prefault({});

const CreditLimitsSchema = z
  .object({
    /**
     * Where the limit at an as-of date comes from: customer_master (customers.credit_limit, as loaded)
     * or latest_decision (granted_limit of the customer's last credit decision on or before the date,
     * falling back to the master when there is none).
     */
    source: z.enum(['customer_master', 'latest_decision']).default('customer_master'),
  })
  .strict()
  .prefault({});

export const kpiConfigShape = {
  payment_behaviour: PaymentBehaviourSchema,
  open_invoice_counts: OpenInvoiceCountsSchema,
  collections: CollectionsSchema,
  write_offs: WriteOffsSchema,
  credit_decisions: CreditDecisionsSchema,
  concentration: ConcentrationSchema,
  credit_limits: CreditLimitsSchema,
};
