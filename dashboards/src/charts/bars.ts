import { formatValue, type ValueKind } from '../format.js';
import { label, t, type LabelKey } from '../i18n.js';
import { LINE_STYLES, axisFormatter, baseOption, categoryLabels, num, valueFormatter, type BuildContext, type ChartModel, type Column, type DataRow, type TableData } from './common.js';
import type { PlotModel, PlotSeries } from './plot.js';

export interface BarSpec {
  title: LabelKey;
  category: { key: string; kind: ValueKind; labelKey?: LabelKey; translate?: boolean };
  /** Bars on the left axis. */
  bars: { key: string; kind: ValueKind; labelKey?: LabelKey; label?: string; stack?: string }[];
  /** Lines on the right axis (a rate beside counts, a ratio beside amounts). */
  lines?: { key: string; kind: ValueKind; labelKey?: LabelKey; label?: string }[];
  /** Category labels to mark (e.g. an incomplete quarter) and the mark's meaning for the table. */
  markCategory?: (row: DataRow) => boolean;
  horizontal?: boolean;
  /** Value labels on bars: the numbers are readable without the axis or colour. */
  barLabels?: boolean;
  /** A labelled reference line on the lines' axis (e.g. the write-off ceiling). */
  reference?: { value: number; label: string };
}

function seriesLabel(ctx: BuildContext, key: string, labelKey?: LabelKey, text?: string): string {
  return text ?? t(ctx.lang, labelKey ?? (key as LabelKey)) ?? key;
}

/** Bars (optionally stacked) per category with optional lines on a second axis. */
export function barChart(rows: DataRow[], spec: BarSpec, ctx: BuildContext): ChartModel {
  const cats = barCategories(rows, spec, ctx);
  const barKind = spec.bars[0]?.kind ?? 'number';
  const lineKind = spec.lines?.[0]?.kind ?? 'number';
  const catAxis = {
    type: 'category' as const,
    data: cats,
    // Few categories (or a horizontal list): label every one; long names are cut (the table has them whole).
    axisLabel: spec.horizontal
      ? { interval: 0, width: ctx.narrow ? 110 : 180, overflow: 'truncate' as const }
      : cats.length <= 8
        ? { ...categoryLabels(ctx, cats.length), overflow: 'truncate' as const }
        : { interval: 'auto', hideOverlap: true, width: 110, overflow: 'truncate' as const },
    ...(spec.horizontal ? { inverse: true } : {}),
  };
  const valAxes: Record<string, unknown>[] = [{ type: 'value', axisLabel: { formatter: axisFormatter(barKind, ctx) } }];
  // Lines of the same kind as the bars share their axis: two money scales side by side mislead.
  const secondAxis = !spec.horizontal && !!spec.lines?.length && lineKind !== barKind;
  if (secondAxis) valAxes.push({ type: 'value', axisLabel: { formatter: axisFormatter(lineKind, ctx) }, splitLine: { show: false } });
  const series = [
    ...spec.bars.map((b) => ({
      name: seriesLabel(ctx, b.key, b.labelKey, b.label),
      type: 'bar' as const,
      stack: b.stack,
      data: rows.map((r) => num(r[b.key])),
      tooltip: { valueFormatter: valueFormatter(b.kind, ctx) },
      ...(spec.barLabels
        ? { label: { show: true, position: spec.horizontal ? ('right' as const) : ('top' as const), formatter: (p: { value: unknown }) => formatValue(p.value as number, b.kind, ctx.lang, ctx.currency) } }
        : {}),
    })),
    ...(spec.lines ?? []).map((l, i) => ({
      name: seriesLabel(ctx, l.key, l.labelKey, l.label),
      type: 'line' as const,
      yAxisIndex: secondAxis ? 1 : 0,
      data: rows.map((r) => num(r[l.key])),
      ...LINE_STYLES[(i + 1) % LINE_STYLES.length],
      tooltip: { valueFormatter: valueFormatter(l.kind, ctx) },
      ...(i === 0 && spec.reference
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dashed' as const, width: 2 },
              label: { formatter: spec.reference.label, position: 'insideEndTop' as const },
              data: [{ yAxis: spec.reference.value }],
            },
          }
        : {}),
    })),
  ];
  const option = {
    ...baseOption(),
    ...(spec.horizontal ? { xAxis: valAxes[0], yAxis: catAxis } : { xAxis: catAxis, yAxis: valAxes }),
    series,
  };
  return { option: option as unknown as ChartModel["option"], ...barTable(rows, spec, ctx, cats) };
}

/** The category labels of a bar chart as shown (formatted, translated, marked). */
function barCategories(rows: DataRow[], spec: BarSpec, ctx: BuildContext): string[] {
  return rows.map((r) => {
    const v = r[spec.category.key];
    const s = v === null || v === undefined ? '' : String(v);
    const text = spec.category.translate ? label(ctx.lang, s) : formatValue(v ?? null, spec.category.kind, ctx.lang, ctx.currency);
    return spec.markCategory?.(r) ? `${text}*` : text;
  });
}

/** The table behind a bar chart (its accessible alternative and CSV) and its one-sentence summary. */
function barTable(rows: DataRow[], spec: BarSpec, ctx: BuildContext, cats: string[]): { table: TableData; summary: string } {
  const columns: Column[] = [
    { key: spec.category.key, label: seriesLabel(ctx, spec.category.key, spec.category.labelKey), kind: spec.category.translate ? 'text' : spec.category.kind },
    ...spec.bars.map((b) => ({ key: b.key, label: seriesLabel(ctx, b.key, b.labelKey, b.label), kind: b.kind })),
    ...(spec.lines ?? []).map((l) => ({ key: l.key, label: seriesLabel(ctx, l.key, l.labelKey, l.label), kind: l.kind })),
  ];
  const table = {
    columns,
    rows: rows.map((r) => {
      const out: DataRow = {};
      for (const c of columns) {
        const v = r[c.key] ?? null;
        out[c.key] = c.key === spec.category.key && spec.category.translate && v !== null ? label(ctx.lang, String(v)) : v;
      }
      return out;
    }),
  };
  const first = spec.bars[0];
  const summary = rows.length && first
    ? `${t(ctx.lang, spec.title)}: ${rows.length} × ${columns[0]!.label.toLowerCase()}; ` +
      rows
        .slice(0, 5)
        .map((r, i) => `${cats[i]} ${formatValue(r[first.key] ?? null, first.kind, ctx.lang, ctx.currency)}`)
        .join(', ') + (rows.length > 5 ? ', …' : '.')
    : t(ctx.lang, 'empty');
  return { table, summary };
}

/**
 * The same chart as barChart, as a plot drawn without the chart library (ui/plot-svg.ts): bars on
 * the left axis, lines on the right when their kind differs (else on the bars' axis). For the small
 * trend charts of the customer page. Tooltips show each value formatted from the exact cell.
 * Vertical, side-by-side bars only: horizontal, stacked, labelled bars and reference lines are drawn
 * by barChart.
 */
export function barPlot(rows: DataRow[], spec: BarSpec, ctx: BuildContext): PlotModel {
  const cats = barCategories(rows, spec, ctx);
  const barKind = spec.bars[0]?.kind ?? 'number';
  const lineKind = spec.lines?.[0]?.kind ?? 'number';
  const secondAxis = !!spec.lines?.length && lineKind !== barKind;
  const text = (key: string, kind: ValueKind) => (i: number) => formatValue(rows[i]?.[key] ?? null, kind, ctx.lang, ctx.currency);
  const series: PlotSeries[] = [
    ...spec.bars.map((b): PlotSeries => ({ name: seriesLabel(ctx, b.key, b.labelKey, b.label), kind: 'bar', axis: 0, values: rows.map((r) => num(r[b.key])), text: text(b.key, b.kind) })),
    ...(spec.lines ?? []).map((l, i): PlotSeries => ({
      name: seriesLabel(ctx, l.key, l.labelKey, l.label),
      kind: 'line',
      axis: secondAxis ? 1 : 0,
      values: rows.map((r) => num(r[l.key])),
      style: (i + 1) % LINE_STYLES.length,
      text: text(l.key, l.kind),
    })),
  ];
  const axes = [{ format: axisFormatter(barKind, ctx) }, ...(secondAxis ? [{ format: axisFormatter(lineKind, ctx) }] : [])];
  return { plot: { categories: cats, series, axes }, ...barTable(rows, spec, ctx, cats) };
}
