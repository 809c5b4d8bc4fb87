import { formatNumber, formatQuarter } from '../format.js';
import { t } from '../i18n.js';
import { enumLabel } from './tables.js';
import { baseOption, col, escapeHtml, distinct, num, type BuildContext, type ChartModel, type DataRow } from './common.js';

/**
 * Bankruptcy rate per 1,000 monitored companies as a heatmap (quarter × SBI section); every cell
 * carries its number as a label, so the colour scale is never the only way to read it.
 */
export function bankruptcyHeatmap(rows: DataRow[], ctx: BuildContext): ChartModel {
  const quarters = distinct(rows.map((r) => String(r.period_start))).sort();
  const sections = distinct(rows.map((r) => String(r.sbi_section))).sort();
  const values = rows.map((r) => num(r.rate_per_1000)).filter((v): v is number => v !== null);
  // The colour scale spans every value: a cap would paint 12.0 and 58.8 alike. Each cell keeps its
  // number as a label, so a few extreme cells do not hide the others' values.
  const max = values.length ? Math.max(1, ...values) : 1;
  const partial = new Set(rows.filter((r) => r.period_complete === false).map((r) => String(r.period_start)));
  const data = rows.map((r) => [quarters.indexOf(String(r.period_start)), sections.indexOf(String(r.sbi_section)), num(r.rate_per_1000)]);
  const option = {
    ...baseOption(),
    // Every cell is labelled with its number, so no decal texture is needed (it would hide the scale).
    aria: { enabled: true, decal: { show: false } },
    legend: { show: false },
    grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
    tooltip: {
      trigger: 'item' as const,
      confine: true,
      formatter: (p: { data: [number, number, number | null] }) => {
        const r = rows.find((x) => String(x.period_start) === quarters[p.data[0]] && String(x.sbi_section) === sections[p.data[1]]);
        return [
          `${formatQuarter(quarters[p.data[0]], ctx.lang)}${partial.has(quarters[p.data[0]]!) ? '*' : ''} · ${enumLabel(ctx, 'sbi_section', sections[p.data[1]]!)}`,
          `${t(ctx.lang, 'rate_per_1000')}: ${formatNumber(p.data[2], ctx.lang, 2)}`,
          ...(r && r.national_rate_per_1000 !== null && r.national_rate_per_1000 !== undefined ? [`${t(ctx.lang, 'national_rate_per_1000')}: ${formatNumber(num(r.national_rate_per_1000), ctx.lang, 2)}`] : []),
        ].map(escapeHtml).join('<br>');
      },
    },
    xAxis: { type: 'category' as const, data: quarters.map((q) => `${formatQuarter(q, ctx.lang)}${partial.has(q) ? '*' : ''}`), splitArea: { show: true } },
    yAxis: { type: 'category' as const, data: sections.map((s) => enumLabel(ctx, 'sbi_section', s)), splitArea: { show: true }, axisLabel: { width: ctx.narrow ? 90 : 160, overflow: 'truncate' as const } },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal' as const, left: 'center', bottom: 0, itemHeight: 120, formatter: (v: number) => formatNumber(v, ctx.lang, 1) },
    series: [
      {
        name: t(ctx.lang, 'rate_per_1000'),
        type: 'heatmap' as const,
        data,
        label: { show: true, fontSize: 10, formatter: (p: { data: [number, number, number | null] }) => formatNumber(p.data[2], ctx.lang, 1) },
      },
    ],
  };
  const table = {
    columns: [
      col(ctx, 'period_start', 'quarter', 'quarter'),
      col(ctx, 'sbi_section', 'text'),
      col(ctx, 'monitored', 'int'),
      col(ctx, 'bankruptcies', 'int'),
      col(ctx, 'rate_per_1000', 'number'),
      col(ctx, 'national_rate_per_1000', 'number'),
    ],
    rows: rows.map((r) => ({
      period_start: r.period_start ?? null,
      sbi_section: r.sbi_section ?? null,
      monitored: r.monitored ?? null,
      bankruptcies: r.bankruptcies ?? null,
      rate_per_1000: r.rate_per_1000 ?? null,
      national_rate_per_1000: r.national_rate_per_1000 ?? null,
    })),
  };
  const latest = quarters[quarters.length - 1];
  const top = rows
    .filter((r) => String(r.period_start) === latest)
    .sort((a, b) => (num(b.rate_per_1000) ?? 0) - (num(a.rate_per_1000) ?? 0))
    .slice(0, 3)
    .map((r) => `${r.sbi_section} ${formatNumber(num(r.rate_per_1000), ctx.lang, 1)}`);
  const summary = rows.length
    ? `${t(ctx.lang, 'c_heatmap')}: ${quarters.length} × ${sections.length}; ${formatQuarter(latest, ctx.lang)}: ${top.join(', ')}.`
    : t(ctx.lang, 'empty');
  return { option: option as unknown as ChartModel["option"], table, summary };
}
