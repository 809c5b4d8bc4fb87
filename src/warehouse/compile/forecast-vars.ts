import type { Config } from '../../config/config.js';

/** Horizon of the cash forecast in weeks (the mart names say 13w; not a parameter). */
export const FORECAST_WEEKS = 13;

/**
 * The forecast's method label as stored in every forecast row: the method name and every parameter
 * that changes its numbers, so two forecasts with different labels are known not to be comparable.
 */
export function cashForecastMethod(c: Config['cash_forecast']): string {
  return (
    `weighted_delay(lookback=${c.lookback_months}m,min_history=${c.min_history},runs=${c.payment_runs ? c.payment_run_share : 'off'},` +
    `catchup=${c.overdue_catchup_days}d,` +
    `stale=${c.stale_after_days}d@${c.stale_probability},stopped=${c.stopped_paying_days}d@${c.stopped_paying_probability})`
  );
}

/** Template vars of the cash forecast models ({{ var('cf_…') }}). */
export function cashForecastVars(config: Config): Record<string, string | number> {
  const c = config.cash_forecast;
  return {
    cf_as_of: c.as_of ?? '9999-12-31',
    cf_lookback_months: c.lookback_months,
    cf_min_history: c.min_history,
    // a share above 1 can never be reached: payment runs off
    cf_run_share: c.payment_runs ? c.payment_run_share : 2,
    cf_catchup_days: c.overdue_catchup_days,
    cf_stale_after_days: c.stale_after_days,
    cf_stale_probability: c.stale_probability,
    cf_stopped_days: c.stopped_paying_days,
    cf_stopped_probability: c.stopped_paying_probability,
    cf_weeks: FORECAST_WEEKS,
    cf_method: cashForecastMethod(c),
  };
}
