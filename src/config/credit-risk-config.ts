import { z } from 'zod';

/**
 * Parameters of the credit-risk marts (issue 4): monitoring, alerts and the segment priority rules.
 * Defaults are the documented ones (docs/metrics-credit-risk.md). Spread into ConfigSchema by ./config.ts.
 */
export const CreditRiskSchema = z
  .object({
    /** A company counts as monitored for this many days after its latest credit report. */
    monitoring_grace_days: z.number().int().min(1).max(3650).default(100),
    /** risk_alerts: a drop of at least this many points on a provider's 0-100 scale (same scorecard). */
    alert_score_drop: z.number().int().min(1).max(100).default(10),
    /** risk_alerts / priority: the industry's trailing-12-month bankruptcy rate counts as rising when it
     *  is at least this factor times the rate three months earlier. */
    industry_rise_factor: z.number().min(1).max(10).default(1.25),
    /** Priority: restrict from this common band on (4 = high risk). */
    restrict_band: z.number().int().min(1).max(5).default(4),
    /** Priority: grow only up to this common band (2 = low risk). */
    grow_max_band: z.number().int().min(1).max(5).default(2),
    /** Priority: watch from this mean number of days late, restrict from restrict_days_late. */
    watch_days_late: z.number().min(0).max(365).default(14),
    restrict_days_late: z.number().min(0).max(365).default(30),
    /** Priority: an industry whose bankruptcy rate is at least this factor times the overall rate is watched. */
    industry_rate_factor: z.number().min(1).max(20).default(1.5),
  })
  .strict()
  .prefault({});

export type CreditRiskConfig = z.infer<typeof CreditRiskSchema>;
