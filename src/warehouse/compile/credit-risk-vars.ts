import type { Config } from '../../config/config.js';
import { CreditRiskSchema, type CreditRiskConfig } from '../../config/credit-risk-config.js';
import { COMMON_BANDS } from '../../feeds/credit-report/scales.js';

/** Template vars of the credit-risk models ({{ var('cr_…') }}); defaults when the section is absent. */
export function creditRiskVars(config: Config): Record<string, string | number> {
  const c: CreditRiskConfig = (config as Config & { credit_risk?: CreditRiskConfig }).credit_risk ?? CreditRiskSchema.parse(undefined);
  return {
    cr_monitoring_grace_days: c.monitoring_grace_days,
    cr_alert_score_drop: c.alert_score_drop,
    cr_industry_rise_factor: c.industry_rise_factor,
    cr_restrict_band: c.restrict_band,
    cr_grow_max_band: c.grow_max_band,
    cr_watch_days_late: c.watch_days_late,
    cr_restrict_days_late: c.restrict_days_late,
    cr_industry_rate_factor: c.industry_rate_factor,
  };
}

/**
 * {{ band_label('b') }}: the common band's label ('very low risk' … 'very high risk', else 'not rated'),
 * from the one list in scales.ts, so customer_risk and the score_band grouping use the same values.
 */
export function bandLabelCase(band: string): string {
  const whens = COMMON_BANDS.map((b) => `WHEN ${b.band} THEN '${b.label}'`);
  return `CASE ${band} ${whens.join(' ')} ELSE 'not rated' END`;
}
