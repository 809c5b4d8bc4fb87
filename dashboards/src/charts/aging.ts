import { formatDate, formatMonth, formatPct, type ValueKind } from '../format.js';
import { label, t } from '../i18n.js';
import { axisFormatter, baseOption, distinct, money, num, pivot, sumMoney, valueFormatter, type BuildContext, type ChartModel, type DataRow } from './common.js';

/** Sort key of an aging bucket label: `not due` first, then by the lower edge, `>90` last. */
export function bucketRank(bucket: string): number {
  const b = bucket.trim().toLowerCase();
  if (b === 'not due' || b === 'current' || b === '0') return -1;
  const gt = /^>\s*(\d+)/.exec(b);
  if (gt) return Number(gt[1]) + 0.5;
  const range = /^(\d+)\s*-\s*(\d+)/.exec(b);
  if (range) return Number(range[1]);
  const plus = /^(\d+)\s*\+/.exec(b);
  if (plus) return Number(plus[1]);
  return 1e9;
}

export function orderBuckets(buckets: string[]): string[] {
  return [...buckets].sort((a, b) => bucketRank(a) - bucketRank(b) || a.localeCompare(b));
}

/**
 * Aging as stacked bars per month end: amounts, or each bucket's share of that month's open AR.
 * Shares are computed from the exact amounts and shown rounded to 0.01%.
 */
export function agingChart(rows: DataRow[], mode: 'amount' | 'pct', ctx: BuildContext): ChartModel {
  const buckets = orderBuckets(distinct(rows.map((r) => String(r.bucket))));
  const { categories, wide } = pivot(rows, 'as_of_date', 'bucket', 'open_amount', buckets);
  const shown: DataRow[] =
    mode === 'amount'
      ? wide
      : wide.map((w) => {
          const total = num(sumMoney(buckets.map((b) => w[b])))!;
          const row: DataRow = { as_of_date: w.as_of_date ?? null };
          for (const b of buckets) row[b] = total === 0 ? 0 : Math.round(((num(w[b]) ?? 0) / total) * 10000) / 100;
          return row;
        });
  const kind: ValueKind = mode === 'amount' ? 'money' : 'pct';
  const option = {
    ...baseOption(),
    xAxis: { type: 'category' as const, data: categories.map((d) => formatMonth(d, ctx.lang)) },
    yAxis: {
      type: 'value' as const,
      max: mode === 'pct' ? 100 : undefined,
      axisLabel: { formatter: axisFormatter(mode === 'amount' ? 'money' : 'pct', ctx) },
    },
    tooltip: { trigger: 'axis' as const, confine: true, valueFormatter: valueFormatter(kind, ctx) },
    series: buckets.map((b) => ({
      name: label(ctx.lang, b),
      type: 'bar' as const,
      stack: 'aging',
      data: shown.map((r) => num(r[b])),
    })),
  };
  const table = {
    columns: [
      { key: 'as_of_date', label: t(ctx.lang, 'f_as_of'), kind: 'date' as ValueKind },
      ...buckets.map((b) => ({ key: b, label: label(ctx.lang, b), kind })),
    ],
    rows: shown,
  };
  const last = wide[wide.length - 1];
  let summary = t(ctx.lang, 'empty');
  if (last) {
    const total = sumMoney(buckets.map((b) => last[b]));
    const over90 = buckets.filter((b) => bucketRank(b) > 90);
    const notDue = buckets.filter((b) => bucketRank(b) < 0);
    const current = sumMoney(notDue.map((b) => last[b]));
    const totalNum = num(total) ?? 0;
    summary =
      `${t(ctx.lang, 'c_aging')}, ${formatDate(String(last.as_of_date), ctx.lang)}: ${money(total, ctx)}; ` +
      `${label(ctx.lang, 'not due')} ${totalNum ? formatPct(((num(current) ?? 0) / totalNum) * 100, ctx.lang) : '–'}` +
      (over90.length ? `; ${over90.join(', ')} ${money(sumMoney(over90.map((b) => last[b])), ctx)}.` : '.');
  }
  return { option: option as unknown as ChartModel["option"], table, summary };
}
