import { formatNumber, formatQuarter } from '../format.js';
import { t } from '../i18n.js';
import { enumLabel } from './tables.js';
import { LINE_STYLES, baseOption, col, escapeHtml, num, type BuildContext, type ChartModel, type DataRow } from './common.js';

/**
 * Rising industries as horizontal bars: this quarter's rate with its 95 % interval drawn as a band
 * over the bar (a wide band is a small sample), the previous quarter's rate, and the national CBS
 * rate as a marker line. Section letters carry their name in the reader's language.
 */
export function risingChart(rows: DataRow[], ctx: BuildContext): ChartModel {
  const cats = rows.map((r) => enumLabel(ctx, 'sbi_section', String(r.sbi_section)));
  const low = rows.map((r) => num(r.rate_low_per_1000));
  const high = rows.map((r) => num(r.rate_high_per_1000));
  const fmt = (v: number | null) => formatNumber(v, ctx.lang, 1);
  const option = {
    ...baseOption(),
    tooltip: {
      trigger: 'axis' as const,
      confine: true,
      formatter: (params: { dataIndex: number }[]) => {
        const i = params[0]?.dataIndex ?? 0;
        const r = rows[i]!;
        return [
          cats[i],
          `${t(ctx.lang, 'rate_per_1000')}: ${fmt(num(r.rate_per_1000))} (95 %: ${fmt(low[i] ?? null)}–${fmt(high[i] ?? null)})`,
          `${t(ctx.lang, 'prev_rate_per_1000')}: ${fmt(num(r.prev_rate_per_1000))}`,
          `${t(ctx.lang, 'national_rate_per_1000')}: ${fmt(num(r.national_rate_per_1000))}`,
          `${t(ctx.lang, 'monitored')}: ${formatNumber(num(r.monitored), ctx.lang)}, ${t(ctx.lang, 'bankruptcies')}: ${formatNumber(num(r.bankruptcies), ctx.lang)}`,
        ].map(escapeHtml).join('<br>');
      },
    },
    xAxis: { type: 'value' as const, name: t(ctx.lang, 'rate_per_1000'), nameLocation: 'middle' as const, nameGap: 24 },
    yAxis: { type: 'category' as const, data: cats, inverse: true, axisLabel: { width: ctx.narrow ? 110 : 200, overflow: 'truncate' as const, interval: 0 } },
    series: [
      { name: t(ctx.lang, 'rate_per_1000'), type: 'bar' as const, data: rows.map((r) => num(r.rate_per_1000)), barGap: '10%' },
      { name: t(ctx.lang, 'prev_rate_per_1000'), type: 'bar' as const, data: rows.map((r) => num(r.prev_rate_per_1000)) },
      // The interval: an invisible base up to the low end, then the band to the high end, over the current bar.
      { name: 'ci-base', type: 'bar' as const, stack: 'ci', silent: true, barGap: '-100%', barWidth: 6, xAxisIndex: 0, itemStyle: { color: 'transparent', decal: { symbol: 'none' } }, data: low, tooltip: { show: false } },
      { name: t(ctx.lang, 'interval_95'), type: 'bar' as const, stack: 'ci', barWidth: 6, itemStyle: { color: '#4D4D4D', opacity: 0.7 }, data: low.map((l, i) => (l === null || high[i] === null ? null : high[i]! - l)) },
      {
        name: t(ctx.lang, 'national_rate_per_1000'),
        type: 'line' as const,
        data: rows.map((r) => num(r.national_rate_per_1000)),
        ...LINE_STYLES[1],
        lineStyle: { opacity: 0 },
        symbolSize: 10,
      },
    ],
    legend: { top: 0, type: 'scroll' as const, data: [t(ctx.lang, 'rate_per_1000'), t(ctx.lang, 'prev_rate_per_1000'), t(ctx.lang, 'interval_95'), t(ctx.lang, 'national_rate_per_1000')] },
  };
  const table = {
    columns: [
      col(ctx, 'sbi_section', 'text'),
      col(ctx, 'monitored', 'int'),
      col(ctx, 'bankruptcies', 'int'),
      col(ctx, 'rate_per_1000', 'number'),
      col(ctx, 'rate_low_per_1000', 'number'),
      col(ctx, 'rate_high_per_1000', 'number'),
      col(ctx, 'prev_rate_per_1000', 'number'),
      col(ctx, 'national_rate_per_1000', 'number'),
    ],
    rows: rows.map((r, i) => ({
      sbi_section: cats[i]!,
      monitored: r.monitored ?? null,
      bankruptcies: r.bankruptcies ?? null,
      rate_per_1000: r.rate_per_1000 ?? null,
      rate_low_per_1000: r.rate_low_per_1000 ?? null,
      rate_high_per_1000: r.rate_high_per_1000 ?? null,
      prev_rate_per_1000: r.prev_rate_per_1000 ?? null,
      national_rate_per_1000: r.national_rate_per_1000 ?? null,
    })),
  };
  const q = rows[0]?.period_start;
  const summary = rows.length
    ? `${t(ctx.lang, 'c_rising')} (${formatQuarter(typeof q === 'string' ? q : null, ctx.lang)}): ` +
      rows.slice(0, 5).map((r, i) => `${cats[i]} ${fmt(num(r.rate_per_1000))} (${fmt(low[i] ?? null)}–${fmt(high[i] ?? null)})`).join(', ') + '.'
    : t(ctx.lang, 'empty');
  return { option: option as unknown as ChartModel['option'], table, summary };
}
