import type { TableData } from './common.js';

/**
 * A small category chart (bars and lines over months or report dates, one or two value axes) drawn
 * as plain SVG by ui/plot-svg.ts, without the chart library: the customer page's three trend
 * charts are a few dozen points each, and loading, compiling and laying out ECharts for them was
 * most of that page's time. Pure data and formatters here; the drawing is in the renderer.
 */
export interface PlotSeries {
  name: string;
  kind: 'bar' | 'line';
  /** The value axis the series is read against: 0 left, 1 right. */
  axis: 0 | 1;
  /**
   * One value per category. null: a gap (a line breaks there, no bar); undefined: nothing at this
   * category (a line carries on across it, as a provider's line between its reports).
   */
  values: (number | null | undefined)[];
  /** A line that holds its value until the next point (a score stands until the next report). */
  step?: boolean;
  /** Index into the line styles (symbol and dash pattern) that tell lines apart without colour. */
  style?: number;
  /** The value at a category as the tooltip shows it (from the exact value, not the plotted float). */
  text: (index: number) => string;
}

export interface PlotAxis {
  /** Tick label. */
  format: (v: number) => string;
  min?: number;
  max?: number;
  /** Fixed distance between ticks (with min and max: exactly those ticks). */
  interval?: number;
  /** Smallest value on top (the risk bands: 1 = lowest risk is drawn highest). */
  inverse?: boolean;
}

export interface PlotTipLine {
  /** The series whose colour marks the line. */
  series: number;
  text: string;
}

export interface PlotSpec {
  /** Category labels as shown (formatted months or dates), left to right. */
  categories: string[];
  series: PlotSeries[];
  /** One or two value axes (left, right). */
  axes: PlotAxis[];
  /** The tooltip's lines at a category; by default each series with a value there, "name: value". */
  tooltip?: (index: number) => PlotTipLine[];
}

/** A chart drawn without ECharts: the plot, its table (accessible alternative, CSV) and summary. */
export interface PlotModel {
  plot: PlotSpec;
  table: TableData;
  summary: string;
}

export function isPlotModel(m: object): m is PlotModel {
  return 'plot' in m;
}

/** The default tooltip: every series with a value at the category. */
export function defaultTip(spec: PlotSpec, index: number): PlotTipLine[] {
  return spec.series.flatMap((s, i) => {
    const v = s.values[index];
    return v === null || v === undefined ? [] : [{ series: i, text: `${s.name}: ${s.text(index)}` }];
  });
}

const NICE = [1, 2, 2.5, 5, 10];

/** A round step near span / count: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (NICE.find((n) => f <= n) ?? 10) * pow;
}

/**
 * The ticks of a value axis: the axis's own min/max/interval where given, otherwise round numbers
 * around the data that include zero (bars start at zero, as on the library's value axes).
 */
export function axisTicks(axis: PlotAxis, values: number[]): number[] {
  if (axis.min !== undefined && axis.max !== undefined && axis.interval) {
    const out: number[] = [];
    for (let v = axis.min; v <= axis.max + axis.interval / 1e6; v += axis.interval) out.push(Number(v.toFixed(10)));
    return out;
  }
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (axis.min !== undefined) lo = axis.min;
  if (axis.max !== undefined) hi = axis.max;
  if (lo === hi) hi = lo + 1;
  const step = axis.interval ?? niceStep(hi - lo);
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const out: number[] = [];
  for (let i = 0; first + i * step <= last + step / 1e6; i++) out.push(Number((first + i * step).toFixed(10)));
  return out;
}

/** Every how-many-th category label is shown so that labels of this width do not overlap. */
export function labelInterval(labelWidth: number, bandWidth: number, gap = 8): number {
  if (!(bandWidth > 0)) return 1;
  return Math.max(1, Math.ceil((labelWidth + gap) / bandWidth));
}
