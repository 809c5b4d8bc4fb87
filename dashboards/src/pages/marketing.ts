import { barChart } from '../charts/bars.js';
import { quadrantChart } from '../charts/quadrant.js';
import { tableOf } from '../charts/tables.js';
import { tableSection } from './table-section.js';
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
      // Section letter with its name, e.g. "F Bouwnijverheid".
      const rows = data.rows.map((r) => ({ ...r, section: r.section_name ? `${r.sbi_section} ${r.section_name}` : r.sbi_section ?? null }));
      card.showChart(
        barChart(rows, {
          title: 'c_rising',
          category: { key: 'section', kind: 'text', labelKey: 'sbi_section' },
          bars: [{ key: 'rate_per_1000', kind: 'number' }, { key: 'prev_rate_per_1000', kind: 'number' }],
          lines: [{ key: 'national_rate_per_1000', kind: 'number' }],
          horizontal: true,
          barLabels: true,
        }, env.ctx),
      );
    },
  },
  {
    id: 'priority_list',
    slice: 'priority_list',
    title: 'c_priority_list',
    wide: true,
    render(card, data, env) {
      card.showTable(tableOf('priority_list', data.rows, env.ctx));
    },
  },
];
