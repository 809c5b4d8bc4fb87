import { formatNumber } from '../format.js';
import { label, t } from '../i18n.js';
import { axisFormatter, baseOption, col, escapeHtml, money, num, type BuildContext, type ChartModel, type DataRow } from './common.js';

export const PRIORITY_ORDER = ['grow', 'keep', 'watch', 'restrict'] as const;
/** Each priority has its own marker shape, so the groups differ without colour. */
const SYMBOL: Record<string, string> = { grow: 'circle', keep: 'rect', watch: 'triangle', restrict: 'diamond' };

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Bubble radius from open AR: area grows with the amount, clamped to stay readable. */
export function bubbleSize(openAr: number | null, maxOpenAr: number): number {
  if (!openAr || openAr <= 0 || maxOpenAr <= 0) return 6;
  return Math.max(6, Math.min(40, Math.sqrt(openAr / maxOpenAr) * 40));
}

/** Credit score × T12M revenue, bubble = open AR, one series (and marker shape) per priority. */
export function quadrantChart(rows: DataRow[], ctx: BuildContext): ChartModel {
  const maxAr = Math.max(0, ...rows.map((r) => num(r.open_ar) ?? 0));
  const scoreMid = median(rows.map((r) => num(r.score)).filter((v): v is number => v !== null));
  const revMid = median(rows.map((r) => num(r.revenue_t12m)).filter((v): v is number => v !== null));
  const present = PRIORITY_ORDER.filter((p) => rows.some((r) => r.priority === p));
  const series = present.map((p, i) => ({
    name: label(ctx.lang, p),
    type: 'scatter' as const,
    symbol: SYMBOL[p],
    data: rows
      .filter((r) => r.priority === p)
      .map((r) => ({ value: [num(r.score), num(r.revenue_t12m), num(r.open_ar)], name: String(r.name ?? r.customer_id) })),
    symbolSize: (v: number[]) => bubbleSize(v[2] ?? null, maxAr),
    ...(i === 0 && scoreMid !== null && revMid !== null
      ? {
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed' as const },
            label: { show: false },
            data: [{ xAxis: scoreMid }, { yAxis: revMid }],
          },
        }
      : {}),
  }));
  const option = {
    ...baseOption(),
    grid: { left: 8, right: 16, top: 40, bottom: 32, containLabel: true },
    tooltip: {
      trigger: 'item' as const,
      confine: true,
      formatter: (p: { data: { name: string; value: number[] }; seriesName: string }) =>
        [
          p.data.name,
          `${t(ctx.lang, 'score')}: ${formatNumber(p.data.value[0] ?? null, ctx.lang)}`,
          `${t(ctx.lang, 'revenue_t12m')}: ${money(p.data.value[1] ?? null, ctx)}`,
          `${t(ctx.lang, 'open_ar')}: ${money(p.data.value[2] ?? null, ctx)}`,
          `${t(ctx.lang, 'priority')}: ${p.seriesName}`,
        ].map(escapeHtml).join('<br>'),
    },
    xAxis: { type: 'value' as const, name: t(ctx.lang, 'score'), nameLocation: 'middle' as const, nameGap: 28, min: 0, max: 100 },
    yAxis: {
      type: 'value' as const,
      name: t(ctx.lang, 'revenue_t12m'),
      nameTextStyle: { align: 'left' as const },
      min: rows.every((r) => (num(r.revenue_t12m) ?? 0) >= 0) ? 0 : undefined,
      axisLabel: { formatter: axisFormatter('money', ctx) },
    },
    series,
  };
  const table = {
    columns: [
      col(ctx, 'customer_id', 'text'),
      col(ctx, 'name', 'text'),
      col(ctx, 'score', 'number'),
      col(ctx, 'revenue_t12m', 'money'),
      col(ctx, 'open_ar', 'money'),
      col(ctx, 'priority', 'text'),
    ],
    rows: rows.map((r) => ({
      customer_id: r.customer_id ?? null,
      name: r.name ?? null,
      score: r.score ?? null,
      revenue_t12m: r.revenue_t12m ?? null,
      open_ar: r.open_ar ?? null,
      priority: r.priority === null || r.priority === undefined ? null : label(ctx.lang, String(r.priority)),
    })),
  };
  const counts = present.map((p) => `${label(ctx.lang, p)} ${rows.filter((r) => r.priority === p).length}`);
  const summary = rows.length ? `${t(ctx.lang, 'c_quadrant')}: ${rows.length} ${t(ctx.lang, 'customers').toLowerCase()}; ${counts.join(', ')}.` : t(ctx.lang, 'empty');
  return { option: option as unknown as ChartModel["option"], table, summary };
}
