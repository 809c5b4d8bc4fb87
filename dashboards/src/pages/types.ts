import type { SliceName } from '../../../src/serve/contract.js';
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
  /** The URL of the view with these changes (for real links that also open in a new tab). */
  href(changes: Partial<ViewState>): string;
}

export type OkSlice = Extract<SliceResponse, { status: 'ok' }>;

export interface SectionDef {
  id: string;
  slice: SliceName;
  title: LabelKey | ((env: PageEnv) => string);
  wide?: boolean;
  tall?: boolean;
  /** Shown only when this holds (drill-downs). */
  when?: (env: PageEnv) => boolean;
  controls?: (env: PageEnv) => HTMLElement[];
  render(card: Card, data: OkSlice, env: PageEnv): void;
}
