import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type {
  AriaComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import { formatMoney, formatMoneyCompact, formatPct, formatRatio, formatValue, toNumber, type Lang, type ValueKind } from '../format.js';
import { t, type LabelKey } from '../i18n.js';

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | ScatterSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | MarkLineComponentOption
  | VisualMapComponentOption
  | AriaComponentOption
>;

export type { Cell, DataRow } from '../../../src/serve/contract.js';
import type { Cell, DataRow } from '../../../src/serve/contract.js';

export interface Column {
  key: string;
  label: string;
  kind: ValueKind;
}

/** What a chart shows, as a table: the accessible alternative and the source of the CSV download. */
export interface TableData {
  columns: Column[];
  rows: DataRow[];
}

export interface ChartModel {
  option: ChartOption;
  table: TableData;
  /** One or two sentences for screen readers (the chart's aria-label). */
  summary: string;
}

export interface BuildContext {
  lang: Lang;
  currency: string;
  /** A phone-width screen: category labels turn upright instead of overlapping. */
  narrow?: boolean;
}

/** Labels of a category axis that labels every category: side by side when they fit, upright on a phone. */
export function categoryLabels(ctx: BuildContext, count: number, width = 110): Record<string, unknown> {
  if (ctx.narrow && count > 3) return { interval: 0, rotate: 90, width: 120, overflow: 'truncate' };
  return { interval: 0, width, overflow: 'break' };
}

export function col(ctx: BuildContext, key: string, kind: ValueKind, labelKey?: LabelKey): Column {
  return { key, label: t(ctx.lang, labelKey ?? (key as LabelKey)) ?? key, kind };
}

/**
 * Settings every chart shares: ECharts' aria module (it describes the chart and adds decal
 * patterns, so series differ by texture as well as colour), no animation (a chart is final at once,
 * which also makes the "finished" event dependable for tests and PNG export).
 */
export function baseOption(): ChartOption {
  return {
    animation: false,
    aria: { enabled: true, decal: { show: true } },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', confine: true },
    legend: { top: 0, type: 'scroll' },
  } as ChartOption;
}

/** Line styles that tell series apart without colour. */
export const LINE_STYLES = [
  { symbol: 'circle', lineStyle: { type: 'solid' as const } },
  { symbol: 'rect', lineStyle: { type: 'dashed' as const } },
  { symbol: 'triangle', lineStyle: { type: 'dotted' as const } },
  { symbol: 'diamond', lineStyle: { type: [8, 3, 2, 3] } },
];

export function valueFormatter(kind: ValueKind, ctx: BuildContext): (v: unknown) => string {
  return (v) => formatValue(typeof v === 'number' || typeof v === 'string' ? v : null, kind, ctx.lang, ctx.currency);
}

export function axisFormatter(kind: ValueKind, ctx: BuildContext): (v: number) => string {
  if (kind === 'money') return (v) => formatMoneyCompact(v, ctx.lang, ctx.currency);
  // Axis ticks are round numbers: as few decimals as the scale needs.
  const digits = (x: number) => (x === 0 || Math.abs(x) >= 10 ? 0 : Math.abs(x) >= 1 ? 1 : 2);
  if (kind === 'pct') return (v) => formatPct(v, ctx.lang, digits(v));
  if (kind === 'ratio') return (v) => formatRatio(v, ctx.lang, digits(v * 100));
  return (v) => formatValue(v, kind, ctx.lang, ctx.currency);
}

export function num(v: Cell | undefined): number | null {
  if (typeof v === 'number' || typeof v === 'string') return toNumber(v);
  return null;
}

/** Exact decimal-string sum of money values (cents as BigInt), for totals shown in tables. */
export function sumMoney(values: (Cell | undefined)[]): string {
  let cents = 0n;
  for (const v of values) {
    if (v === null || v === undefined || v === '' || typeof v === 'boolean') continue;
    const s = typeof v === 'number' ? v.toFixed(2) : v;
    const m = /^([+-]?)(\d+)(?:\.(\d{1,2}))?/.exec(s.trim());
    if (!m) continue;
    const c = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
    cents += m[1] === '-' ? -c : c;
  }
  const neg = cents < 0n;
  const abs = neg ? -cents : cents;
  return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Long rows (category, series, value) to wide rows (category, one column per series), the shape of
 * a stacked chart and of its table. Missing cells are 0 for counts and amounts.
 */
export function pivot(rows: DataRow[], category: string, series: string, value: string, seriesOrder?: string[]) {
  const categories = distinct(rows.map((r) => String(r[category])));
  const names = seriesOrder ?? distinct(rows.map((r) => String(r[series])));
  const cells = new Map<string, Cell>();
  for (const r of rows) cells.set(`${r[category]}\u0000${r[series]}`, r[value] ?? null);
  const wide: DataRow[] = categories.map((c) => {
    const row: DataRow = { [category]: c };
    for (const n of names) row[n] = cells.get(`${c}\u0000${n}`) ?? 0;
    return row;
  });
  return { categories, names, wide };
}

/**
 * Text for ECharts' HTML tooltips. A formatter's return value is inserted as HTML, and customer
 * names, segment and category values come from ERP exports and e-invoices: every data value in a
 * formatter goes through this, so `<b>PAY TO …</b>` in a name shows as those characters.
 */
export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function money(v: Cell | undefined, ctx: BuildContext): string {
  return formatMoney(typeof v === 'boolean' ? null : v, ctx.lang, ctx.currency);
}
