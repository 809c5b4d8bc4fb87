import type { Note } from './notes.js';
/**
 * The dashboard API's contract: the one module the server (src/serve) and the browser
 * (dashboards/src) both import, so page ids, filter vocabularies, slice names and the shapes of
 * /api/meta and /api/slices/<name> are written once. Pure data and types: no Node, no DOM.
 */

/** The four dashboards. */
export const PAGES = ['cfo', 'marketing', 'risk', 'collections'] as const;
export type PageId = (typeof PAGES)[number];
/** Every view: the dashboards, one customer (/customers/<id>) and the collector worklist. */
export const VIEWS = [...PAGES, 'customer', 'worklist'] as const;
export type ViewId = (typeof VIEWS)[number];

export const PERIODS = ['3m', '6m', '12m', '24m', '36m', 'all'] as const;
export type Period = (typeof PERIODS)[number];

export const PRIORITIES = ['grow', 'keep', 'watch', 'restrict'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Customer-group filters every page shares, in the order a grouped mart applies them. */
export const GROUP_FILTERS = ['segment', 'sbi_section', 'country', 'size'] as const;
export type GroupFilter = (typeof GROUP_FILTERS)[number];

/** risk_alerts reasons, most severe first (the rank the alert list sorts by). */
export const ALERT_TYPES = ['insolvency_event', 'band_worsened', 'score_drop', 'over_limit', 'industry_rate_rising'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Every slice the API serves; the browser's sections name theirs from this list. */
export const SLICE_NAMES = [
  'cfo_kpis', 'dso_trend', 'aging_trend', 'ar_rollforward', 'write_offs_trend', 'cash_vs_forecast', 'top_overdue',
  'customer_open_items',
  'priority_quadrant', 'segment_table', 'rising_industries', 'priority_list',
  'bankruptcy_heatmap', 'bankruptcy_vs_national', 'exposure_at_risk', 'falling_scores', 'limit_utilisation', 'risk_alerts',
  'collection_activity', 'collection_costs', 'credit_decisions', 'dso_change_by_group',
  'customer_search', 'customer_profile', 'customer_history', 'customer_scores', 'customer_payments', 'customer_actions',
  'worklist',
] as const;
export type SliceName = (typeof SLICE_NAMES)[number];

/**
 * The rows each page's card asks for (its `limit`): one list for the pages and the server's
 * start-up prewarm, so the answer prewarmed is the one the page asks for.
 */
export const PAGE_LIMITS = {
  top_overdue: 20,
  priority_quadrant: 400,
  segment_table: 300,
  priority_list: 500,
  falling_scores: 25,
  risk_alerts: 50,
  worklist: 100,
  customer_open_items: 500,
  customer_payments: 50,
  customer_actions: 50,
} as const satisfies Partial<Record<SliceName, number>>;

/**
 * How a column's values are to be read. The server derives it from the SQL type (DECIMAL(18,2) is
 * money, integers are int, dates are dates) and the slice names what SQL cannot say (a percentage
 * on the 0-100 scale, a ratio on 0-1, days, a signed change, an enumerated value to translate).
 */
export type ValueKind =
  | 'money' | 'number' | 'int' | 'pct' | 'ratio' | 'days' | 'date' | 'month' | 'quarter' | 'text' | 'signed' | 'enum' | 'bool';

export interface ColumnMeta {
  name: string;
  kind: ValueKind;
}

export type Cell = string | number | boolean | null;
export type DataRow = Record<string, Cell>;

/** Extra facts a chart needs beside its rows (a target, a forecast date, counts per type). */
export type SliceMetaValue = string | number | boolean | null | string[] | Record<string, number>;

export interface SliceOk {
  status: 'ok';
  slice: SliceName;
  params: Record<string, unknown>;
  data_as_of: string | null;
  columns: ColumnMeta[];
  rows: DataRow[];
  /** What the reader should know about the numbers, in English. */
  notes: string[];
  /** The same notes as codes with values (src/serve/notes.ts), for a reader in another language. */
  note_refs: Note[];
  /** Filters of the request this slice could not apply (the card says so). */
  ignored_filters: string[];
  /** Rows that matched before the list was cut (rows.length when it was not cut). */
  total_rows: number;
  meta: Record<string, SliceMetaValue>;
}

export interface SliceUnavailable {
  status: 'unavailable';
  slice: SliceName;
  mart: string;
  message: string;
  data_as_of: string | null;
}

export type SliceResponse = SliceOk | SliceUnavailable;

export interface FilterValues {
  as_of: string[];
  segment: string[];
  country: string[];
  size: string[];
  sbi_section: string[];
  score_band: string[];
  account_manager: string[];
}

export interface KpiTargets {
  dso_days: number | null;
  overdue_pct: number | null;
  cei_pct: number | null;
  bad_debt_pct: number | null;
}

export interface Meta {
  data_as_of: string | null;
  currency: string;
  filters: FilterValues;
  marts: Record<string, boolean>;
  pages: Record<ViewId, SliceName[]>;
  slices: Record<string, { page: string; description: string; params: string[]; requires: string[]; exportable: boolean }>;
  targets: KpiTargets;
}

/** Largest number of rows one export (CSV or Excel) carries. */
export const EXPORT_MAX_ROWS = 100_000;
