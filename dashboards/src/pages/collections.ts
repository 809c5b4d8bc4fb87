import { barChart } from '../charts/bars.js';
import { stackedChart } from '../charts/stacked.js';
import type { SectionDef } from './types.js';

const ACTION_ORDER = ['reminder', 'dunning_letter', 'phone_call', 'email', 'payment_link', 'collection_agency', 'legal'];

export const collectionsSections: SectionDef[] = [
  {
    id: 'collection_activity',
    slice: 'collection_activity',
    title: 'c_activity',
    wide: true,
    render(card, data, env) {
      card.showChart(
        stackedChart(data.rows, {
          title: 'c_activity',
          category: { key: 'day', kind: 'date' },
          series: { key: 'action_type', order: ACTION_ORDER },
          value: { key: 'actions', kind: 'int' },
          areaAbove: 92,
        }, env.ctx),
      );
    },
  },
  {
    id: 'collection_costs',
    slice: 'collection_costs',
    title: 'c_costs',
    render(card, data, env) {
      card.showChart(
        stackedChart(data.rows, {
          title: 'c_costs',
          category: { key: 'month', kind: 'month' },
          series: { key: 'cost_category' },
          value: { key: 'cost', kind: 'money' },
        }, env.ctx),
      );
    },
  },
  {
    id: 'credit_decisions',
    slice: 'credit_decisions',
    title: 'c_decisions',
    render(card, data, env) {
      card.showChart(
        barChart(data.rows, {
          title: 'c_decisions',
          category: { key: 'month', kind: 'month' },
          bars: [{ key: 'refused', kind: 'int' }, { key: 'limited', kind: 'int' }],
          lines: [{ key: 'acceptance_rate', kind: 'ratio' }],
        }, env.ctx),
      );
    },
  },
  {
    id: 'dso_change_by_group',
    slice: 'dso_change_by_group',
    title: 'c_dso_change',
    wide: true,
    render(card, data, env) {
      card.showChart(
        barChart(data.rows, {
          title: 'c_dso_change',
          category: { key: 'customer_group', kind: 'text', translate: true },
          bars: [{ key: 'dso_change', kind: 'signed' }],
          barLabels: true,
        }, env.ctx),
      );
    },
  },
];
