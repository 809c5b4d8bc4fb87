import { agingChart } from '../charts/aging.js';
import { barChart } from '../charts/bars.js';
import { dsoTrendChart } from '../charts/dso.js';
import { rollforwardChart } from '../charts/rollforward.js';
import { tableOf } from '../charts/tables.js';
import { kpiTiles, tilesTable } from '../charts/tiles.js';
import { formatDate, formatPct } from '../format.js';
import { t } from '../i18n.js';
import { h } from '../ui/dom.js';
import type { PageEnv, SectionDef } from './types.js';
import { toggle } from './controls.js';

function tilesView(env: PageEnv, rows: Parameters<typeof kpiTiles>[0]): HTMLElement {
  const lang = env.ctx.lang;
  return h(
    'div',
    { class: 'tiles' },
    ...kpiTiles(rows, env.ctx).map((tile) =>
      h(
        'article',
        { class: 'tile', 'data-kpi': tile.kpi, 'aria-label': tile.label },
        h('p', { class: 'label', text: tile.label }),
        tile.unavailable
          ? h('p', { class: 'na', text: t(lang, 'not_available', { mart: tile.unavailable }) })
          : h('p', { class: 'value', title: tile.exact, text: tile.value }),
        ...([['changePrev', 'vs_prev_month'], ['changeYear', 'vs_year_ago']] as const).map(([k, labelKey]) => {
          const c = tile[k];
          if (!c) return null;
          const judgement = c.direction === 'neutral' ? '' : ` (${t(lang, c.direction)})`;
          return h('p', { class: `change ${c.direction}` }, `${c.arrow} ${c.text} ${t(lang, labelKey)}${judgement}`);
        }),
        tile.target
          ? h('p', { class: `change ${tile.target.met ? 'better' : 'worse'}` }, `${tile.target.met ? '✓' : '✗'} ${t(lang, 'target')} ${tile.target.text} (${t(lang, tile.target.met ? 'on_target' : 'off_target')})`)
          : null,
      ),
    ),
  );
}

export const cfoSections: SectionDef[] = [
  {
    id: 'cfo_kpis',
    slice: 'cfo_kpis',
    title: 'c_kpis',
    wide: true,
    render(card, data, env) {
      card.showContent(tilesView(env, data.rows), tilesTable(data.rows, env.ctx));
    },
  },
  {
    id: 'dso_trend',
    slice: 'dso_trend',
    title: 'c_dso_trend',
    render(card, data, env) {
      const target = typeof data.meta.dso_target === 'number' ? data.meta.dso_target : null;
      card.showChart(dsoTrendChart(data.rows, target, env.ctx));
    },
  },
  {
    id: 'aging_trend',
    slice: 'aging_trend',
    title: 'c_aging',
    controls: (env) => [
      toggle(env, t(env.ctx.lang, 'c_aging'), env.state.aging_mode, [
        ['amount', t(env.ctx.lang, 'amount')],
        ['pct', t(env.ctx.lang, 'percent')],
      ], (v) => env.navigate({ aging_mode: v as 'amount' | 'pct' })),
    ],
    render(card, data, env) {
      card.showChart(agingChart(data.rows, env.state.aging_mode, env.ctx));
    },
  },
  {
    id: 'ar_rollforward',
    slice: 'ar_rollforward',
    title: 'c_rollforward',
    render(card, data, env) {
      const m = rollforwardChart(data.rows[0], env.ctx);
      card.showChart(m);
    },
  },
  {
    id: 'write_offs_trend',
    slice: 'write_offs_trend',
    title: 'c_write_offs',
    render(card, data, env) {
      const ceiling = typeof data.rows[0]?.ceiling_pct === 'number' ? data.rows[0].ceiling_pct : null;
      card.showChart(
        barChart(data.rows, {
          title: 'c_write_offs',
          category: { key: 'month', kind: 'month' },
          // total_cost only where the write-off mart provides it.
          bars: [{ key: 'written_off', kind: 'money' as const }, { key: 'total_cost', kind: 'money' as const }].filter((b) => data.rows.some((r) => b.key in r)),
          lines: [{ key: 'bad_debt_ratio', kind: 'pct' }, { key: 'bad_debt_ratio_12m', kind: 'pct' }],
          reference: ceiling === null ? undefined : { value: ceiling, label: `${t(env.ctx.lang, 'ceiling')}: ${formatPct(ceiling, env.ctx.lang, 2)}` },
        }, env.ctx),
      );
    },
  },
  {
    id: 'cash_vs_forecast',
    slice: 'cash_vs_forecast',
    title: 'c_cash',
    render(card, data, env) {
      card.showChart(
        barChart(data.rows, {
          title: 'c_cash',
          category: { key: 'week', kind: 'date', labelKey: 'date' },
          bars: [{ key: 'received', kind: 'money' }],
          lines: [{ key: 'forecast', kind: 'money' }],
        }, env.ctx),
      );
      const date = data.meta.backtest_forecast_date;
      if (typeof date === 'string') {
        const back = data.rows.filter((r) => r.received !== null);
        const end = String(back[back.length - 1]?.week ?? date);
        const wape = typeof data.meta.overall_wape === 'number' ? formatPct(data.meta.overall_wape, env.ctx.lang) : '–';
        card.setNotes([t(env.ctx.lang, 'cash_note', { date: formatDate(date, env.ctx.lang), end: formatDate(end, env.ctx.lang), wape })]);
      }
    },
  },
  {
    id: 'top_overdue',
    slice: 'top_overdue',
    title: 'c_top_overdue',
    wide: true,
    render(card, data, env) {
      card.showTable(tableOf('top_overdue', data.rows, env.ctx), {
        action: {
          column: 'name',
          label: (r) => `${t(env.ctx.lang, 'c_customer_items', { customer: String(r.name ?? r.customer_id) })}`,
          run: (r) => env.navigate({ customer_id: String(r.customer_id) }),
        },
      });
    },
  },
  {
    id: 'customer_open_items',
    slice: 'customer_open_items',
    title: (env) => t(env.ctx.lang, 'c_customer_items', { customer: env.state.customer_id ?? '' }),
    wide: true,
    when: (env) => env.state.customer_id !== undefined,
    params: (env) => ({ customer_id: env.state.customer_id! }),
    controls: (env) => [h('button', { type: 'button', 'data-action': 'back', text: `← ${t(env.ctx.lang, 'back')}`, onclick: () => env.navigate({ customer_id: undefined }) })],
    render(card, data, env) {
      card.showTable(tableOf('customer_open_items', data.rows, env.ctx));
    },
  },
];
