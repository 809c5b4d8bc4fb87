import { tableOf } from '../charts/tables.js';
import type { LabelKey } from '../i18n.js';
import type { SectionDef } from './types.js';

/** A wide card that shows one slice as its table (no chart): the slice name is also the card id. */
export function tableSection(slice: string, title: LabelKey): SectionDef {
  return {
    id: slice,
    slice,
    title,
    wide: true,
    render(card, data, env) {
      card.showTable(tableOf(slice, data.rows, env.ctx));
    },
  };
}
