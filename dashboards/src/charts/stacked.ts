import { formatValue, type ValueKind } from '../format.js';
import { label, t, type LabelKey } from '../i18n.js';
import { axisFormatter, baseOption, num, pivot, valueFormatter, type BuildContext, type ChartModel, type DataRow } from './common.js';

export interface StackedSpec {
  title: LabelKey;
  category: { key: string; kind: ValueKind; labelKey?: LabelKey };
  series: { key: string; order?: string[] };
  value: { key: string; kind: ValueKind };
  /** Beyond this many categories draw stacked areas instead of bars (a year of days as bars is slow and unreadable). */
  areaAbove?: number;
}

/** Long rows (category × series → value) as stacked bars, with the wide table the bars show. */
export function stackedChart(rows: DataRow[], spec: StackedSpec, ctx: BuildContext): ChartModel {
  const present = new Set(rows.map((r) => String(r[spec.series.key])));
  const order = spec.series.order ? [...spec.series.order.filter((s) => present.has(s)), ...[...present].filter((s) => !spec.series.order!.includes(s))] : undefined;
  const { categories, names, wide } = pivot(rows, spec.category.key, spec.series.key, spec.value.key, order);
  const option = {
    ...baseOption(),
    xAxis: { type: 'category' as const, data: categories.map((c) => formatValue(c, spec.category.kind, ctx.lang, ctx.currency)) },
    yAxis: { type: 'value' as const, axisLabel: { formatter: axisFormatter(spec.value.kind, ctx) } },
    tooltip: { trigger: 'axis' as const, confine: true, valueFormatter: valueFormatter(spec.value.kind, ctx) },
    series: names.map((n) =>
      spec.areaAbove !== undefined && categories.length > spec.areaAbove
        ? { name: label(ctx.lang, n), type: 'line' as const, stack: 'total', areaStyle: {}, showSymbol: false, lineStyle: { width: 1 }, data: wide.map((w) => num(w[n])) }
        : { name: label(ctx.lang, n), type: 'bar' as const, stack: 'total', data: wide.map((w) => num(w[n])) },
    ),
  };
  const table = {
    columns: [
      { key: spec.category.key, label: t(ctx.lang, spec.category.labelKey ?? (spec.category.key as LabelKey)) ?? spec.category.key, kind: spec.category.kind },
      ...names.map((n) => ({ key: n, label: label(ctx.lang, n), kind: spec.value.kind })),
    ],
    rows: wide,
  };
  const totals = names.map((n) => {
    const isMoney = spec.value.kind === 'money';
    const total = wide.reduce((acc, w) => acc + (num(w[n]) ?? 0), 0);
    return `${label(ctx.lang, n)} ${formatValue(isMoney ? total.toFixed(2) : total, spec.value.kind, ctx.lang, ctx.currency)}`;
  });
  const summary = categories.length
    ? `${t(ctx.lang, spec.title)}: ${formatValue(categories[0]!, spec.category.kind, ctx.lang)} – ${formatValue(categories[categories.length - 1]!, spec.category.kind, ctx.lang)}; ${totals.join(', ')}.`
    : t(ctx.lang, 'empty');
  return { option: option as unknown as ChartModel["option"], table, summary };
}
