import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const cashForecastBacktest = defineTable({
  name: 'cash_forecast_backtest',
  description: 'The 13-week cash forecast made at past month ends against the cash actually received on the items open then, per horizon week, with MAPE/WAPE/bias per horizon.',
  key: ['forecast_date', 'horizon_week'],
  shape: {
    forecast_date: col.date('Past month end the forecast was made at (13 full weeks of data follow it)'),
    horizon_week: col.int('Week k after the forecast date, 1–13'),
    week_start: col.date('forecast_date + 7(k−1) + 1'),
    week_end: col.date('forecast_date + 7k'),
    forecast: col.money('Expected receipts for the week, as cash_forecast_13w would have shown at forecast_date'),
    actual: col.money('Cash allocated in the week to the items open at forecast_date'),
    error: col.money('forecast − actual (positive = forecast too high)'),
    abs_error: col.money('|forecast − actual|'),
    ape: opt(col.number('Absolute percentage error: abs_error / actual × 100 (empty when actual is 0)')),
    horizon_forecasts: col.int('Forecast dates backtested at this horizon week'),
    horizon_mape: opt(col.number('Mean of ape over the forecast dates at this horizon week (weeks with actual 0 left out), %')),
    horizon_wape: opt(col.number('Weighted APE at this horizon week: Σ abs_error / Σ actual × 100')),
    horizon_bias: opt(col.number('Σ error / Σ actual × 100 at this horizon week (positive = over-forecast)')),
    overall_wape: opt(col.number('Σ abs_error / Σ actual × 100 over every week of every forecast date')),
    method: col.text('Forecast method and parameters (config cash_forecast)'),
  },
});
