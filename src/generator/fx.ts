/**
 * Exchange rates for generated foreign-currency customers, written as the ECB publishes them
 * (eurofxref-hist.csv): one row per TARGET working day, newest first, units of each currency per
 * 1 EUR with the ECB's number of decimals, a trailing comma after the last column. No rows on
 * weekends and TARGET holidays (New Year's Day, Good Friday, Easter Monday, 1 May, 25 and 26
 * December), so a document dated on such a day needs the look-back to the last published rate.
 */
import { Rng } from './random.js';
import { isoOf, weekday, type Day } from './calendar.js';

/** Currencies generated customers may invoice in (issue 11: USD, GBP, SEK, CHF). */
export const INVOICE_CURRENCIES = ['USD', 'GBP', 'SEK', 'CHF'] as const;
export type InvoiceCurrency = (typeof INVOICE_CURRENCIES)[number];
/** Relative frequency of each invoice currency among foreign-currency customers. */
const CURRENCY_WEIGHTS = [3, 3, 2, 2];
/** Country of a customer invoicing in the currency (the generator makes it a foreign customer). */
export const COUNTRY_OF: Record<InvoiceCurrency, string> = { USD: 'US', GBP: 'GB', SEK: 'SE', CHF: 'CH' };

interface SeriesSpec {
  code: string;
  /** Level around which the rate moves (about its 2023–2025 range). */
  level: number;
  decimals: number;
  /** Daily standard deviation of the log rate. */
  vol: number;
}

/** The columns of the written file, in the ECB's order (a subset of its ~30 currencies). */
const SERIES: readonly SeriesSpec[] = [
  { code: 'USD', level: 1.09, decimals: 4, vol: 0.0045 },
  { code: 'JPY', level: 158, decimals: 2, vol: 0.0055 },
  { code: 'DKK', level: 7.459, decimals: 4, vol: 0.0002 },
  { code: 'GBP', level: 0.857, decimals: 5, vol: 0.0032 },
  { code: 'SEK', level: 11.4, decimals: 4, vol: 0.0045 },
  { code: 'CHF', level: 0.95, decimals: 4, vol: 0.0038 },
  { code: 'NOK', level: 11.6, decimals: 4, vol: 0.005 },
];

/** Easter Sunday of a year (anonymous Gregorian algorithm). */
function easterSunday(year: number): Day {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const dom = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, dom) / 86_400_000;
}

/** True on a TARGET2 closing day or a weekend: the ECB publishes no reference rate then. */
export function isTargetClosed(day: Day): boolean {
  const w = weekday(day);
  if (w === 0 || w === 6) return true;
  const iso = isoOf(day);
  const md = iso.slice(5);
  if (md === '01-01' || md === '05-01' || md === '12-25' || md === '12-26') return true;
  const easter = easterSunday(Number(iso.slice(0, 4)));
  return day === easter - 2 || day === easter + 1;
}

/** A seeded daily rate series per currency over [from, to], published on TARGET working days only. */
export class FxSeries {
  /** Codes of the written columns, in file order. */
  readonly currencies = SERIES.map((s) => s.code);
  /** Working days, ascending. */
  readonly days: Day[] = [];
  /** rates[c][i]: the published (rounded) rate of SERIES[c] on days[i]. */
  private readonly rates: number[][];

  constructor(seed: string, from: Day, to: Day) {
    for (let d = from; d <= to; d++) if (!isTargetClosed(d)) this.days.push(d);
    this.rates = SERIES.map((s) => {
      const rng = new Rng(seed, 'fx', s.code);
      // start somewhere in the currency's usual range, then a mean-reverting random walk in logs
      let x = Math.log(s.level) + rng.normal() * 0.03;
      const out: number[] = [];
      for (let i = 0; i < this.days.length; i++) {
        x += s.vol * rng.normal() - 0.002 * (x - Math.log(s.level));
        out.push(Number(Math.exp(x).toFixed(s.decimals)));
      }
      return out;
    });
  }

  /** The rate published on the latest working day on or before `day` (units per 1 EUR). */
  rateOn(currency: string, day: Day): number {
    const c = SERIES.findIndex((s) => s.code === currency);
    if (c < 0) throw new Error(`no generated rate series for ${currency}`);
    let lo = 0;
    let hi = this.days.length - 1;
    if (hi < 0 || day < this.days[0]!) throw new Error(`no ${currency} rate on or before ${isoOf(day)}`);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.days[mid]! <= day) lo = mid;
      else hi = mid - 1;
    }
    return this.rates[c]![lo]!;
  }

  /** The file in the ECB's eurofxref-hist.csv layout: newest first, trailing commas. */
  ecbCsv(): string {
    const lines = [`Date,${SERIES.map((s) => s.code).join(',')},`];
    for (let i = this.days.length - 1; i >= 0; i--) {
      lines.push(`${isoOf(this.days[i]!)},${SERIES.map((s, c) => this.rates[c]![i]!.toFixed(s.decimals)).join(',')},`);
    }
    return lines.join('\n') + '\n';
  }
}

/**
 * The currency a customer invoices in: a share of customers, drawn from their own stream so the rest
 * of the ledger draws exactly the random numbers it draws without foreign currencies.
 */
export function customerCurrency(seed: string, index: number, share: number): InvoiceCurrency | null {
  if (share <= 0) return null;
  const rng = new Rng(seed, 'currency', index);
  if (!rng.chance(share)) return null;
  return INVOICE_CURRENCIES[rng.weightedIndex(CURRENCY_WEIGHTS)]!;
}

/** Whole cents of an EUR amount in `currency` at `rate` per EUR. */
export function eurToCurrency(cents: number, rate: number): number {
  return Math.round(cents * rate);
}

