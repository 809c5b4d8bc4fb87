import { ALERT_TYPES, GROUP_FILTERS, PAGE_LIMITS, PAGES, PERIODS, PRIORITIES, type SliceName } from './contract.js';

/** The languages the dashboards speak. */
export type Lang = 'nl' | 'en';

/**
 * Shared by the browser (dashboards/src/state.ts re-exports it) and the server, which reads a page's
 * URL the same way to start that page's slices while the page's script is still loading.
 *
 * The view is a function of the URL: page from the path, filters and display choices from the
 * query string. Parsing is forgiving (a bad value falls back to the default; the API validates what
 * it receives), writing is canonical (defaults left out, fixed key order), so a shared link
 * reproduces the same view and the same URL.
 */

/** The dashboards in the navigation; the customer page (/customers/<id>) and the worklist sit beside them. */
export const PAGE_IDS = [...PAGES, 'worklist', 'customer'] as const;
export type PageId = (typeof PAGE_IDS)[number];

/**
 * Pages drawn without the chart library: the customer page's trend charts are plain SVG
 * (dashboards/src/ui/plot-svg.ts), the worklist is a table. The server leaves the library's preload
 * out of these pages and the page does not load it at start (a chart that needs it still loads it).
 */
export const PAGES_WITHOUT_CHART_LIBRARY: readonly PageId[] = ['customer', 'worklist'];
export const PERIOD_IDS = PERIODS;
export type PeriodId = (typeof PERIOD_IDS)[number];
export const GROUP_BY_IDS = GROUP_FILTERS;

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
  alert_type?: (typeof ALERT_TYPES)[number];
  account_manager?: string;
  aging_mode: 'amount' | 'pct';
  /** The customer page's customer (from the path /customers/<id>). */
  customer_id?: string;
}

export const DEFAULTS: Omit<ViewState, 'page'> = { lang: 'en', theme: 'light', period: '12m', aging_mode: 'amount' };

/** Query keys in the order they are written. */
const KEYS = [
  'as_of', 'period', 'segment', 'sbi_section', 'country', 'size', 'score_band', 'priority', 'group_by', 'alert_type',
  'account_manager', 'aging_mode', 'lang', 'theme',
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
  priority: (v) => (PRIORITIES as readonly string[]).includes(v),
  group_by: (v) => (GROUP_BY_IDS as readonly string[]).includes(v),
  alert_type: (v) => (ALERT_TYPES as readonly string[]).includes(v),
  account_manager: (v) => TEXT.test(v),
  aging_mode: (v) => v === 'amount' || v === 'pct',
  lang: (v) => v === 'nl' || v === 'en',
  theme: (v) => v === 'light' || v === 'dark',
};

const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,39}$/;

export function parseState(pathname: string, search: string): ViewState {
  const parts = pathname.replace(/^\/+|\/+$/g, '').split('/');
  const seg = parts[0] ?? '';
  let page: PageId = (PAGE_IDS as readonly string[]).includes(seg) ? (seg as PageId) : 'cfo';
  let customer: string | undefined;
  if (seg === 'customers') {
    page = 'customer';
    // Customer numbers may hold a slash: everything after /customers/ is the id.
    let id = '';
    try {
      id = decodeURIComponent(parts.slice(1).join('/'));
    } catch {
      id = '';
    }
    if (CUSTOMER_ID.test(id)) customer = id;
  }
  const q = new URLSearchParams(search);
  const state: ViewState = { page, ...DEFAULTS, ...(customer ? { customer_id: customer } : {}) };
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
  const path = state.page === 'customer' ? `/customers${state.customer_id ? `/${encodeURIComponent(state.customer_id)}` : ''}` : `/${state.page}`;
  return `${path}${s ? `?${s}` : ''}`;
}

/** A copy with changes applied; `undefined` clears a filter. Leaving a page clears its drill-down. */
export function withChanges(state: ViewState, changes: Partial<ViewState>): ViewState {
  const next = { ...state, ...changes } as ViewState;
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete (next as unknown as Record<string, unknown>)[k];
  if (changes.page && changes.page !== 'customer') delete next.customer_id;
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

/**
 * The query a page sends for one of its slices: the view's filters the slice accepts, and the
 * page's row limit for a list (PAGE_LIMITS). One function for the browser's requests and the
 * server's start of them, so the answer the server starts is the one the page asks for.
 */
export function sliceQuery(state: ViewState, slice: SliceName, accepted: readonly string[]): Record<string, string> {
  const limit = (PAGE_LIMITS as Partial<Record<SliceName, number>>)[slice];
  return { ...sliceParams(state, accepted.filter((p) => p !== 'limit')), ...(limit !== undefined && accepted.includes('limit') ? { limit: String(limit) } : {}) };
}

/**
 * The URL of one slice request. The page's requests and the server's preload hints for them are
 * built here, so a hint names exactly the URL the page will ask for (a different parameter order
 * would be a second request, not the preloaded one).
 */
export function sliceUrl(slice: SliceName, query: Record<string, string>): string {
  const q = new URLSearchParams(query).toString();
  return `/api/slices/${encodeURIComponent(slice)}${q ? `?${q}` : ''}`;
}
