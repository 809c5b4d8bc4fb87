import { barChart } from '../charts/bars.js';
import { bankruptcyHeatmap } from '../charts/heatmap.js';
import { ALERT_TYPES } from '../../../src/serve/contract.js';
import { tableOf } from '../charts/tables.js';
import { label, t } from '../i18n.js';
import { formatNumber } from '../format.js';
import { toggle } from './controls.js';
import { customerLink, tableSection } from './table-section.js';
import type { SectionDef } from './types.js';

export const riskSections: SectionDef[] = [
  {
    id: 'bankruptcy_heatmap',
    slice: 'bankruptcy_heatmap',
    title: 'c_heatmap',
    wide: true,
    tall: true,
    render(card, data, env) {
      card.showChart(bankruptcyHeatmap(data.rows, env.ctx));
      if (data.rows.some((r) => r.period_complete === false)) card.setNotes([t(env.ctx.lang, 'partial_quarter')]);
    },
  },
  {
    id: 'bankruptcy_vs_national',
    slice: 'bankruptcy_vs_national',
    title: 'c_vs_national',
    render(card, data, env) {
      card.showChart(
        barChart(data.rows, {
          title: 'c_vs_national',
          category: { key: 'period_start', kind: 'quarter', labelKey: 'quarter' },
          bars: [{ key: 'rate_per_1000', kind: 'number', labelKey: 'our_rate' }],
          lines: [{ key: 'national_rate_per_1000', kind: 'number' }],
          markCategory: (r) => r.period_complete === false,
        }, env.ctx),
      );
      if (data.rows.some((r) => r.period_complete === false)) card.setNotes([t(env.ctx.lang, 'partial_quarter')]);
    },
  },
  {
    id: 'exposure_at_risk',
    slice: 'exposure_at_risk',
    title: 'c_exposure',
    render(card, data, env) {
      card.showChart(
        barChart(data.rows, {
          title: 'c_exposure',
          category: { key: 'band', kind: 'text', translate: true },
          bars: [{ key: 'open_ar', kind: 'money' }],
          lines: [{ key: 'customers', kind: 'int' }],
          barLabels: true,
        }, env.ctx),
      );
    },
  },
  {
    id: 'limit_utilisation',
    slice: 'limit_utilisation',
    title: 'c_utilisation',
    render(card, data, env) {
      card.showChart(
        barChart(data.rows, {
          title: 'c_utilisation',
          category: { key: 'band', kind: 'text', labelKey: 'utilisation_band', translate: true },
          bars: [{ key: 'customers', kind: 'int' }],
          lines: [{ key: 'open_ar', kind: 'money' }],
          barLabels: true,
        }, env.ctx),
      );
    },
  },
  tableSection('falling_scores', 'c_falling'),
  {
    ...tableSection('risk_alerts', 'c_alerts'),
    render(card, data, env) {
      const counts = (data.meta.counts ?? {}) as Record<string, number>;
      const lang = env.ctx.lang;
      const fmt = { format: (n: number) => formatNumber(n, lang, 0) };
      const all = Object.values(counts).reduce((a, b) => a + b, 0);
      // Counts per type double as the type filter; the window is the configured one.
      card.setControls(
        toggle(env, t(lang, 'f_alert_type'), env.state.alert_type ?? '', [
          ['', `${t(lang, 'all')} (${fmt.format(all)})`],
          ...ALERT_TYPES.map((a): [string, string] => [a, `${label(lang, a)} (${fmt.format(counts[a] ?? 0)})`]),
        ], (v) => env.navigate({ alert_type: v === '' ? undefined : (v as (typeof ALERT_TYPES)[number]) })),
      );
      card.showTable(tableOf('risk_alerts', data, env.ctx), customerLink(env));
      card.setNotes([t(lang, 'alerts_note', { days: String(data.meta.window_days ?? '') })]);
    },
  },
];
