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
import { customerLink } from './table-section.js';
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
          ? h('p', { class: 'na', 'data-reason': tile.unavailableReason ?? '', text: tile.unavailableReason === 'whole_portfolio' ? t(lang, 'whole_portfolio_only') : t(lang, 'not_available', { mart: tile.unavailable }) })
          : h('p', { class: 'value', title: tile.exact, text: tile.value }),
        ...([['changePrev', 'vs_prev_month'], ['changeYear', 'vs_year_ago']] as const).map(([k, labelKey]) => {
          const c = tile[k];
          if (!c) return null;
          const judgement = c.direction === 'neutral' ? '' : ` (${t(lang, c.direction)})`;
          return h('p', { class: `change ${c.direction}` }, `${c.arrow} ${c.text} ${t(lang, labelKey)}${judgement}`);
        }),
        tile.basis ? h('p', { class: 'basis', text: tile.basis }) : null,
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
      if (data.rows.some((r) => r.is_complete === false)) card.setNotes([t(env.ctx.lang, 'partial_month')]);
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
          reference: ceiling !== null
            ? { value: ceiling, label: `${t(env.ctx.lang, 'ceiling')}: ${formatPct(ceiling, env.ctx.lang, 2)}` }
            : typeof data.meta.bad_debt_target === 'number'
              ? { value: data.meta.bad_debt_target, label: `${t(env.ctx.lang, 'target')}: ${formatPct(data.meta.bad_debt_target, env.ctx.lang, 2)}` }
              : undefined,
        }, env.ctx),
      );
    },
  },
  {
    id: 'cash_vs_forecast',
    slice: 'cash_vs_forecast',
    title: 'c_cash',
    render(card, data, env) {
      const lang = env.ctx.lang;
      const back = typeof data.meta.backtest_forecast_date === 'string' ? data.meta.backtest_forecast_date : null;
      const ahead = typeof data.meta.ahead_forecast_date === 'string' ? data.meta.ahead_forecast_date : null;
      card.setTitle(t(lang, 'c_cash_backtest'));
      card.showChart(
        barChart(data.rows, {
          title: 'c_cash_backtest',
          category: { key: 'week', kind: 'date', labelKey: 'week' },
          bars: [{ key: 'received_on_items', kind: 'money', label: t(lang, 'received_on_items', { date: formatDate(back, lang) }) }],
          lines: [
            { key: 'forecast_backtest', kind: 'money', label: t(lang, 'forecast_made', { date: formatDate(back, lang) }) },
            { key: 'forecast_ahead', kind: 'money', label: t(lang, 'forecast_made', { date: formatDate(ahead, lang) }) },
          ],
        }, env.ctx),
      );
      if (back) {
        const wape = typeof data.meta.overall_wape === 'number' ? formatPct(data.meta.overall_wape, lang) : '–';
        card.setNotes([t(lang, 'cash_note', { date: formatDate(back, lang), ahead: formatDate(ahead, lang), wape })]);
      }
    },
  },
  {
    id: 'top_overdue',
    slice: 'top_overdue',
    title: 'c_top_overdue',
    wide: true,
    render(card, data, env) {
      card.showTable(tableOf('top_overdue', data, env.ctx), customerLink(env));
    },
  },
];
