import { Rng } from '../random.js';
import { addMonths, isoOf, type Day } from '../calendar.js';
import type { Habit, SizeClass } from '../behaviour.js';
import { commonBand } from '../../feeds/credit-report/scales.js';
import { keyFor } from '../../feeds/credit-report/identity.js';
import type { CompanyRow, EventRow, ReportRow } from '../../feeds/credit-report/normalise.js';
import type { IdentifierRow } from '../../feeds/credit-report/identity.js';
import type { MonitoredCompany } from './population.js';

/**
 * Credit reports of one monitored company over time. A latent health (0-100, higher is safer) follows
 * a mean-reverting random walk around a level set by payment habit, size and industry; in the months
 * before a company fails its level slides towards zero, so scores fall before the insolvency. Each
 * provider prints the health on its own scale (Creditsafe score, Graydon rating, D&B percentile).
 */
const HABIT_LEVEL: Record<Habit, number> = { early: 80, on_time: 70, late: 54, chronic_late: 40, never: 28 };
const SIZE_LEVEL: Record<SizeClass, number> = { micro: -6, small: 0, medium: 5, large: 9 };
const RISKY_SECTIONS = new Set(['F', 'I', 'H']);
const PAYMENT_SCORE: Record<Habit, number> = { early: 92, on_time: 82, late: 58, chronic_late: 32, never: 12 };
const LIMIT_BASE_EUR: Record<SizeClass, number> = { micro: 2_500, small: 10_000, medium: 50_000, large: 250_000 };
/** Graydon recalibrated its scorecard in November 2023: ratings before and after do not compare. */
export const GRAYDON_RECALIBRATION = '2023-11-01';

const GRAYDON_LADDER: readonly [number, string][] = [
  [88, 'AAA'], [78, 'AA'], [68, 'A'], [58, 'BBB'], [48, 'BB'], [38, 'B'], [28, 'CCC'], [18, 'CC'], [0, 'C'],
];

export interface CompanyReports {
  company: CompanyRow;
  identifiers: IdentifierRow[];
  reports: ReportRow[];
  events: EventRow[];
  /** Bankruptcy date, when the company failed inside the window. */
  bankruptcyDate: string | null;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function money(euros: number): string {
  return `${Math.round(euros)}.00`;
}

function graydonRating(health: number, recalibrated: boolean): string {
  // The new scorecard is a notch more lenient: the same health rates higher after the break.
  const h = recalibrated ? health + 4 : health;
  return GRAYDON_LADDER.find(([min]) => h >= min)![1];
}

export function simulateCompany(seed: string, c: MonitoredCompany): CompanyReports {
  const rng = new Rng(seed, 'credit', c.kind, c.index);
  const idFor = c.kvk ? { id_type: 'kvk' as const, id_value: c.kvk } : { id_type: 'vat' as const, id_value: c.vat ?? `ZZ${c.index}` };
  const key = keyFor(idFor);
  const provider = rng.weighted(['creditsafe', 'graydon', 'dnb'] as const, [55, 35, 10]);
  const providerId =
    provider === 'creditsafe' ? `${c.country}-X-${c.kvk ?? c.index}` : provider === 'graydon' ? `G${100000 + c.index}` : String(100_000_000 + c.index * 7);
  const identifiers: IdentifierRow[] = [];
  if (c.kvk) identifiers.push({ id_type: 'kvk', id_value: c.kvk, company_key: key });
  if (c.vat) identifiers.push({ id_type: 'vat', id_value: c.vat, company_key: key });
  if (provider === 'dnb') identifiers.push({ id_type: 'duns', id_value: providerId, company_key: key });
  else identifiers.push({ id_type: provider, id_value: providerId, company_key: key });

  const company: CompanyRow = {
    company_key: key,
    name: c.name,
    country: c.country,
    kvk_number: c.kvk,
    branch_number: null,
    vat_number: c.vat,
    duns_number: provider === 'dnb' ? providerId : null,
    sbi_code: c.sbiCode,
    sbi_version: c.sbiCode ? 'SBI2008' : null,
    size_class: c.sizeClass,
    legal_form: c.sizeClass === 'micro' && rng.chance(0.5) ? 'eenmanszaak' : 'BV',
  };

  // Failing companies: bankruptcy (sometimes after a suspension of payments) some weeks after they
  // stop paying; the slide in health starts half a year to ten months earlier.
  let bankruptcy: Day | null = null;
  let suspension: Day | null = null;
  let slideFrom: Day | null = null;
  if (c.distressDay !== null) {
    const b = c.distressDay + rng.int(20, 120);
    if (b <= c.monitorTo) bankruptcy = b;
    if (bankruptcy !== null && rng.chance(0.15)) suspension = bankruptcy - rng.int(20, 60);
    slideFrom = c.distressDay - rng.int(150, 300);
  }
  const level = clamp(HABIT_LEVEL[c.habit] + SIZE_LEVEL[c.sizeClass] + (RISKY_SECTIONS.has(c.section) ? -5 : 0) + 6 * rng.normal(), 12, 97);
  const monthly = c.kind === 'customer' && (c.segment !== 'small_business' || c.habit === 'chronic_late' || c.habit === 'never');
  const step = monthly ? 1 : 3;
  const lastDay = bankruptcy ?? c.monitorTo;

  const reports: ReportRow[] = [];
  let health = clamp(level + 8 * rng.normal(), 5, 99);
  let payment = PAYMENT_SCORE[c.habit] + 6 * rng.normal();
  // First report on the monitoring start, then one per month or quarter on a fixed day.
  const days: Day[] = [c.monitorFrom];
  for (let m = step; ; m += step) {
    const d = addMonths(c.monitorFrom, m);
    if (d > lastDay) break;
    if (d > days[days.length - 1]!) days.push(d);
  }
  for (const day of days) {
    let target = level;
    if (slideFrom !== null && day >= slideFrom) {
      const progress = clamp((day - slideFrom) / Math.max(1, (c.distressDay ?? day) - slideFrom), 0, 1);
      target = level * (1 - progress) + 6 * progress;
      payment = Math.min(payment, PAYMENT_SCORE[c.habit] * (1 - progress) + 5 * progress);
    }
    // Mean reversion per month of 30%, compounded over the refresh interval.
    const pull = 1 - 0.7 ** step;
    health = clamp(health + pull * (target - health) + 3.5 * Math.sqrt(step) * rng.normal(), 1, 100);
    if (slideFrom !== null && day >= slideFrom) health = Math.min(health, target + 4);
    reports.push(reportRow(provider, key, day, health, clamp(payment + 3 * rng.normal(), 0, 100), c, false));
  }
  const events: EventRow[] = [];
  if (bankruptcy !== null) {
    if (suspension !== null && suspension > c.monitorFrom) events.push(eventRow(key, 'suspension_of_payments', suspension, rng));
    events.push(eventRow(key, 'bankruptcy', bankruptcy, rng));
    // The provider's next report shows the company insolvent.
    const after = bankruptcy + rng.int(1, 20);
    if (after <= c.monitorTo && (reports.length === 0 || reports[reports.length - 1]!.report_date < isoOf(after))) {
      reports.push(reportRow(provider, key, after, rng.int(1, 4), rng.int(0, 5), c, true));
    }
  }
  return { company, identifiers, reports, events, bankruptcyDate: bankruptcy === null ? null : isoOf(bankruptcy) };
}

function reportRow(provider: 'creditsafe' | 'graydon' | 'dnb', key: string, day: Day, health: number, payment: number, c: MonitoredCompany, insolvent: boolean): ReportRow {
  const date = isoOf(day);
  const h = Math.round(health);
  const limit = insolvent || h < 15 ? 0 : Math.round((LIMIT_BASE_EUR[c.sizeClass] * (h / 70) ** 2) / 500) * 500;
  const base = {
    report_id: `${provider}-${key}-${date}`,
    company_key: key,
    provider,
    report_date: date,
    credit_limit_advice: money(limit),
    credit_limit_currency: 'EUR',
    company_status: insolvent ? ('insolvent' as const) : ('active' as const),
  };
  if (provider === 'graydon') {
    const recalibrated = date >= GRAYDON_RECALIBRATION;
    const rating = insolvent ? 'D' : graydonRating(h, recalibrated);
    const band = commonBand({ scale: 'graydon_rating', rating });
    return {
      ...base, score: null, score_scale: 'graydon_rating', rating, common_band: band.ok ? band.band : null,
      scorecard_version: recalibrated ? 'graydon-2023-11' : 'graydon-2019', payment_score: Math.round(payment),
    };
  }
  const scale = provider === 'creditsafe' ? 'creditsafe_0_100' : 'dnb_failure_percentile';
  const score = clamp(h, 1, 100);
  const band = commonBand({ scale, score });
  const rule = band.ok ? band.rule : undefined;
  return {
    ...base, score, score_scale: scale, rating: provider === 'creditsafe' ? (rule?.rating ?? 'E') : null,
    common_band: band.ok ? band.band : null, scorecard_version: provider === 'creditsafe' ? 'cs-intl-2' : 'dnb-fss-nl',
    payment_score: null,
  };
}

function eventRow(key: string, type: EventRow['event_type'], day: Day, rng: Rng): EventRow {
  const date = isoOf(day);
  const court = rng.pick(['13', '09', '10', '16', '05', '01', '08', '02']);
  return {
    event_id: `${key}-${type}-${date}`,
    company_key: key,
    event_type: type,
    event_date: date,
    source: 'CIR',
    case_number: `${type === 'bankruptcy' ? 'F' : 'S'}.${court}/${date.slice(2, 4)}/${rng.int(1, 999)}`,
  };
}
