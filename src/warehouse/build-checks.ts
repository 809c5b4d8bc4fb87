/**
 * What a green build should still tell its user (issue 11): how fresh each feed is, which month is
 * partial, and which figures are not meaningful because the ledger lacks what they need. Read from
 * the built warehouse (marts and canonical views), so the same answers are available to any client;
 * the wording lives in `describeChecks`, apart from the queries, so it can be tested without a lake.
 */
import type { WarehouseEngine } from './engine.js';

export interface FeedFreshness {
  feed: string;
  last_date: string | null;
  row_count: number;
  days_behind: number | null;
  is_lagging: boolean;
  lag_checked: boolean;
}

export interface PartialMonth {
  month: string;
  days_elapsed: number;
  days_in_month: number;
}

export interface LedgerCounts {
  customers: number;
  invoices: number;
  payments: number;
  allocations: number;
  settled_dates: number;
  snapshots: number;
  credit_reports: number;
  /** Customers loaded without a segment (grouped as 'unknown'). */
  customers_without_segment: number;
}

export interface BuildChecks {
  freshness: FeedFreshness[];
  data_end: string | null;
  max_lag_days: number;
  partial_months: PartialMonth[];
  counts: LedgerCounts;
  /** Figures the ledger cannot support, each with the reason. */
  not_meaningful: { figures: string; reason: string }[];
  /** Lines that `build --strict` turns into a failure. */
  warnings: string[];
}

const num = (v: unknown) => Number(v ?? 0);

/** The ledger lacks what a figure needs: which figures, and why. Pure. */
export function notMeaningful(c: LedgerCounts): { figures: string; reason: string }[] {
  const out: { figures: string; reason: string }[] = [];
  const documents = c.invoices + c.snapshots;
  if (documents > 0 && c.payments === 0 && c.settled_dates === 0 && c.snapshots === 0) {
    out.push({
      figures: 'DSO, CEI, collected and cash received, payment behaviour (days to pay, days late), the cash forecast and its backtest',
      reason: 'the ledger has invoices but no payments and no settled dates, so nothing is ever collected and AR only grows',
    });
  } else if (c.payments > 0 && c.allocations === 0 && c.settled_dates === 0 && c.invoices > 0) {
    out.push({
      figures: 'payment behaviour (days to pay, days late), aging of paid invoices, the cash forecast',
      reason: 'payments were loaded without payment_allocations (and no bank-statement receipt matched an invoice), so no invoice is ever settled (all cash is unapplied)',
    });
  }
  if (documents > 0 && c.credit_reports === 0) {
    out.push({
      figures: 'customer_risk, customer_priority, segment_priority, risk_alerts and the score_band grouping (all "not rated")',
      reason: 'no credit reports were loaded (creditlake ingest --feed credit-report)',
    });
  }
  if (c.customers_without_segment > 0) {
    out.push({
      figures: `the segment grouping for ${c.customers_without_segment} customer(s)`,
      reason: "their segment is blank: they are grouped as 'unknown' (their other fields loaded)",
    });
  }
  if (documents > 0 && c.customers === 0) {
    out.push({
      figures: 'every grouping by segment, SBI section, country and size class (all "unknown"), credit-limit utilisation',
      reason: 'no customers were loaded',
    });
  }
  return out;
}

/** The steady ledger feeds whose lag makes a month incomplete (int_month_ends.covered_until). */
const LEDGER_FEEDS = new Set(['invoices', 'payments', 'open_item_snapshots']);
const monthEndOf = (iso: string) => {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

const monthName = (iso: string) =>
  new Date(`${iso}T00:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Human lines for the build output: the freshness line, partial months, warnings. Pure. */
export function describeChecks(c: BuildChecks): string[] {
  const lines: string[] = [];
  const dated = c.freshness.filter((f) => f.last_date !== null);
  if (dated.length) {
    const feeds = dated.map((f) => `${f.feed} ${f.last_date}`).join(', ');
    lines.push(`source freshness: ${feeds}; data end ${c.data_end ?? '—'}`);
  }
  for (const p of c.partial_months) {
    const marks = '(is_complete = false; kpi_summary.is_latest_complete marks the last full month)';
    // a month the data end passed but a lagging ledger feed stops inside or before (int_month_ends.covered_until)
    const short = c.freshness.filter((f) => LEDGER_FEEDS.has(f.feed) && f.is_lagging && f.last_date !== null && f.last_date < monthEndOf(p.month));
    if (p.days_elapsed >= p.days_in_month && short.length) {
      lines.push(`partial month: ${monthName(p.month)} is not covered by every feed: ${short.map((f) => `${f.feed} end ${f.last_date}`).join(', ')} ${marks}`);
    } else lines.push(`partial month: ${monthName(p.month)} has data for ${p.days_elapsed} of ${p.days_in_month} days ${marks}`);
  }
  lines.push(...c.warnings.map((w) => `warning: ${w}`));
  return lines;
}

/** The models the ledger counts of the checks read (an incremental build carries the counts when none changed). */
export const COUNTED_MODELS = ['stg_customers', 'stg_invoices', 'stg_payments', 'int_payment_allocations', 'stg_credit_reports', 'stg_open_item_snapshots'] as const;

/**
 * Reads the checks from a built warehouse. Marts that were not built give empty answers. `counts`:
 * ledger counts known already (an incremental build whose counted models did not change).
 */
export async function readBuildChecks(engine: WarehouseEngine, known?: { counts?: LedgerCounts }): Promise<BuildChecks> {
  const safe = async (sql: string) => {
    try {
      return (await engine.query(sql)).rows;
    } catch {
      return [];
    }
  };
  const fresh = await safe(`SELECT feed, CAST(last_date AS VARCHAR) AS last_date, row_count, days_behind, is_lagging, lag_checked,
    max_lag_days, CAST(data_end AS VARCHAR) AS data_end FROM source_freshness ORDER BY feed`);
  const freshness: FeedFreshness[] = fresh.map((r) => ({
    feed: String(r.feed),
    last_date: r.last_date === null ? null : String(r.last_date),
    row_count: num(r.row_count),
    days_behind: r.days_behind === null ? null : num(r.days_behind),
    is_lagging: r.is_lagging === true,
    lag_checked: r.lag_checked === true,
  }));
  const partial = await safe(`SELECT DISTINCT CAST(month AS VARCHAR) AS month, days_elapsed, days_in_month FROM dso_monthly WHERE NOT is_complete ORDER BY 1`);
  // The staging models, not the canonical names they are also shown under: during a build each
  // staging model a mart reads is a table of its rows, while its canonical name is a view that would
  // deduplicate the raw batches again (1.9 CPU-s of a month-end selection at 1M invoices).
  const countRows = known?.counts ? [] : await safe(`SELECT
      (SELECT count(*) FROM stg_customers) AS customers,
      (SELECT count(*) FROM stg_invoices) AS invoices,
      (SELECT count(*) FROM stg_payments) AS payments,
      (SELECT count(*) FROM int_payment_allocations) AS allocations,
      (SELECT count(*) FROM stg_invoices WHERE settled_date IS NOT NULL) AS settled_dates,
      (SELECT count(*) FROM stg_credit_reports) AS credit_reports,
      (SELECT count(*) FROM stg_customers WHERE segment IS NULL OR trim(segment) = '') AS customers_without_segment`);
  const snapshotRows = known?.counts ? [] : await safe(`SELECT count(*) AS n FROM stg_open_item_snapshots`);
  const c0 = countRows[0] ?? {};
  const counts: LedgerCounts = known?.counts ?? {
    customers: num(c0.customers),
    invoices: num(c0.invoices),
    payments: num(c0.payments),
    allocations: num(c0.allocations),
    settled_dates: num(c0.settled_dates),
    snapshots: num(snapshotRows[0]?.n),
    credit_reports: num(c0.credit_reports),
    customers_without_segment: num(c0.customers_without_segment),
  };
  const maxLag = num(fresh[0]?.max_lag_days);
  const nm = notMeaningful(counts);
  const freshest = freshness.filter((f) => f.lag_checked && f.last_date).map((f) => f.last_date!).sort().at(-1);
  const warnings = [
    ...freshness
      .filter((f) => f.is_lagging)
      .map((f) => `${f.feed} ends ${f.last_date}, ${f.days_behind} days behind the freshest feed (${freshest}); a stale export? (config freshness.max_lag_days = ${maxLag})`),
    ...nm.map((n) => `not meaningful: ${n.figures}: ${n.reason}`),
  ];
  return {
    freshness,
    data_end: fresh[0]?.data_end === undefined || fresh[0]?.data_end === null ? null : String(fresh[0].data_end),
    max_lag_days: maxLag,
    partial_months: partial.map((r) => ({ month: String(r.month), days_elapsed: num(r.days_elapsed), days_in_month: num(r.days_in_month) })),
    counts,
    not_meaningful: nm,
    warnings,
  };
}
