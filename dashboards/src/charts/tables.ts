import type { ValueKind } from '../format.js';
import { label } from '../i18n.js';
import { col, type BuildContext, type DataRow, type TableData } from './common.js';

type Spec = [key: string, kind: ValueKind, translate?: boolean][];

/** Table-only sections (lists a person scans or exports): which columns, of which kind. */
export const TABLE_SPECS: Record<string, Spec> = {
  top_overdue: [['customer_id', 'text'], ['name', 'text'], ['country', 'text'], ['overdue_amount', 'money'], ['open_amount', 'money'], ['overdue_items', 'int'], ['max_days_past_due', 'int']],
  customer_open_items: [['document_id', 'text'], ['due_date', 'date'], ['open_amount', 'money'], ['days_past_due', 'int'], ['bucket', 'text', true]],
  segment_table: [['sbi_section', 'text'], ['size_class', 'text'], ['score_band', 'text', true], ['customers', 'int'], ['revenue_t12m', 'money'], ['revenue_growth', 'ratio'], ['mean_common_band', 'number'], ['industry_rate_per_1000', 'number'], ['mean_days_late_12m', 'number'], ['headroom', 'money'], ['priority', 'text', true], ['reason', 'text']],
  priority_list: [['priority_rank', 'int'], ['customer_id', 'text'], ['name', 'text'], ['country', 'text'], ['priority', 'text', true], ['reason', 'text'], ['sbi_section', 'text'], ['score_band', 'text', true], ['revenue_t12m', 'money'], ['open_ar', 'money'], ['headroom', 'money']],
  falling_scores: [['customer_id', 'text'], ['name', 'text'], ['provider', 'text'], ['score', 'int'], ['score_change_3m', 'signed'], ['score_change_12m', 'signed'], ['common_band_label', 'text', true], ['band_change_3m', 'signed'], ['open_ar', 'money']],
  risk_alerts: [['alert_date', 'date'], ['customer_id', 'text'], ['name', 'text'], ['reason', 'text', true], ['detail', 'text']],
};

/** Rows to a table by a spec; enumerated values are translated, everything else kept exact. */
export function tableOf(slice: string, rows: DataRow[], ctx: BuildContext): TableData {
  const spec = TABLE_SPECS[slice];
  if (!spec) throw new Error(`no table spec for ${slice}`);
  return {
    columns: spec.map(([key, kind]) => col(ctx, key, kind)),
    rows: rows.map((r) => {
      const out: DataRow = {};
      for (const [key, , translate] of spec) {
        const v = r[key] ?? null;
        out[key] = translate && typeof v === 'string' ? label(ctx.lang, v) : v;
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
