import { formatMonth } from '../format.js';
import { t, type LabelKey } from '../i18n.js';
import { axisFormatter, baseOption, categoryLabels, escapeHtml, money, num, sumMoney, type BuildContext, type ChartModel, type DataRow } from './common.js';

const STEPS: { key: LabelKey; sign: 1 | -1 | 0 }[] = [
  { key: 'ar_begin', sign: 0 },
  { key: 'invoiced', sign: 1 },
  { key: 'credit_notes', sign: -1 },
  { key: 'collected', sign: -1 },
  { key: 'written_off', sign: -1 },
  { key: 'ar_end', sign: 0 },
];

/** Signed movement of a step: decreases are negative whatever sign the mart stores them with. */
export function stepAmount(value: string | number | null | undefined, sign: 1 | -1 | 0): string {
  const s = sumMoney([value ?? null]);
  if (sign === 0) return s;
  const abs = s.startsWith('-') ? s.slice(1) : s;
  return sign < 0 && abs !== '0.00' ? `-${abs}` : abs;
}

/**
 * The month's AR roll-forward as a waterfall: begin and end as full bars, movements floating on an
 * invisible base. Also reports whether the steps tie out to the end balance (exact, in cents).
 */
export function rollforwardChart(row: DataRow | undefined, ctx: BuildContext): ChartModel & { tiesOut: boolean } {
  if (!row) return { option: baseOption(), table: { columns: [], rows: [] }, summary: t(ctx.lang, 'empty'), tiesOut: true };
  const steps = STEPS.map((s) => ({ ...s, amount: stepAmount(row[s.key] as string | number | null, s.sign) }));
  const base: (number | null)[] = [];
  const up: (number | null)[] = [];
  const down: (number | null)[] = [];
  let level = 0;
  for (const s of steps) {
    const a = num(s.amount) ?? 0;
    if (s.sign === 0) {
      base.push(0);
      up.push(a);
      down.push(null);
      level = a;
    } else if (a >= 0) {
      base.push(level);
      up.push(a);
      down.push(null);
      level += a;
    } else {
      level += a;
      base.push(level);
      up.push(null);
      down.push(-a);
    }
  }
  const computedEnd = sumMoney(steps.slice(0, -1).map((s) => s.amount));
  const tiesOut = computedEnd === steps[steps.length - 1]!.amount;
  const names = steps.map((s) => t(ctx.lang, s.key));
  const option = {
    ...baseOption(),
    legend: { show: false },
    tooltip: {
      trigger: 'axis' as const,
      confine: true,
      formatter: (params: unknown) => {
        const i = (params as { dataIndex: number }[])[0]?.dataIndex ?? 0;
        return escapeHtml(`${names[i]}: ${money(steps[i]!.amount, ctx)}`);
      },
    },
    xAxis: { type: 'category' as const, data: names, axisLabel: categoryLabels(ctx, names.length, 90) },
    yAxis: { type: 'value' as const, axisLabel: { formatter: axisFormatter('money', ctx) } },
    series: [
      // The invisible base carries no decal pattern (the aria module would otherwise hatch it).
      { name: 'base', type: 'bar' as const, stack: 'wf', silent: true, itemStyle: { color: 'transparent', borderColor: 'transparent', decal: { symbol: 'none' } }, data: base },
      {
        name: `${t(ctx.lang, 'increase')} / ${t(ctx.lang, 'ar_end')}`,
        type: 'bar' as const,
        stack: 'wf',
        data: up,
        label: { show: true, position: 'top' as const, formatter: (p: { dataIndex: number }) => money(steps[p.dataIndex]!.amount, ctx) },
      },
      {
        name: t(ctx.lang, 'decrease'),
        type: 'bar' as const,
        stack: 'wf',
        data: down,
        label: { show: true, position: 'bottom' as const, formatter: (p: { dataIndex: number }) => money(steps[p.dataIndex]!.amount, ctx) },
      },
    ],
  };
  const table = {
    columns: [
      { key: 'step', label: t(ctx.lang, 'step'), kind: 'text' as const },
      { key: 'amount', label: t(ctx.lang, 'amount'), kind: 'money' as const },
    ],
    rows: steps.map((s, i) => ({ step: names[i]!, amount: s.amount })),
  };
  const summary =
    `${t(ctx.lang, 'c_rollforward')}, ${formatMonth(String(row.month), ctx.lang)}: ` +
    steps.map((s, i) => `${names[i]} ${money(s.amount, ctx)}`).join('; ') + '.';
  return { option: option as unknown as ChartModel["option"], table, summary, tiesOut };
}
