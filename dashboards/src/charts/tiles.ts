import { formatMoney, formatMoneyCompact, formatNumber, formatPct, formatSigned, type Lang } from '../format.js';
import { t, type LabelKey } from '../i18n.js';
import { num, sumMoney, type BuildContext, type DataRow, type TableData } from './common.js';

export type Direction = 'better' | 'worse' | 'unchanged' | 'neutral';

export interface Tile {
  kpi: string;
  label: string;
  value: string;
  /** Full-precision value for the tooltip/title (exact money). */
  exact: string;
  changePrev: { text: string; direction: Direction; arrow: string } | null;
  changeYear: { text: string; direction: Direction; arrow: string } | null;
  target: { text: string; met: boolean } | null;
  /** What the value is made of or measured against (open AR's debit and credit sides; expected cash's share of the invoices). */
  basis: string | null;
  unavailable: string | null;
  /** Why there is no value: the mart is not built, or it is made for the whole portfolio only (a filter is set). */
  unavailableReason: 'not_built' | 'whole_portfolio' | null;
}

/** Which way is good for each KPI; `null`: a change is neither good nor bad by itself. */
const LOWER_IS_BETTER: Record<string, boolean | null> = {
  open_ar: null,
  overdue_pct: true,
  dso: true,
  bpdso: true,
  add: true,
  cei: false,
  write_offs: true,
  expected_cash_13w: false,
};

function delta(unit: string, value: DataRow[string] | undefined, other: DataRow[string] | undefined): { diff: number; text: string } | null {
  if (value === null || value === undefined || other === null || other === undefined) return null;
  if (unit === 'money') {
    const d = sumMoney([value, `${String(other).startsWith('-') ? String(other).slice(1) : `-${other}`}`]);
    return { diff: Number(d), text: d };
  }
  const d = (num(value) ?? 0) - (num(other) ?? 0);
  return { diff: d, text: String(Math.round(d * 100) / 100) };
}

export function changeOf(kpi: string, unit: string, value: DataRow[string] | undefined, other: DataRow[string] | undefined, lang: Lang, currency: string) {
  const d = delta(unit, value, other);
  if (!d) return null;
  const lower = LOWER_IS_BETTER[kpi];
  const eps = unit === 'money' ? 0.005 : 0.05;
  const direction: Direction =
    Math.abs(d.diff) < eps ? 'unchanged' : lower === null || lower === undefined ? 'neutral' : (d.diff < 0) === lower ? 'better' : 'worse';
  const arrow = Math.abs(d.diff) < eps ? '→' : d.diff > 0 ? '▲' : '▼';
  const text =
    unit === 'money'
      ? `${d.diff > 0 ? '+' : ''}${formatMoneyCompact(d.text, lang, currency)}`
      : unit === 'pct'
        ? `${formatSigned(d.diff, lang)} pp`
        : formatSigned(d.diff, lang);
  return { text, direction, arrow };
}

function show(unit: string, v: DataRow[string] | undefined, ctx: BuildContext): { value: string; exact: string } {
  if (v === null || v === undefined) return { value: '–', exact: '–' };
  if (unit === 'money') return { value: formatMoneyCompact(v as string, ctx.lang, ctx.currency), exact: formatMoney(v as string, ctx.lang, ctx.currency) };
  if (unit === 'pct') return { value: formatPct(v as number, ctx.lang), exact: formatPct(v as number, ctx.lang, 2) };
  const s = formatNumber(v as number, ctx.lang, 1);
  return { value: s, exact: formatNumber(v as number, ctx.lang, 2) };
}

/** KPI rows from the `cfo_kpis` slice to tiles: value, change vs previous month and year, target. */
export function kpiTiles(rows: DataRow[], ctx: BuildContext): Tile[] {
  return rows.map((r) => {
    const kpi = String(r.kpi);
    const unit = String(r.unit);
    const { value, exact } = show(unit, r.value, ctx);
    const target = num(r.target);
    const lower = LOWER_IS_BETTER[kpi];
    const v = num(r.value);
    return {
      kpi,
      label: t(ctx.lang, `kpi_${kpi}` as LabelKey),
      value,
      exact,
      changePrev: changeOf(kpi, unit, r.value, r.previous, ctx.lang, ctx.currency),
      changeYear: changeOf(kpi, unit, r.value, r.year_ago, ctx.lang, ctx.currency),
      target:
        target === null || v === null
          ? null
          : { text: show(unit, target, ctx).value, met: lower === false ? v >= target : v <= target },
      basis: basisOf(kpi, r, ctx),
      unavailable: typeof r.unavailable === 'string' ? r.unavailable : null,
      unavailableReason: r.unavailable_reason === 'whole_portfolio' ? 'whole_portfolio' : typeof r.unavailable === 'string' ? 'not_built' : null,
    };
  });
}

function basisOf(kpi: string, r: DataRow, ctx: BuildContext): string | null {
  const debit = r.debit_ar;
  if (debit === null || debit === undefined) return null;
  const money = (v: DataRow[string]) => formatMoneyCompact(v as string, ctx.lang, ctx.currency);
  if (kpi === 'open_ar' && r.credit_balances !== null && r.credit_balances !== undefined) {
    return t(ctx.lang, 'open_ar_basis', { debit: money(debit), credit: money(r.credit_balances) });
  }
  const v = num(r.value);
  const d = num(debit);
  if (kpi === 'expected_cash_13w' && v !== null && d !== null && d > 0) {
    return t(ctx.lang, 'expected_cash_basis', { pct: formatPct((100 * v) / d, ctx.lang), debit: money(debit) });
  }
  return null;
}

/** The tiles as a table (CSV download of the tile row). */
export function tilesTable(rows: DataRow[], ctx: BuildContext): TableData {
  return {
    columns: [
      { key: 'kpi', label: 'KPI', kind: 'text' },
      { key: 'value', label: t(ctx.lang, 'amount'), kind: 'text' },
      { key: 'previous', label: t(ctx.lang, 'vs_prev_month'), kind: 'text' },
      { key: 'year_ago', label: t(ctx.lang, 'vs_year_ago'), kind: 'text' },
      { key: 'target', label: t(ctx.lang, 'target'), kind: 'text' },
    ],
    rows: rows.map((r) => ({
      kpi: t(ctx.lang, `kpi_${String(r.kpi)}` as LabelKey),
      value: r.value ?? null,
      previous: r.previous ?? null,
      year_ago: r.year_ago ?? null,
      target: r.target ?? null,
    })),
  };
}
