import type { ColumnMeta, SliceName } from '../../../src/serve/contract.js';
import { label } from '../i18n.js';
import { alertDetail, priorityReason } from '../reasons.js';
import { col, type BuildContext, type DataRow, type TableData } from './common.js';

/**
 * Table-only sections (lists a person scans or exports): which columns, in which order. What each
 * column holds (money, a date, an enumerated value to translate) comes from the API's column
 * metadata, not from here.
 */
export const TABLE_COLUMNS: Partial<Record<SliceName, string[]>> = {
  top_overdue: ['customer_id', 'name', 'country', 'overdue_amount', 'open_amount', 'overdue_items', 'max_days_past_due'],
  customer_open_items: ['document_id', 'document_type', 'invoice_date', 'due_date', 'original_amount', 'open_amount', 'days_past_due', 'bucket'],
  segment_table: ['sbi_section', 'size_class', 'score_band', 'customers', 'revenue_t12m', 'revenue_growth', 'mean_common_band', 'industry_rate_per_1000', 'mean_days_late_12m', 'headroom', 'priority', 'reason'],
  priority_list: ['priority_rank', 'customer_id', 'name', 'country', 'priority', 'reason', 'sbi_section', 'score_band', 'revenue_t12m', 'open_ar', 'headroom'],
  falling_scores: ['customer_id', 'name', 'provider', 'score', 'score_change_3m', 'score_change_12m', 'common_band_label', 'band_change_3m', 'open_ar'],
  risk_alerts: ['reason', 'alert_date', 'customer_id', 'name', 'exposure', 'detail'],
  customer_payments: ['payment_date', 'payment_id', 'amount', 'currency'],
  customer_actions: ['event_date', 'event', 'document_id', 'detail', 'amount', 'outcome', 'resolved_date'],
};

/** Columns only some rows have (a dispute's outcome among dunning steps): shown when a row has one. */
const WHEN_PRESENT = new Set(['outcome', 'resolved_date']);

/** An enumerated value as the reader's language shows it (SBI sections with their name). */
export function enumLabel(ctx: BuildContext, key: string, v: string): string {
  if (key === 'sbi_section' && /^[A-U]$/.test(v)) return `${v} ${label(ctx.lang, `sbi_${v}`)}`;
  return label(ctx.lang, v);
}

/** Rows to a table by the slice's column list and the API's kinds; enumerated values translated. */
export function tableOf(slice: SliceName, data: { rows: DataRow[]; columns: ColumnMeta[] }, ctx: BuildContext, keys = TABLE_COLUMNS[slice]): TableData {
  const kinds = new Map(data.columns.map((c) => [c.name, c.kind]));
  const shown = (keys ?? data.columns.map((c) => c.name)).filter((k) => kinds.has(k) && (!WHEN_PRESENT.has(k) || data.rows.some((r) => r[k] !== null && r[k] !== undefined)));
  return {
    columns: shown.map((key) => {
      const kind = kinds.get(key)!;
      return col(ctx, key, kind === 'enum' ? 'text' : kind);
    }),
    rows: data.rows.map((r) => {
      const out: DataRow = {};
      for (const key of shown) {
        const v = r[key] ?? null;
        if (key === 'reason' && typeof r.priority_rule === 'string') out[key] = priorityReason(r, ctx.lang, ctx.currency);
        else if (key === 'detail' && slice === 'risk_alerts') out[key] = alertDetail(r, ctx.lang, ctx.currency);
        else out[key] = kinds.get(key) === 'enum' && typeof v === 'string' ? enumLabel(ctx, key, v) : v;
      }
      return out;
    }),
  };
}

/** Sorts table rows by one column: numbers numerically (exact strings included), text by locale. */
export function sortRows(rows: DataRow[], key: string, dir: 'asc' | 'desc', lang: string): DataRow[] {
  const numeric = (v: DataRow[string]) => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null);
  const collator = new Intl.Collator(lang, { numeric: true });
  const sorted = [...rows].sort((a, b) => {
    const x = a[key] ?? null;
    const y = b[key] ?? null;
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    const nx = numeric(x);
    const ny = numeric(y);
    const c = nx !== null && ny !== null ? nx - ny : collator.compare(String(x), String(y));
    return dir === 'asc' ? c : -c;
  });
  return sorted;
}
