import { barChart } from '../charts/bars.js';
import { bankruptcyHeatmap } from '../charts/heatmap.js';
import { tableSection } from './table-section.js';
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
        }, env.ctx),
      );
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
  tableSection('risk_alerts', 'c_alerts'),
];
