import { risingChart } from '../charts/rising.js';
import { quadrantChart } from '../charts/quadrant.js';
import { tableOf } from '../charts/tables.js';
import { customerLink, tableSection } from './table-section.js';
import type { SectionDef } from './types.js';

export const marketingSections: SectionDef[] = [
  {
    id: 'priority_quadrant',
    slice: 'priority_quadrant',
    title: 'c_quadrant',
    wide: true,
    tall: true,
    render(card, data, env) {
      card.showChart(quadrantChart(data.rows, env.ctx));
    },
  },
  tableSection('segment_table', 'c_segments'),
  {
    id: 'rising_industries',
    slice: 'rising_industries',
    title: 'c_rising',
    wide: true,
    render(card, data, env) {
      card.showChart(risingChart(data.rows, env.ctx));
    },
  },
  {
    id: 'priority_list',
    slice: 'priority_list',
    title: 'c_priority_list',
    wide: true,
    render(card, data, env) {
      card.showTable(tableOf('priority_list', data, env.ctx), customerLink(env));
    },
  },
];
