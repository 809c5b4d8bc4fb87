import { formatDate, formatMonth, formatPct, type ValueKind } from '../format.js';
import { label, t } from '../i18n.js';
import { axisFormatter, baseOption, money, num, pivot, sumMoney, valueFormatter, type BuildContext, type ChartModel, type DataRow } from './common.js';

/** Buckets in the server's order (bucket_order), split into aged debit balances and credit lines. */
export function bucketsOf(rows: DataRow[]): { aging: string[]; credit: string[] } {
  const seen = new Map<string, { order: number; kind: string }>();
  for (const r of rows) {
    const b = String(r.bucket);
    if (!seen.has(b)) seen.set(b, { order: num(r.bucket_order) ?? Number.MAX_SAFE_INTEGER, kind: String(r.bucket_kind ?? 'aging') });
  }
  const sorted = [...seen.entries()].sort((a, b) => a[1].order - b[1].order);
  return { aging: sorted.filter(([, v]) => v.kind !== 'credit').map(([b]) => b), credit: sorted.filter(([, v]) => v.kind === 'credit').map(([b]) => b) };
}

/**
 * Aging as stacked bars per month end. Amounts: the aged debit buckets stack up, unapplied cash and
 * credit balances stack below zero. Percent: each bucket's share of the aged debit balances (the
 * server's share_pct), which add to 100 %; the credit lines are not part of it and are named in the
 * summary and kept in the table as amounts.
 */
export function agingChart(rows: DataRow[], mode: 'amount' | 'pct', ctx: BuildContext): ChartModel {
  const { aging, credit } = bucketsOf(rows);
  const all = [...aging, ...credit];
  const amounts = pivot(rows, 'as_of_date', 'bucket', 'open_amount', all);
  const shares = pivot(rows, 'as_of_date', 'bucket', 'share_pct', aging);
  const categories = amounts.categories;
  const pct = mode === 'pct';
  const drawn = pct ? aging : all;
  const source = pct ? shares.wide : amounts.wide;
  const kind: ValueKind = pct ? 'pct' : 'money';
  const option = {
    ...baseOption(),
    xAxis: { type: 'category' as const, data: categories.map((d) => formatMonth(d, ctx.lang)) },
    yAxis: {
      type: 'value' as const,
      max: pct ? 100 : undefined,
      axisLabel: { formatter: axisFormatter(kind, ctx) },
    },
    tooltip: { trigger: 'axis' as const, confine: true, valueFormatter: valueFormatter(kind, ctx) },
    series: drawn.map((b) => ({
      name: label(ctx.lang, b),
      type: 'bar' as const,
      // Credit lines are negative: their own stack keeps them below the axis instead of eating into the debit bars.
      stack: credit.includes(b) ? 'credit' : 'aging',
      data: source.map((r) => num(r[b])),
    })),
  };
  const table = {
    columns: [
      { key: 'as_of_date', label: t(ctx.lang, 'f_as_of'), kind: 'date' as ValueKind },
      ...aging.map((b) => ({ key: b, label: label(ctx.lang, b), kind })),
      // In percent mode the credit side stays in amounts, beside the shares.
      ...credit.map((b) => ({ key: b, label: label(ctx.lang, b), kind: 'money' as ValueKind })),
    ],
    rows: categories.map((c, i) => {
      const row: DataRow = { as_of_date: c };
      for (const b of aging) row[b] = (pct ? shares.wide[i]![b] : amounts.wide[i]![b]) ?? null;
      for (const b of credit) row[b] = amounts.wide[i]![b] ?? null;
      return row;
    }),
  };
  const last = amounts.wide[amounts.wide.length - 1];
  let summary = t(ctx.lang, 'empty');
  if (last) {
    const debit = sumMoney(aging.map((b) => last[b]));
    const oldest = aging.slice(-2);
    const lastShares = shares.wide[shares.wide.length - 1]!;
    summary =
      `${t(ctx.lang, 'c_aging')}, ${formatDate(String(last.as_of_date), ctx.lang)}: ${t(ctx.lang, 'aged_debit')} ${money(debit, ctx)}; ` +
      oldest.map((b) => `${label(ctx.lang, b)} ${money(last[b], ctx)} (${formatPct(num(lastShares[b]), ctx.lang)})`).join(', ') +
      (credit.length ? `; ${credit.map((b) => `${label(ctx.lang, b)} ${money(last[b], ctx)}`).join(', ')} ${t(ctx.lang, 'shown_apart')}.` : '.');
  }
  return { option: option as unknown as ChartModel['option'], table, summary };
}
