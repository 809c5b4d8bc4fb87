/**
 * The 13-week cash forecast of docs/metrics.md re-implemented in TypeScript over CashLedger, for the
 * end-to-end test: same definition, written independently of the SQL (integer cents, day numbers).
 */
import type { Config } from '../../src/config/config.js';
import { type CashLedger, daysInMonth, monthIndex, monthStartOf, weekdayOf } from './cash-ledger-model.js';

export const WEEKS = 13;

export interface ForecastItem {
  id: string;
  customer: string;
  open: number;
  expectedDay: number;
  week: number;
  expected: number;
}

export interface Forecast {
  items: ForecastItem[];
  /** Expected cents per horizon week 1…13 (index 0 = week 1). */
  weeks: number[];
  counts: number[];
  openByWeek: number[];
}

interface History {
  weighted: number;
  paid: number;
  n: number;
}

const add = (m: Map<string, History>, k: string, weighted: number, paid: number) => {
  const h = m.get(k) ?? { weighted: 0, paid: 0, n: 0 };
  h.weighted += weighted;
  h.paid += paid;
  h.n += 1;
  m.set(k, h);
};

/** SQL round() of a double: half away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

function inWindow(day: number, forecast: number, lookbackMonths: number): boolean {
  const m = monthIndex(day);
  const f = monthIndex(forecast);
  return m <= f && m > f - lookbackMonths;
}

type Run = { kind: 'monthly'; day: number } | { kind: 'weekly'; weekday: number };

function paymentRuns(L: CashLedger, F: number, c: Config['cash_forecast']): Map<string, Run> {
  const days = new Map<string, Set<number>>();
  for (const p of L.payments) {
    if (!inWindow(p.day, F, c.lookback_months)) continue;
    days.set(p.customer, (days.get(p.customer) ?? new Set()).add(p.day));
  }
  const share = Math.round(c.payment_run_share * 100);
  const runs = new Map<string, Run>();
  if (!c.payment_runs) return runs;
  for (const [customer, set] of days) {
    const n = set.size;
    if (n < c.min_history) continue;
    const doms = [...set].map((d) => new Date(d * 86_400_000).getUTCDate());
    let best = { day: 99, count: -1 };
    for (const d of new Set(doms)) {
      const count = doms.filter((x) => x >= d && x <= d + 2).length;
      if (count > best.count || (count === best.count && d < best.day)) best = { day: d, count };
    }
    if (best.count * 100 >= share * n) {
      runs.set(customer, { kind: 'monthly', day: best.day });
      continue;
    }
    const perWeekday = [0, 0, 0, 0, 0, 0, 0];
    for (const d of set) perWeekday[weekdayOf(d)]!++;
    const top = Math.max(...perWeekday);
    if (top * 100 >= share * n) runs.set(customer, { kind: 'weekly', weekday: perWeekday.indexOf(top) });
  }
  return runs;
}

/** The nearest payment-run day to `raw`, after F; ties to the later day. */
function snap(raw: number, F: number, run: Run | undefined): number {
  if (!run) return raw;
  const candidates: number[] = [];
  if (run.kind === 'monthly') {
    for (const k of [-1, 0, 1]) {
      const m = monthIndex(raw) + k;
      let d = monthStartOf(m) + Math.min(run.day, daysInMonth(m)) - 1;
      const wd = weekdayOf(d);
      d += wd === 5 ? 2 : wd === 6 ? 1 : 0;
      candidates.push(d);
    }
  } else {
    const f = (run.weekday - weekdayOf(raw) + 7) % 7;
    candidates.push(raw + f, raw + f - 7);
  }
  candidates.sort((a, b) => Number(a <= F) - Number(b <= F) || Math.abs(a - raw) - Math.abs(b - raw) || b - a);
  return candidates[0]!;
}

export function forecastAt(L: CashLedger, F: number, config: Config): Forecast {
  const c = config.cash_forecast;
  const open = [...L.items.values()].map((item) => ({ item, open: L.open(item, F) })).filter((x) => x.open > 0);

  const byCustomer = new Map<string, History>();
  const bySegment = new Map<string, History>();
  const portfolio = new Map<string, History>();
  for (const item of L.items.values()) {
    if (item.type !== 'invoice') continue;
    for (const r of item.receipts) {
      if (r.cents <= 0 || !inWindow(r.day, F, c.lookback_months)) continue;
      const w = r.cents * (r.day - item.due);
      add(byCustomer, item.customer, w, r.cents);
      add(bySegment, L.segmentOf(item.customer), w, r.cents);
      add(portfolio, '', w, r.cents);
    }
  }
  const runs = paymentRuns(L, F, c);

  const lastPayment = new Map<string, number>();
  for (const p of L.payments) if (p.day <= F) lastPayment.set(p.customer, Math.max(lastPayment.get(p.customer) ?? -Infinity, p.day));
  const oldest = new Map<string, number>();
  for (const { item } of open) oldest.set(item.customer, Math.max(oldest.get(item.customer) ?? -Infinity, F - item.due));
  const stopped = (customer: string) => {
    const last = lastPayment.get(customer);
    return oldest.get(customer)! > c.stopped_paying_days && (last === undefined || F - last > c.stopped_paying_days);
  };

  const forecast: Forecast = { items: [], weeks: Array(WEEKS).fill(0), counts: Array(WEEKS).fill(0), openByWeek: Array(WEEKS).fill(0) };
  for (const { item, open: cents } of open) {
    const own = byCustomer.get(item.customer);
    const seg = bySegment.get(L.segmentOf(item.customer));
    const all = portfolio.get('');
    const h = own && own.n >= c.min_history ? own : seg && seg.n >= c.min_history ? seg : all && all.n >= 1 ? all : undefined;
    const delay = h ? h.weighted / h.paid : 0;
    const habit = item.due + roundAway(delay);
    const raw = habit > F ? habit : F + c.overdue_catchup_days;
    const expectedDay = snap(raw, F, runs.get(item.customer));
    const p = stopped(item.customer) ? c.stopped_paying_probability : F - item.due > c.stale_after_days ? c.stale_probability : 1;
    const expected = Math.round((cents * Math.round(p * 10_000)) / 10_000);
    const week = Math.floor((expectedDay - F - 1) / 7) + 1;
    forecast.items.push({ id: item.id, customer: item.customer, open: cents, expectedDay, week, expected });
    if (week <= WEEKS) {
      const k = week - 1;
      forecast.weeks[k] = forecast.weeks[k]! + expected;
      forecast.counts[k] = forecast.counts[k]! + 1;
      forecast.openByWeek[k] = forecast.openByWeek[k]! + cents;
    }
  }
  return forecast;
}

/** Cash received per horizon week on the items open (positive) at F. */
export function actualAfter(L: CashLedger, F: number): number[] {
  const weeks = Array(WEEKS).fill(0) as number[];
  for (const item of L.items.values()) {
    if (L.open(item, F) <= 0) continue;
    for (const r of item.receipts) {
      const ahead = r.day - F;
      if (ahead >= 1 && ahead <= 7 * WEEKS) weeks[Math.floor((ahead - 1) / 7)]! += r.cents;
    }
  }
  return weeks;
}
