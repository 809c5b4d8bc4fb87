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
import { CHART_FONT, chartColours } from './charts/palette.js';

// Only what the pages draw: keeps the bundle small (tree-shaken ECharts, SVG renderer only).
echarts.use([
  BarChart, LineChart, ScatterChart, HeatmapChart,
  AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent,
  SVGRenderer,
]);

function theme(dark: boolean) {
  const { palette, text, muted, line, panel } = chartColours(dark);
  const axis = { axisLine: { lineStyle: { color: muted } }, axisTick: { lineStyle: { color: muted } }, axisLabel: { color: muted }, splitLine: { lineStyle: { color: line } }, nameTextStyle: { color: muted } };
  return {
    color: palette,
    backgroundColor: 'transparent',
    textStyle: { color: text, fontFamily: CHART_FONT },
    legend: { textStyle: { color: text } },
    tooltip: { backgroundColor: panel, borderColor: line, textStyle: { color: text } },
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
