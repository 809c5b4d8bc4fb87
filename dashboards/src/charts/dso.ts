import { formatDays, formatMonth } from '../format.js';
import { t } from '../i18n.js';
import { LINE_STYLES, axisFormatter, baseOption, col, num, valueFormatter, type BuildContext, type ChartModel, type DataRow } from './common.js';

/** DSO per month with its 3-month rolling average, BPDSO, and the target as a labelled line. */
export function dsoTrendChart(rows: DataRow[], target: number | null, ctx: BuildContext): ChartModel {
  const months = rows.map((r) => String(r.month));
  const series = (['dso', 'dso_rolling_3m', 'bpdso'] as const).map((key, i) => ({
    name: t(ctx.lang, key),
    type: 'line' as const,
    data: rows.map((r) => num(r[key])),
    ...LINE_STYLES[i],
    symbolSize: 7,
    connectNulls: false,
    ...(i === 0 && target !== null
      ? {
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed' as const, width: 2 },
            label: { formatter: `${t(ctx.lang, 'dso_target')}: ${formatDays(target, ctx.lang, 0)}`, position: 'insideEndTop' as const },
            data: [{ yAxis: target, name: t(ctx.lang, 'dso_target') }],
          },
        }
      : {}),
  }));
  const option = {
    ...baseOption(),
    // A month the data ends inside is marked: its DSO rests on part of a month's sales.
    xAxis: { type: 'category' as const, data: months.map((m, i) => `${formatMonth(m, ctx.lang)}${rows[i]!.is_complete === false ? '*' : ''}`) },
    yAxis: { type: 'value' as const, name: t(ctx.lang, 'dso'), axisLabel: { formatter: axisFormatter('int', ctx) } },
    tooltip: { trigger: 'axis' as const, confine: true, valueFormatter: valueFormatter('days', ctx) },
    series,
  };
  const table = {
    columns: [
      col(ctx, 'month', 'month'),
      col(ctx, 'dso', 'days'),
      col(ctx, 'dso_rolling_3m', 'days'),
      col(ctx, 'bpdso', 'days'),
      ...(target !== null ? [col(ctx, 'dso_target', 'days')] : []),
    ],
    rows: rows.map((r) => ({
      month: r.month ?? null,
      dso: r.dso ?? null,
      dso_rolling_3m: r.dso_rolling_3m ?? null,
      bpdso: r.bpdso ?? null,
      ...(target !== null ? { dso_target: target } : {}),
    })),
  };
  const last = rows[rows.length - 1];
  const summary = last
    ? `${t(ctx.lang, 'c_dso_trend')}, ${formatMonth(months[0], ctx.lang)} – ${formatMonth(months[months.length - 1], ctx.lang)}. ` +
      `${t(ctx.lang, 'dso')} ${formatDays(num(last.dso), ctx.lang)}; ${t(ctx.lang, 'dso_rolling_3m')} ${formatDays(num(last.dso_rolling_3m), ctx.lang)}` +
      (target !== null ? `; ${t(ctx.lang, 'dso_target')} ${formatDays(target, ctx.lang, 0)}.` : '.')
    : t(ctx.lang, 'empty');
  return { option: option as unknown as ChartModel["option"], table, summary };
}
