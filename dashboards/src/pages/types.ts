import type { Meta, SliceResponse } from '../api.js';
import type { BuildContext } from '../charts/common.js';
import type { LabelKey } from '../i18n.js';
import type { ViewState } from '../state.js';
import type { Card } from '../ui/card.js';

export interface PageEnv {
  state: ViewState;
  meta: Meta;
  ctx: BuildContext;
  navigate(changes: Partial<ViewState>): void;
}

export type OkSlice = Extract<SliceResponse, { status: 'ok' }>;

export interface SectionDef {
  id: string;
  slice: string;
  title: LabelKey | ((env: PageEnv) => string);
  wide?: boolean;
  tall?: boolean;
  /** Shown only when this holds (drill-downs). */
  when?: (env: PageEnv) => boolean;
  /** Parameters beyond the shared filters (a drill-down's customer). */
  params?: (env: PageEnv) => Record<string, string>;
  controls?: (env: PageEnv) => HTMLElement[];
  render(card: Card, data: OkSlice, env: PageEnv): void;
}
