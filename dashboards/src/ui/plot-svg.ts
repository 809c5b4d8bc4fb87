import { LINE_STYLES } from '../charts/common.js';
import { axisTicks, defaultTip, labelInterval, type PlotSpec } from '../charts/plot.js';
import { CHART_FONT, chartColours } from '../charts/palette.js';

const SVG = 'http://www.w3.org/2000/svg';
const FONT_SIZE = 12;
const SYMBOL = 7;
/** Dash patterns of the line styles (LINE_STYLES: solid, dashed, dotted, dash-dot). */
const DASH: Record<string, string> = { solid: '', dashed: '6 4', dotted: '2 3' };

let uid = 0;
let measurer: CanvasRenderingContext2D | null | undefined;

/** Width of a label in the chart font (a canvas measures without laying out the page). */
function textWidth(s: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return s.length * FONT_SIZE * 0.6;
  measurer.font = `${FONT_SIZE}px ${CHART_FONT}`;
  return measurer.measureText(s).width;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  // Text from the data goes in as text: a name with markup shows its characters.
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The outline of a point symbol (the line styles' circle, rect, triangle, diamond) centred at x, y. */
function symbolPath(kind: string, x: number, y: number, size = SYMBOL): string {
  const r = size / 2;
  switch (kind) {
    case 'rect':
      return `M${x - r} ${y - r}h${size}v${size}h${-size}Z`;
    case 'triangle':
      return `M${x} ${y - r}L${x + r} ${y + r}L${x - r} ${y + r}Z`;
    case 'diamond':
      return `M${x} ${y - r}L${x + r} ${y}L${x} ${y + r}L${x - r} ${y}Z`;
    default:
      return `M${x - r} ${y}a${r} ${r} 0 1 0 ${size} 0a${r} ${r} 0 1 0 ${-size} 0Z`;
  }
}

function lineStyle(i: number): { symbol: string; dash: string } {
  const s = LINE_STYLES[i % LINE_STYLES.length]!;
  const type = s.lineStyle.type;
  return { symbol: s.symbol, dash: Array.isArray(type) ? type.join(' ') : (DASH[type] ?? '') };
}

export interface DrawnPlot {
  svg: SVGSVGElement;
  width: number;
  height: number;
  /** Redraws at the container's current size. */
  resize(): void;
  dispose(): void;
}

/**
 * Draws a PlotSpec into `container` (an empty .chart) as one SVG, with a legend, value axes, and an
 * axis tooltip (a div after the SVG, as the chart library places its own) that names every series
 * at the category under the pointer. Every text from the data is set as text, never as markup.
 */
export function drawPlot(container: HTMLElement, spec: PlotSpec, opts: { dark: boolean }): DrawnPlot {
  const colours = chartColours(opts.dark);
  const id = `plot${++uid}`;
  const tip = document.createElement('div');
  tip.className = 'plot-tip';
  tip.setAttribute('role', 'tooltip');
  tip.style.display = 'none';
  Object.assign(tip.style, { background: colours.panel, color: colours.text, borderColor: colours.line });
  container.style.position = 'relative';
  let svg = el('svg', {});
  container.replaceChildren(svg, tip);
  let geometry: { x0: number; x1: number; y0: number; y1: number; band: number; pointer: SVGRectElement } | undefined;
  let width = 0;
  let height = 0;

  const colourOf = (i: number) => colours.palette[i % colours.palette.length]!;

  const draw = () => {
    width = Math.max(120, container.clientWidth);
    height = Math.max(120, container.clientHeight);
    const next = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': CHART_FONT, 'font-size': FONT_SIZE, 'aria-hidden': 'true' });
    next.style.display = 'block';
    const n = spec.categories.length;

    // Legend: one row (or more when it does not fit) centred on top, a marker per series.
    const items = spec.series.map((s, i) => ({ s, i, w: 25 + textWidth(s.name) }));
    const rows: (typeof items)[] = [[]];
    let rowWidth = 0;
    for (const it of items) {
      if (rowWidth > 0 && rowWidth + it.w > width - 16) (rows.push([]), (rowWidth = 0));
      rows[rows.length - 1]!.push(it);
      rowWidth += it.w + 12;
    }
    const legend = el('g', { class: 'legend' });
    rows.forEach((row, r) => {
      const total = row.reduce((a, it) => a + it.w, 0) + 12 * (row.length - 1);
      let x = Math.max(4, (width - total) / 2);
      const y = 10 + r * 20;
      for (const { s, i, w } of row) {
        const c = colourOf(i);
        if (s.kind === 'bar') legend.append(el('rect', { x, y: y - 5, width: 20, height: 10, rx: 2, fill: i > 0 ? `url(#${id}-d${i})` : c, stroke: c }));
        else {
          const st = lineStyle(s.style ?? i);
          legend.append(el('line', { x1: x, x2: x + 20, y1: y, y2: y, stroke: c, 'stroke-width': 2, ...(st.dash ? { 'stroke-dasharray': st.dash } : {}) }));
          legend.append(el('path', { d: symbolPath(st.symbol, x + 10, y), fill: c, stroke: c }));
        }
        legend.append(el('text', { x: x + 25, y, 'dominant-baseline': 'central', fill: colours.text }, s.name));
        x += w + 12;
      }
    });

    // Value axes: ticks and their widest label fix the margins (the library's containLabel, measured once).
    const axes = spec.axes.map((axis, a) => {
      const values = spec.series.filter((s) => s.axis === a).flatMap((s) => s.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
      const ticks = axisTicks(axis, values);
      const labels = ticks.map((t) => axis.format(t));
      return { axis, ticks, labels, width: Math.max(0, ...labels.map(textWidth)) };
    });
    const x0 = 8 + (axes[0]?.width ?? 0) + 8;
    const x1 = width - (axes[1] ? 8 + axes[1].width + 8 : 16);
    const y0 = 20 * rows.length + 18;
    const y1 = height - 28;
    const band = n ? (x1 - x0) / n : x1 - x0;
    const xAt = (i: number) => x0 + band * (i + 0.5);
    const yOf = (a: number) => {
      const { ticks, axis } = axes[a] ?? axes[0]!;
      const lo = ticks[0]!;
      const hi = ticks[ticks.length - 1]!;
      return (v: number) => {
        const f = hi === lo ? 0 : (v - lo) / (hi - lo);
        return axis.inverse ? y0 + f * (y1 - y0) : y1 - f * (y1 - y0);
      };
    };

    const defs = el('defs', {});
    const grid = el('g', { class: 'grid' });
    const first = axes[0];
    if (first) {
      const y = yOf(0);
      first.ticks.forEach((t, k) => {
        grid.append(el('line', { x1: x0, x2: x1, y1: y(t), y2: y(t), stroke: colours.line, 'stroke-width': 1 }));
        grid.append(el('text', { x: x0 - 8, y: y(t), 'text-anchor': 'end', 'dominant-baseline': 'central', fill: colours.muted }, first.labels[k]!));
      });
    }
    const second = axes[1];
    if (second) {
      const y = yOf(1);
      second.ticks.forEach((t, k) => grid.append(el('text', { x: x1 + 8, y: y(t), 'text-anchor': 'start', 'dominant-baseline': 'central', fill: colours.muted }, second.labels[k]!)));
    }
    grid.append(el('line', { x1: x0, x2: x1, y1, y2: y1, stroke: colours.muted, 'stroke-width': 1 }));
    // Category labels: as many as fit side by side, evenly spaced from the first.
    const every = labelInterval(Math.max(0, ...spec.categories.map(textWidth)), band);
    spec.categories.forEach((c, i) => {
      if (i % every === 0) grid.append(el('text', { x: xAt(i), y: y1 + 16, 'text-anchor': 'middle', fill: colours.muted }, c));
    });

    const pointer = el('rect', { x: x0, y: y0, width: Math.max(0, band), height: Math.max(0, y1 - y0), fill: colours.muted, 'fill-opacity': 0.12, visibility: 'hidden' });
    const marks = el('g', { class: 'series' });
    // Bars side by side within a category (80 % of its width, gaps of 30 % of a bar between them).
    const bars = spec.series.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === 'bar');
    const barWidth = bars.length ? Math.min(48, (band * 0.8) / (bars.length + 0.3 * (bars.length - 1))) : 0;
    bars.forEach(({ s, i }, b) => {
      const c = colourOf(i);
      // Bars after the first carry a texture as well as a colour (as the library's decals did).
      if (i > 0) {
        const p = el('pattern', { id: `${id}-d${i}`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: `rotate(${b % 2 ? 45 : -45})` });
        p.append(el('rect', { width: 6, height: 6, fill: c }), el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: colours.panel, 'stroke-width': 2, 'stroke-opacity': 0.55 }));
        defs.append(p);
      }
      const y = yOf(s.axis);
      const base = y(0);
      const offset = -((bars.length * barWidth + (bars.length - 1) * 0.3 * barWidth) / 2) + b * 1.3 * barWidth;
      s.values.forEach((v, k) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) return;
        const top = y(v);
        marks.append(el('rect', { x: xAt(k) + offset, y: Math.min(top, base), width: barWidth, height: Math.max(Math.abs(base - top), v === 0 ? 0 : 1), fill: i > 0 ? `url(#${id}-d${i})` : c }));
      });
    });
    spec.series.forEach((s, i) => {
      if (s.kind !== 'line') return;
      const c = colourOf(i);
      const st = lineStyle(s.style ?? i);
      const y = yOf(s.axis);
      let d = '';
      let prev: [number, number] | undefined;
      const points: [number, number][] = [];
      s.values.forEach((v, k) => {
        if (v === undefined) return;
        if (v === null || !Number.isFinite(v)) return void (prev = undefined);
        const pt: [number, number] = [xAt(k), y(v)];
        if (!prev) d += `M${pt[0]} ${pt[1]}`;
        else d += s.step ? `H${pt[0]}V${pt[1]}` : `L${pt[0]} ${pt[1]}`;
        prev = pt;
        points.push(pt);
      });
      if (d) marks.append(el('path', { d, fill: 'none', stroke: c, 'stroke-width': 2, 'stroke-linejoin': 'round', ...(st.dash ? { 'stroke-dasharray': st.dash } : {}) }));
      for (const [x, yy] of points) marks.append(el('path', { d: symbolPath(st.symbol, x, yy), fill: c, stroke: c, 'stroke-width': 1 }));
    });
    next.append(defs, grid, pointer, marks, legend);
    svg.replaceWith(next);
    svg = next;
    geometry = { x0, x1, y0, y1, band, pointer };
  };

  const show = (e: PointerEvent) => {
    if (!geometry || !spec.categories.length) return;
    const box = svg.getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    const { x0, x1, y0, y1, band, pointer } = geometry;
    if (x < x0 || x > x1 || y < y0 - 8 || y > y1 + 8) return hide();
    const i = Math.min(spec.categories.length - 1, Math.max(0, Math.floor((x - x0) / band)));
    const lines = spec.tooltip ? spec.tooltip(i) : defaultTip(spec, i);
    const head = document.createElement('div');
    head.className = 'plot-tip-head';
    head.textContent = spec.categories[i]!;
    tip.replaceChildren(
      head,
      ...lines.map((l) => {
        const row = document.createElement('div');
        const marker = document.createElement('span');
        marker.className = 'plot-tip-marker';
        marker.style.background = colourOf(l.series);
        row.append(marker, l.text);
        return row;
      }),
    );
    pointer.setAttribute('x', String(x0 + band * i));
    pointer.setAttribute('visibility', 'visible');
    tip.style.display = 'block';
    tip.style.left = '0px';
    // Beside the pointer, kept inside the chart (the library's `confine`); measured at the left edge,
    // where it has the chart's whole width to lay out in.
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const left = x + 16 + w <= width ? x + 16 : Math.max(0, x - 16 - w);
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.min(Math.max(0, y - h / 2), Math.max(0, height - h))}px`;
  };
  const hide = () => {
    tip.style.display = 'none';
    geometry?.pointer.setAttribute('visibility', 'hidden');
  };
  container.addEventListener('pointermove', show);
  container.addEventListener('pointerdown', show);
  container.addEventListener('pointerleave', hide);
  draw();
  return {
    get svg() {
      return svg;
    },
    get width() {
      return width;
    },
    get height() {
      return height;
    },
    resize: () => {
      hide();
      draw();
    },
    dispose: () => {
      container.removeEventListener('pointermove', show);
      container.removeEventListener('pointerdown', show);
      container.removeEventListener('pointerleave', hide);
    },
  };
}
