import { note, type Note } from '../notes.js';
import type { Row, WarehouseEngine } from '../../warehouse/engine.js';
import type { Catalog } from '../catalog.js';
import { addMonths, groupFilterShape, monthStart, param } from '../params.js';
import { asOfOf, defineSlice, groupWhere, hasAnyGroupFilter, requireMart, type GroupParams } from './common.js';

const month = (col: string) => `CAST(date_trunc('month', ${col}) AS DATE)`;
type Months = { m0: string; m1: string; m12: string };
const IN_MONTHS = (col: string) => `${month(col)} IN (CAST($m0 AS DATE), CAST($m1 AS DATE), CAST($m12 AS DATE))`;

/** One tile: the value of the as-of month, the month before, the same month a year ago. */
function tileFrom(rows: Row[], months: Months, kpi: string, unit: string, col: string, target: number | null = null): Row {
  const at = (m: string) => rows.find((r) => r.m === m);
  return {
    kpi,
    unit,
    value: at(months.m0)?.[col] ?? null,
    previous: at(months.m1)?.[col] ?? null,
    year_ago: at(months.m12)?.[col] ?? null,
    target,
    unavailable: null,
    unavailable_reason: null,
    debit_ar: null,
    credit_balances: null,
  };
}

/**
 * A tile without a value: `unavailable` names the mart it comes from, `unavailable_reason` says why
 * (not_built; whole_portfolio: the mart is built for the whole portfolio only, so a filtered view has
 * no figure, and saying "not built" there would send a user to rebuild what is already built).
 */
const missing = (kpi: string, unit: string, mart: string, reason: 'not_built' | 'whole_portfolio' = 'not_built'): Row => ({
  kpi, unit, value: null, previous: null, year_ago: null, target: null, unavailable: mart, unavailable_reason: reason, debit_ar: null, credit_balances: null,
});

/**
 * What open AR is made of, on the tiles that need it. Open AR is net: the invoices customers owe
 * (debit balances) less the unapplied cash and credit balances owed to them. Expected cash comes
 * only from the invoices (cash already received is no receipt to expect, and a prepayment settles
 * a later invoice), so it is measured against the debit balances and may exceed net open AR.
 */
function withBasis(tiles: Row[], basis: Row | undefined): Row[] {
  const debit = basis?.debit_ar ?? null;
  const credit = basis?.credit_balances ?? null;
  return tiles.map((t) =>
    t.kpi === 'open_ar' ? { ...t, debit_ar: debit, credit_balances: credit } : t.kpi === 'expected_cash_13w' && t.value !== null ? { ...t, debit_ar: debit } : t,
  );
}

/**
 * Headline tiles. For the whole portfolio they come from `kpi_summary` (the KPI suite's tile row);
 * for one customer group, or before the KPI suite is built, from the grouped marts.
 */
export const cfoKpis = defineSlice({
  name: 'cfo_kpis',
  page: 'cfo',
  description: 'KPI tiles: open AR, overdue %, DSO, BPDSO, ADD, CEI, write-offs, expected cash 13 weeks',
  requires: ['dso_monthly'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape },
  kinds: { kpi: 'enum', unit: 'enum', debit_ar: 'money', credit_balances: 'money', unavailable_reason: 'enum' },
  async run({ engine, catalog, settings }, p) {
    const { asOf, partialNote } = await tileMonth(engine, catalog, p.as_of);
    const m0 = monthStart(asOf);
    const months: Months = { m0, m1: addMonths(m0, -1), m12: addMonths(m0, -12) };
    const targets = { overdue: settings.targets.overdue_pct, dso: settings.targets.dso_days, cei: settings.targets.cei_pct };
    const split = catalog.hasColumn('dso_monthly', 'debit_ar_end') && catalog.hasColumn('dso_monthly', 'credit_balances_end');
    const basisCols = split ? 'debit_ar_end AS debit_ar, credit_balances_end AS credit_balances' : 'NULL AS debit_ar, NULL AS credit_balances';
    if (!hasAnyGroupFilter(p) && catalog.has('kpi_summary')) {
      const { rows } = await engine.query(
        `SELECT CAST(${month('month')} AS VARCHAR) AS m, open_ar, overdue_pct, dso, bpdso, avg_days_delinquent, cei,
                written_off, expected_cash_13w
         FROM kpi_summary WHERE ${IN_MONTHS('month')}`,
        months,
      );
      const tiles = [
        tileFrom(rows, months, 'open_ar', 'money', 'open_ar'),
        tileFrom(rows, months, 'overdue_pct', 'pct', 'overdue_pct', targets.overdue),
        tileFrom(rows, months, 'dso', 'days', 'dso', targets.dso),
        tileFrom(rows, months, 'bpdso', 'days', 'bpdso'),
        tileFrom(rows, months, 'add', 'days', 'avg_days_delinquent'),
        tileFrom(rows, months, 'cei', 'pct', 'cei', targets.cei),
        tileFrom(rows, months, 'write_offs', 'money', 'written_off'),
        tileFrom(rows, months, 'expected_cash_13w', 'money', 'expected_cash_13w'),
      ];
      const all = catalog.hasColumn('dso_monthly', 'group_by') ? "group_by = 'ALL'" : "segment = 'ALL'";
      const basis = split
        ? (await engine.query(`SELECT ${basisCols} FROM dso_monthly WHERE ${all} AND ${month('month')} = CAST($m0 AS DATE)`, { m0 })).rows[0]
        : undefined;
      return { rows: withBasis(tiles, basis), notes: partialNote ? [partialNote] : [], meta: { as_of: asOf, month: m0, source: 'kpi_summary' } };
    }
    requireMart(catalog, 'dso_monthly');
    const g = groupWhere(catalog, 'dso_monthly', p);
    const { rows } = await engine.query(
      `SELECT CAST(${month('month')} AS VARCHAR) AS m, ar_end, 100 - pct_current AS overdue_pct, dso, bpdso, avg_days_delinquent, cei, ${basisCols}
       FROM dso_monthly WHERE ${g.sql} AND ${IN_MONTHS('month')}`,
      { ...g.bind, ...months },
    );
    const tiles = [
      tileFrom(rows, months, 'open_ar', 'money', 'ar_end'),
      tileFrom(rows, months, 'overdue_pct', 'pct', 'overdue_pct', targets.overdue),
      tileFrom(rows, months, 'dso', 'days', 'dso', targets.dso),
      tileFrom(rows, months, 'bpdso', 'days', 'bpdso'),
      tileFrom(rows, months, 'add', 'days', 'avg_days_delinquent'),
      tileFrom(rows, months, 'cei', 'pct', 'cei', targets.cei),
      await groupedWriteOffs(engine, catalog, p, months),
    ];
    const notes = [...(partialNote ? [partialNote] : []), ...g.notes];
    const ignored = [...g.ignored];
    if (catalog.has('cash_forecast_13w') && hasAnyGroupFilter(p)) {
      tiles.push(missing('expected_cash_13w', 'money', 'cash_forecast_13w', 'whole_portfolio'));
      notes.push(note('cash_forecast_13w_portfolio'));
    } else tiles.push(missing('expected_cash_13w', 'money', catalog.has('kpi_summary') ? 'cash_forecast_13w' : 'kpi_summary'));
    return { rows: withBasis(tiles, rows.find((r) => r.m === m0)), notes, ignored, meta: { as_of: asOf, month: m0, source: 'dso_monthly' } };
  },
});

/**
 * The month the tiles show. Without an as-of date, the last complete month: a month the data ends
 * inside has only part of its sales and receipts, so its DSO and CEI are not comparable. A chosen
 * month still in progress is shown, with a note saying so.
 */
async function tileMonth(engine: WarehouseEngine, catalog: Catalog, requested: string | undefined): Promise<{ asOf: string; partialNote: Note | null }> {
  const latest = asOfOf(catalog, requested);
  if (!catalog.hasColumn('dso_monthly', 'is_complete') || !catalog.hasColumn('dso_monthly', 'month_end')) return { asOf: latest, partialNote: null };
  const all = catalog.hasColumn('dso_monthly', 'group_by') ? "group_by = 'ALL'" : "segment = 'ALL'";
  const { rows } = await engine.query(
    `SELECT CAST(month_end AS VARCHAR) AS month_end, is_complete, days_elapsed FROM dso_monthly
     WHERE ${all} AND month_end <= CAST($as_of AS DATE) ORDER BY month_end DESC LIMIT 13`,
    { as_of: latest },
  );
  const current = rows[0];
  if (!current || current.is_complete !== false) return { asOf: latest, partialNote: null };
  if (requested !== undefined) return { asOf: latest, partialNote: note('month_in_progress', { month: latest.slice(0, 7), days: String(current.days_elapsed) }) };
  const complete = rows.find((r) => r.is_complete === true);
  if (!complete) return { asOf: latest, partialNote: note('no_complete_month', { month: latest.slice(0, 7) }) };
  return {
    asOf: String(complete.month_end),
    partialNote: note('last_complete_month', { complete: String(complete.month_end).slice(0, 7), month: latest.slice(0, 7), days: String(current.days_elapsed) }),
  };
}

/** Write-offs of one customer group, from the grouped write-off mart or the roll-forward. */
async function groupedWriteOffs(engine: WarehouseEngine, catalog: Catalog, p: GroupParams, months: Months): Promise<Row> {
  const mart = catalog.has('write_offs_monthly') ? 'write_offs_monthly' : catalog.has('ar_rollforward') ? 'ar_rollforward' : null;
  if (!mart) return missing('write_offs', 'money', 'write_offs_monthly');
  const g = groupWhere(catalog, mart, p);
  const { rows } = await engine.query(
    `SELECT CAST(${month('month')} AS VARCHAR) AS m, SUM(written_off) AS written_off FROM ${mart}
     WHERE ${g.sql} AND ${IN_MONTHS('month')} GROUP BY 1`,
    { ...g.bind, ...months },
  );
  return tileFrom(rows, months, 'write_offs', 'money', 'written_off');
}
