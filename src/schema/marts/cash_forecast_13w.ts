import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const cashForecast13w = defineTable({
  name: 'cash_forecast_13w',
  description: 'Expected receipts in each of the 13 weeks after the forecast date, from open items and each customer\'s observed payment delay (method in docs/metrics.md).',
  key: ['forecast_date', 'horizon_week'],
  shape: {
    forecast_date: col.date('Month end the forecast is made at: the last in the data, or the last on or before config cash_forecast.as_of'),
    horizon_week: col.int('Week k after the forecast date, 1–13'),
    week_start: col.date('First day of week k: forecast_date + 7(k−1) + 1'),
    week_end: col.date('Last day of week k: forecast_date + 7k'),
    expected_receipts: col.money('Sum over the items expected in the week of open amount × probability'),
    cumulative_expected_receipts: col.money('expected_receipts of weeks 1…k'),
    open_items_count: col.bigint('Open items whose expected payment date falls in the week'),
    open_amount: col.money('Full open amount of those items (before the probability)'),
    method: col.text('Forecast method and parameters (config cash_forecast), e.g. weighted_delay(lookback=12m,…)'),
  },
});
