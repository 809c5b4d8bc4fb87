import type { Config } from '../config/config.js';
import type { KpiTargets } from './contract.js';

/**
 * What the dashboards compare against and how they cut lists: targets on the KPI tiles and trend
 * lines, the smallest industry sample a ranking trusts, the window of the risk-alert list. Filled
 * from the config (`targets`, `dashboards`) by `creditlake serve` and the API Lambda.
 */
export interface DashboardSettings {
  currency: string;
  targets: KpiTargets;
  /** Industries with fewer monitored companies at the start of the quarter are not ranked. */
  minIndustrySample: number;
  /** The risk-alert list shows alerts of this many days up to the as-of date. */
  alertWindowDays: number;
}

/** Common Dutch B2B practice; a config's `targets` replaces them (null: no target shown). */
export const defaultSettings: DashboardSettings = {
  currency: 'EUR',
  targets: { dso_days: 45, overdue_pct: 15, cei_pct: 80, bad_debt_pct: null },
  minIndustrySample: 100,
  alertWindowDays: 90,
};

export function settingsFromConfig(config: Config): DashboardSettings {
  return {
    currency: config.reporting_currency,
    targets: { ...defaultSettings.targets, ...config.targets },
    minIndustrySample: config.dashboards.min_industry_sample,
    alertWindowDays: config.dashboards.alert_window_days,
  };
}
