import { tableOf } from '../charts/tables.js';
import { t } from '../i18n.js';
import { h } from '../ui/dom.js';
import { customerLink } from './table-section.js';
import type { PageEnv, SectionDef } from './types.js';

export const worklistSections: SectionDef[] = [
  {
    id: 'worklist',
    slice: 'worklist',
    title: 'c_worklist',
    wide: true,
    render(card, data, env) {
      card.showTable(
        tableOf('worklist', data, env.ctx, [
          'customer_id', 'name', 'account_manager', 'overdue_amount', 'overdue_items', 'max_days_past_due', 'common_band_label',
          'priority_score', 'last_action', 'last_action_date', 'next_step', 'next_step_due',
        ]),
        customerLink(env),
      );
    },
  },
];

/** The ranking rule, stated where the list is read. */
export function worklistRule(env: PageEnv): HTMLElement {
  return h('p', { class: 'rule', id: 'worklist-rule', text: t(env.ctx.lang, 'worklist_rule') });
}
