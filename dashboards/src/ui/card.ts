import type { ChartModel, DataRow, TableData } from '../charts/common.js';
import { csvFileName, toCsv } from '../csv.js';
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { formatNumber, type Lang } from '../format.js';
import { t } from '../i18n.js';
import { download, h } from './dom.js';
import { renderTable, type TableOptions } from './table.js';
import { isPlotModel, type PlotModel } from '../charts/plot.js';
import { drawPlot, type DrawnPlot } from './plot-svg.js';

/**
 * ECharts (most of the front end's code) is a chunk of its own, loaded once and shared by every
 * card: a page's identity, tiles and tables are on screen while it compiles, instead of waiting
 * behind it. index.html preloads the chunk, so it downloads beside the main script; main.ts asks
 * for it at start so it is evaluated while the first data arrives.
 */
let chartLibrary: Promise<typeof import('../echarts.js')> | undefined;
export function loadChartLibrary(): Promise<typeof import('../echarts.js')> {
  // A failed load (a dropped connection) is tried again by the next chart, not remembered.
  chartLibrary ??= import('../echarts.js').catch((e: unknown) => {
    chartLibrary = undefined;
    throw e;
  });
  return chartLibrary;
}

export interface CardEnv {
  lang: Lang;
  currency: string;
  theme: 'light' | 'dark';
  asOf: string | null;
}

/**
 * One dashboard section: a title, a chart (or table) with its table alternative, CSV and PNG
 * export, notes, and the loading / unavailable / error states.
 */
export class Card {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly extra: HTMLElement;
  private chart?: ECharts;
  /** A chart drawn without the library (a PlotModel). */
  private plot?: DrawnPlot;
  /** Bumped by every change of content: a chart whose library arrives after the card moved on is not drawn. */
  private version = 0;
  private observer?: ResizeObserver;

  constructor(
    readonly id: string,
    private title: string,
    private readonly env: CardEnv,
    opts: { wide?: boolean; tall?: boolean } = {},
  ) {
    this.actions = h('div', { class: 'actions' });
    this.extra = h('div', { class: 'actions' });
    this.body = h('div', { class: 'card-body' });
    this.root = h(
      'section',
      { class: `card${opts.wide ? ' wide' : ''}${opts.tall ? ' tall' : ''}`, id: `card-${id}`, 'data-card': id, 'aria-labelledby': `h-${id}`, 'data-state': 'loading' },
      h('header', {}, h('h2', { id: `h-${id}`, text: title }), this.extra, this.actions),
      this.body,
    );
    this.setState('loading', t(env.lang, 'loading'));
  }

  setTitle(title: string): void {
    this.title = title;
    this.root.querySelector('h2')!.textContent = title;
  }

  /** Page-specific controls in the header (e.g. amount / percent). */
  setControls(...nodes: HTMLElement[]): void {
    this.extra.replaceChildren(...nodes);
  }

  setState(state: 'loading' | 'unavailable' | 'error' | 'empty', message: string): void {
    this.disposeChart();
    this.actions.replaceChildren();
    this.root.dataset.state = state;
    this.body.replaceChildren(h('p', { class: `state ${state}`, role: state === 'error' ? 'alert' : 'status', text: message }));
  }

  setNotes(notes: string[]): void {
    if (!notes.length) return;
    this.body.append(h('p', { class: 'notes', text: `${t(this.env.lang, 'note')}: ${notes.join('; ')}` }));
  }

  /** A visible badge naming the page filters this card could not apply (its numbers are unfiltered by them). */
  setIgnoredFilters(labels: string[]): void {
    this.root.querySelector('.ignored')?.remove();
    if (!labels.length) return;
    this.root.dataset.ignored = labels.join(',');
    this.body.prepend(h('p', { class: 'ignored', role: 'note', text: t(this.env.lang, 'ignored_filters', { filters: labels.join(', ') }) }));
  }

  /** "20 of 1,234" under a cut list, with links to the full export. */
  setTruncation(shown: number, total: number, urls: { csv: string; xlsx: string }): void {
    this.root.querySelector('.truncated')?.remove();
    if (total <= shown) return;
    const lang = this.env.lang;
    const fmt = { format: (n: number) => formatNumber(n, lang, 0) };
    this.root.dataset.total = String(total);
    this.body.append(
      h(
        'p',
        { class: 'truncated', 'data-shown': String(shown), 'data-total': String(total) },
        t(lang, 'n_of_m', { n: fmt.format(shown), m: fmt.format(total) }),
        ' · ',
        h('a', { href: urls.csv, 'data-action': 'export-csv', download: '', text: t(lang, 'export_all_csv') }),
        ' · ',
        h('a', { href: urls.xlsx, 'data-action': 'export-xlsx', download: '', text: t(lang, 'export_all_xlsx') }),
      ),
    );
  }

  private csvButton(table: () => TableData): HTMLElement {
    return h('button', {
      type: 'button',
      'data-action': 'csv',
      text: t(this.env.lang, 'download_csv'),
      'aria-label': `${t(this.env.lang, 'download_csv')}: ${this.title}`,
      onclick: () => download(new Blob([toCsv(table())], { type: 'text/csv;charset=utf-8' }), csvFileName(this.id, this.env.asOf)),
    });
  }

  /** The table as shown, as an Excel workbook with real numbers and dates (library loaded on first use). */
  private xlsxButton(table: () => TableData): HTMLElement {
    return h('button', {
      type: 'button',
      'data-action': 'xlsx',
      text: t(this.env.lang, 'download_xlsx'),
      'aria-label': `${t(this.env.lang, 'download_xlsx')}: ${this.title}`,
      onclick: async () => {
        const { xlsxBlob } = await import('../../../src/serve/sheet.js');
        const tbl = table();
        const blob = await xlsxBlob(tbl.columns.map((c) => ({ key: c.key, header: c.label, kind: c.kind })), tbl.rows, this.title);
        download(blob, csvFileName(this.id, this.env.asOf).replace(/\.csv$/, '.xlsx'));
      },
    });
  }

  /**
   * A chart with a toggle to its table; CSV = the table; PNG = the chart rasterised. An ECharts
   * option is drawn once the chart library has loaded; a PlotModel is drawn at once, as plain SVG.
   */
  showChart(model: ChartModel | PlotModel): void {
    this.disposeChart();
    this.root.dataset.state = 'ready';
    const chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': model.summary, 'data-rendered': 'false' });
    // The table behind the chart is built when first shown: a page of charts does not lay out
    // thousands of hidden cells (the daily collection activity alone has a row per day).
    let tableView: ReturnType<typeof renderTable> | undefined;
    const tableEl = () => {
      if (!tableView) {
        tableView = renderTable(model.table, { lang: this.env.lang, currency: this.env.currency, caption: this.title, sortable: true });
        tableView.el.id = `tbl-${this.id}`;
        tableView.el.hidden = true;
        this.body.insertBefore(tableView.el, chartEl.nextSibling);
      }
      return tableView.el;
    };
    const shown = () => (tableView ? tableView.shown() : model.table);
    const toggle = h('button', {
      type: 'button',
      'data-action': 'table',
      'aria-expanded': 'false',
      'aria-controls': `tbl-${this.id}`,
      text: t(this.env.lang, 'show_table'),
      onclick: () => {
        const el = tableEl();
        const showTable = el.hidden;
        el.hidden = !showTable;
        chartEl.hidden = showTable;
        toggle.setAttribute('aria-expanded', String(showTable));
        toggle.textContent = t(this.env.lang, showTable ? 'show_chart' : 'show_table');
        if (!showTable) this.chart?.resize();
        if (!showTable) this.plot?.resize();
      },
    });
    const png = h('button', { type: 'button', 'data-action': 'png', text: t(this.env.lang, 'export_png'), onclick: () => void this.exportPng() });
    this.actions.replaceChildren(toggle, this.csvButton(shown), this.xlsxButton(shown), png);
    this.body.replaceChildren(chartEl);
    if (isPlotModel(model)) return this.drawPlot(chartEl, model);
    const version = this.version;
    void loadChartLibrary().then(
      ({ echarts }) => {
        if (version === this.version) this.drawChart(echarts, chartEl, model);
      },
      (e: Error) => {
        if (version === this.version) this.setState('error', t(this.env.lang, 'failed', { error: e.message }));
      },
    );
  }

  private drawChart(echarts: typeof import('../echarts.js').echarts, chartEl: HTMLElement, model: ChartModel): void {
    const chart = echarts.init(chartEl, this.env.theme === 'dark' ? 'cl-dark' : 'cl-light', { renderer: 'svg' });
    chart.on('finished', () => chartEl.setAttribute('data-rendered', 'true'));
    // Our summary is the chart's accessible description; given through the aria option, ECharts keeps
    // it when it re-renders (a resize) instead of writing its generic one back.
    const aria = (model.option as { aria?: Record<string, unknown> }).aria ?? {};
    chart.setOption({ ...model.option, aria: { ...aria, enabled: true, label: { description: model.summary } } } as EChartsCoreOption);
    // ECharts writes its own aria-label from the option; ours is the summary built with the data.
    chartEl.setAttribute('aria-label', model.summary);
    this.chart = chart;
    // A ResizeObserver reports the size it first sees too: re-laying out a chart just drawn at that
    // size costs a third of its render, so only a real change of size redraws.
    let size = [chart.getWidth(), chart.getHeight()];
    this.observer = new ResizeObserver(() => {
      const next = [chartEl.clientWidth, chartEl.clientHeight];
      if (next[0] === size[0] && next[1] === size[1]) return;
      chart.resize();
      size = [chart.getWidth(), chart.getHeight()];
    });
    this.observer.observe(chartEl);
  }

  private drawPlot(chartEl: HTMLElement, model: PlotModel): void {
    const plot = drawPlot(chartEl, model.plot, { dark: this.env.theme === 'dark' });
    this.plot = plot;
    chartEl.setAttribute('data-rendered', 'true');
    // Redrawn when its box changes size (not for the size it is first seen at, as for the library's charts).
    let size = [plot.width, plot.height];
    this.observer = new ResizeObserver(() => {
      const next = [chartEl.clientWidth, chartEl.clientHeight];
      if (chartEl.hidden || (next[0] === size[0] && next[1] === size[1])) return;
      plot.resize();
      size = [plot.width, plot.height];
    });
    this.observer.observe(chartEl);
  }

  /** Table-only section (lists); optionally sortable with a drill-down column. */
  showTable(table: TableData, opts: Partial<TableOptions> = {}): void {
    this.disposeChart();
    this.root.dataset.state = table.rows.length ? 'ready' : 'empty';
    const view = renderTable(table, { lang: this.env.lang, currency: this.env.currency, caption: this.title, sortable: true, ...opts });
    this.actions.replaceChildren(this.csvButton(view.shown), this.xlsxButton(view.shown));
    this.body.replaceChildren(table.rows.length ? view.el : h('p', { class: 'state empty', role: 'status', text: t(this.env.lang, 'empty') }));
  }

  /** Arbitrary content (KPI tiles) with a CSV of the table behind it. */
  showContent(content: HTMLElement, table: TableData): void {
    this.disposeChart();
    this.root.dataset.state = 'ready';
    this.actions.replaceChildren(this.csvButton(() => table), this.xlsxButton(() => table));
    this.body.replaceChildren(content);
  }

  private async exportPng(): Promise<void> {
    const size = this.chart ? { w: this.chart.getWidth(), h: this.chart.getHeight() } : this.plot ? { w: this.plot.width, h: this.plot.height } : undefined;
    const svgEl = this.body.querySelector('.chart svg');
    if (!size || !svgEl) return;
    // The live SVG of the SVG renderer (renderToSVGString is for server-side rendering).
    const svg = new XMLSerializer().serializeToString(svgEl);
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    await img.decode();
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = size.w * scale;
    canvas.height = size.h * scale;
    const g = canvas.getContext('2d')!;
    g.fillStyle = getComputedStyle(this.root).backgroundColor || '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/png'));
    if (blob) download(blob, csvFileName(this.id, this.env.asOf).replace(/\.csv$/, '.png'));
  }

  private disposeChart(): void {
    this.version++;
    this.observer?.disconnect();
    this.observer = undefined;
    this.chart?.dispose();
    this.chart = undefined;
    this.plot?.dispose();
    this.plot = undefined;
  }

  dispose(): void {
    this.disposeChart();
  }
}

export type { DataRow };
