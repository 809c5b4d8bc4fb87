import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

// Only what the pages draw: keeps the bundle small (tree-shaken ECharts, SVG renderer only).
echarts.use([
  BarChart, LineChart, ScatterChart, HeatmapChart,
  AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent,
  SVGRenderer,
]);

/** Okabe-Ito: distinguishable with the common colour-vision deficiencies; lighter twins for dark. */
const PALETTE_LIGHT = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D00', '#4D4D4D'];
const PALETTE_DARK = ['#56B4E9', '#F0B93A', '#2FC598', '#FF8A4C', '#E39AC6', '#9AD3F5', '#F0E442', '#CCCCCC'];

function theme(dark: boolean) {
  const text = dark ? '#e8ebef' : '#1b1f24';
  const muted = dark ? '#aab2bd' : '#4d5560';
  const line = dark ? '#3a414c' : '#d5dae1';
  const axis = { axisLine: { lineStyle: { color: muted } }, axisTick: { lineStyle: { color: muted } }, axisLabel: { color: muted }, splitLine: { lineStyle: { color: line } }, nameTextStyle: { color: muted } };
  return {
    color: dark ? PALETTE_DARK : PALETTE_LIGHT,
    backgroundColor: 'transparent',
    textStyle: { color: text, fontFamily: '"DejaVu Sans", system-ui, sans-serif' },
    legend: { textStyle: { color: text } },
    tooltip: { backgroundColor: dark ? '#1d2128' : '#ffffff', borderColor: line, textStyle: { color: text } },
    categoryAxis: axis,
    valueAxis: axis,
    visualMap: { color: dark ? ['#ff8f84', '#7a3b2e', '#2a2f38'] : ['#a3261b', '#f4a582', '#fdf1e8'], textStyle: { color: text } },
    markLine: { label: { color: text } },
    // Value labels in the text colour, without the white halo that is unreadable on dark.
    bar: { label: { color: text, textBorderWidth: 0 } },
    line: { label: { color: text, textBorderWidth: 0 } },
    heatmap: { label: { color: text, textBorderWidth: 0 } },
  };
}

echarts.registerTheme('cl-light', theme(false));
echarts.registerTheme('cl-dark', theme(true));

export { echarts };
