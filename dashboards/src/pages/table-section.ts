import type { SliceName } from '../../../src/serve/contract.js';
import { tableOf } from '../charts/tables.js';
import type { LabelKey } from '../i18n.js';
import type { PageEnv, SectionDef } from './types.js';
import type { TableOptions } from '../ui/table.js';

/** A wide card that shows one slice as its table (no chart): the slice name is also the card id. */
export function tableSection(slice: SliceName, title: LabelKey, extra: Partial<SectionDef> = {}): SectionDef {
  return {
    id: slice,
    slice,
    title,
    wide: true,
    render(card, data, env) {
      card.showTable(tableOf(slice, data, env.ctx), customerLink(env));
    },
    ...extra,
  };
}

/** Customer names in a list open the customer page. */
export function customerLink(env: PageEnv): Partial<TableOptions> {
  return {
    link: {
      column: 'name',
      href: (r) => (r.customer_id === null || r.customer_id === undefined ? null : env.href({ page: 'customer', customer_id: String(r.customer_id) })),
      run: (r) => env.navigate({ page: 'customer', customer_id: String(r.customer_id) }),
    },
  };
}
