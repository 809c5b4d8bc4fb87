import type { Lang } from './format.js';

/**
 * The view is a function of the URL: page from the path, filters and display choices from the
 * query string. Parsing is forgiving (a bad value falls back to the default; the API validates what
 * it receives), writing is canonical (defaults left out, fixed key order), so a shared link
 * reproduces the same view and the same URL.
 */

export const PAGE_IDS = ['cfo', 'marketing', 'risk', 'collections'] as const;
export type PageId = (typeof PAGE_IDS)[number];
export const PERIOD_IDS = ['3m', '6m', '12m', '24m', '36m', 'all'] as const;
export type PeriodId = (typeof PERIOD_IDS)[number];
export const GROUP_BY_IDS = ['segment', 'sbi_section', 'country', 'size'] as const;

export interface ViewState {
  page: PageId;
  lang: Lang;
  theme: 'light' | 'dark';
  as_of?: string;
  period: PeriodId;
  segment?: string;
  sbi_section?: string;
  country?: string;
  size?: string;
  score_band?: string;
  priority?: string;
  group_by?: (typeof GROUP_BY_IDS)[number];
  aging_mode: 'amount' | 'pct';
  /** Drill-down: the customer whose open items are shown. */
  customer_id?: string;
}

export const DEFAULTS: Omit<ViewState, 'page'> = { lang: 'en', theme: 'light', period: '12m', aging_mode: 'amount' };

/** Query keys in the order they are written. */
const KEYS = [
  'as_of', 'period', 'segment', 'sbi_section', 'country', 'size', 'score_band', 'priority', 'group_by',
  'customer_id', 'aging_mode', 'lang', 'theme',
] as const;
type Key = (typeof KEYS)[number];

const TEXT = /^[\p{L}\p{N}][\p{L}\p{N} _.&/+-]{0,47}$/u;
const checks: Record<Key, (v: string) => boolean> = {
  as_of: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v),
  period: (v) => (PERIOD_IDS as readonly string[]).includes(v),
  segment: (v) => TEXT.test(v),
  sbi_section: (v) => /^([A-U]|unknown)$/.test(v),
  country: (v) => /^([A-Z]{2}|unknown)$/.test(v),
  size: (v) => TEXT.test(v),
  score_band: (v) => TEXT.test(v),
  priority: (v) => ['grow', 'keep', 'watch', 'restrict'].includes(v),
  group_by: (v) => (GROUP_BY_IDS as readonly string[]).includes(v),
  customer_id: (v) => /^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,39}$/.test(v),
  aging_mode: (v) => v === 'amount' || v === 'pct',
  lang: (v) => v === 'nl' || v === 'en',
  theme: (v) => v === 'light' || v === 'dark',
};

export function parseState(pathname: string, search: string): ViewState {
  const seg = pathname.replace(/^\/+|\/+$/g, '').split('/')[0] ?? '';
  const page = (PAGE_IDS as readonly string[]).includes(seg) ? (seg as PageId) : 'cfo';
  const q = new URLSearchParams(search);
  const state: ViewState = { page, ...DEFAULTS };
  for (const key of KEYS) {
    const v = q.get(key);
    if (v !== null && v !== '' && checks[key](v)) (state as unknown as Record<string, string>)[key] = v;
  }
  return state;
}

export function toUrl(state: ViewState): string {
  const q = new URLSearchParams();
  for (const key of KEYS) {
    const v = state[key];
    if (v === undefined || v === '' || v === (DEFAULTS as Record<string, unknown>)[key]) continue;
    q.set(key, String(v));
  }
  const s = q.toString();
  return `/${state.page}${s ? `?${s}` : ''}`;
}

/** A copy with changes applied; `undefined` clears a filter. Leaving a page clears its drill-down. */
export function withChanges(state: ViewState, changes: Partial<ViewState>): ViewState {
  const next = { ...state, ...changes } as ViewState;
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete (next as unknown as Record<string, unknown>)[k];
  if (changes.page && changes.page !== state.page) delete next.customer_id;
  return next;
}

/**
 * The API parameters a slice accepts, taken from the view state. Defaults are left out (the API
 * applies the same ones), so a page's default view is one cacheable request per slice.
 */
export function sliceParams(state: ViewState, accepted: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of accepted) {
    const v = (state as unknown as Record<string, unknown>)[name];
    if (typeof v === 'string' && v !== '' && v !== (DEFAULTS as Record<string, unknown>)[name]) out[name] = v;
  }
  return out;
}
