import { formatValue, type ValueKind } from '../format.js';
import { label, t, type LabelKey } from '../i18n.js';
import { LINE_STYLES, axisFormatter, baseOption, categoryLabels, num, valueFormatter, type BuildContext, type ChartModel, type Column, type DataRow } from './common.js';

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
  const cats = rows.map((r) => {
    const v = r[spec.category.key];
    const s = v === null || v === undefined ? '' : String(v);
    const text = spec.category.translate ? label(ctx.lang, s) : formatValue(v ?? null, spec.category.kind, ctx.lang, ctx.currency);
    return spec.markCategory?.(r) ? `${text}*` : text;
  });
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
  return { option: option as unknown as ChartModel["option"], table, summary };
}
