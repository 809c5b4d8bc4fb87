/**
 * Locale formatting for the dashboards. Money arrives as exact decimal strings and is formatted
 * from the string (Intl formats `"1234.56"` exactly), so no amount passes through a float on its
 * way to a label. Pure functions: the same input gives the same text in Node and in the browser.
 *
 * The two languages the pages speak (en-GB, nl-NL) and euros are written here by hand, to the
 * character what Intl writes (test/e2e/dashboards-format-browser.test.ts compares the two over
 * thousands of values in Chromium): the first Intl.NumberFormat or DateTimeFormat a page builds
 * loads ICU's number and date data, 20-40 ms of the renderer's main thread on every cold load, an
 * eighth of a cold customer page's. Other currencies and forms the rules here do not cover
 * (exponents, amounts of a thousand trillion and more) go to Intl.
 */

import type { Lang } from '../../src/serve/view-state.js';
export type { Lang };
export const LANGS: readonly Lang[] = ['nl', 'en'];

const LOCALE: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };
export const localeOf = (lang: Lang): string => LOCALE[lang];

type Num = string | number | null | undefined;

const cache = new Map<string, Intl.NumberFormat>();
function nf(lang: Lang, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(LOCALE[lang], opts)));
  return f;
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/** A value as Intl accepts it exactly: decimal strings stay strings, numbers stay numbers. */
function exact(v: Num): `${number}` | number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return DECIMAL.test(v.trim()) ? (v.trim() as `${number}`) : null;
}

export const DASH = '–';

const NBSP = '\u00a0';
const SEPARATORS: Record<Lang, { group: string; decimal: string }> = { en: { group: ',', decimal: '.' }, nl: { group: '.', decimal: ',' } };

/** The digits of a decimal, rounded: sign, integer digits (no leading zeros), fraction digits. */
interface Rounded {
  negative: boolean;
  int: string;
  frac: string;
}

/**
 * The decimal a value stands for, as Intl reads it: a decimal string as written, a number as its
 * shortest round-trip form (String(x), what ICU formats). Null for what is left to Intl.
 */
function decimalOf(x: `${number}` | number): string | null {
  // Negative zero (an axis tick of Math.floor(-0 / step) * step) keeps its sign, as in Intl: `-0.0`.
  const s = typeof x === 'number' && Object.is(x, -0) ? '-0' : String(x).replace(/^\+/, '');
  return /^-?\d+(\.\d+)?$/.test(s) ? s : null;
}

/** A decimal string times 10^places, exactly (moving the point, as ICU scales percentages). */
function shiftDecimal(s: string, places: number): string {
  const negative = s.startsWith('-');
  const [i = '', f = ''] = s.replace(/^-/, '').split('.');
  let digits = i + f;
  let point = i.length + places;
  if (point < 0) (digits = '0'.repeat(-point) + digits), (point = 0);
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const int = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point);
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Rounded half away from zero (Intl's default) to at most `max` fraction digits, padded to `min`. */
function roundDecimal(s: string, min: number, max: number): Rounded {
  const negative = s.startsWith('-');
  const [i = '0', f = ''] = s.replace(/^-/, '').split('.');
  let int = i.replace(/^0+(?=\d)/, '');
  let frac = f.slice(0, max);
  if ((f[max] ?? '0') >= '5') {
    const up = (BigInt(int + frac.padEnd(max, '0')) + 1n).toString().padStart(int.length + max, '0');
    int = up.slice(0, up.length - max) || '0';
    frac = up.slice(up.length - max);
  }
  frac = frac.padEnd(max, '0');
  while (frac.length > min && frac.endsWith('0')) frac = frac.slice(0, -1);
  return { negative, int, frac };
}

const isZero = (r: Rounded) => /^0*$/.test(r.int + r.frac);

/** `1,234.5` / `1.234,5`: the rounded digits with the language's separators, no sign. */
function digitsText(r: Rounded, lang: Lang): string {
  const { group, decimal } = SEPARATORS[lang];
  const int = r.int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return r.frac ? `${int}${decimal}${r.frac}` : int;
}

/** A number with `min`-`max` fraction digits the way Intl writes it in en-GB or nl-NL (signDisplay auto). */
function plainNumber(s: string, lang: Lang, min: number, max: number): string {
  const r = roundDecimal(s, min, max);
  return `${r.negative ? '-' : ''}${digitsText(r, lang)}`;
}

/** Euros with two decimals: `-€1,234.50` (en-GB), `€ -1.234,50` (nl-NL). */
function euros(r: Rounded, lang: Lang): string {
  const sign = r.negative ? '-' : '';
  return lang === 'en' ? `${sign}€${digitsText(r, lang)}` : `€${NBSP}${sign}${digitsText(r, lang)}`;
}

/** Compact units (short form) from thousands up: en-GB `k`, `m`, `bn`, `tn`; nl-NL `K`, `mln.`, `mld.`, `bln.`. */
const COMPACT: Record<Lang, string[]> = { en: ['', 'k', 'm', 'bn', 'tn'], nl: ['', 'K', `${NBSP}mln.`, `${NBSP}mld.`, `${NBSP}bln.`] };

/**
 * Euros in compact notation with at most one decimal, as Intl writes them: the unit is chosen by the
 * rounded amount (999,950 is `€1m`, not `€1000k`); below a thousand the plain pattern
 * (`€ -950,6`), from a thousand up the sign goes first (`-€ 1,2 mln.`). Null beyond trillions.
 */
function compactEuros(s: string, lang: Lang): string | null {
  const int = s.replace(/^-/, '').split('.')[0]!.replace(/^0+/, '');
  let unit = Math.max(0, Math.floor((int.length - 1) / 3));
  if (unit >= COMPACT[lang].length) return null;
  let r = roundDecimal(shiftDecimal(s, -3 * unit), 0, 1);
  if (r.int.length > 3) {
    unit++;
    if (unit >= COMPACT[lang].length) return null;
    r = roundDecimal(shiftDecimal(s, -3 * unit), 0, 1);
  }
  if (unit === 0) return euros(r, lang);
  return `${r.negative ? '-' : ''}€${lang === 'nl' ? NBSP : ''}${digitsText(r, lang)}${COMPACT[lang][unit]}`;
}

/** `€ 1.234,56` (nl) / `€1,234.56` (en); exact for decimal strings. */
export function formatMoney(v: Num, lang: Lang, currency = 'EUR'): string {
  const x = exact(v);
  if (x === null) return DASH;
  const s = currency === 'EUR' && lang in SEPARATORS ? decimalOf(x) : null;
  if (s !== null) return euros(roundDecimal(s, 2, 2), lang);
  return nf(lang, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x);
}

/** Short money for axes and tiles: `€ 1,2 mln.` (nl) / `€1.2m` (en). */
export function formatMoneyCompact(v: Num, lang: Lang, currency = 'EUR'): string {
  const x = exact(v);
  if (x === null) return DASH;
  const s = currency === 'EUR' && lang in SEPARATORS ? decimalOf(x) : null;
  const text = s !== null ? compactEuros(s, lang) : null;
  return text ?? nf(lang, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(x);
}

export function formatNumber(v: Num, lang: Lang, digits = 0): string {
  const x = exact(v);
  if (x === null) return DASH;
  const s = lang in SEPARATORS ? decimalOf(x) : null;
  if (s !== null) return plainNumber(s, lang, digits, digits);
  return nf(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** A ratio (0-1 scale, as Intl's percent style takes it) as a percentage: `12.3%` / `12,3%`. */
function percentOf(x: `${number}` | number, lang: Lang, digits: number): string {
  const s = lang in SEPARATORS ? decimalOf(x) : null;
  if (s !== null) return `${plainNumber(shiftDecimal(s, 2), lang, digits, digits)}%`;
  return nf(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** A percentage given on the 0-100 scale (marts store `pct_current = 87.5`). */
export function formatPct(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  return percentOf(Number(x) / 100, lang, digits);
}

/** A ratio given on the 0-1 scale (bad-debt ratio 0.012 → 1.2%). */
export function formatRatio(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  return percentOf(x, lang, digits);
}

export function formatDays(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  return `${formatNumber(x, lang, digits)} ${lang === 'nl' ? 'dagen' : 'days'}`;
}

/** A signed change, e.g. `+1,5` / `−0,3`, so direction reads without colour. */
export function formatSigned(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  const s = lang in SEPARATORS ? decimalOf(x) : null;
  if (s !== null) {
    const r = roundDecimal(s, digits, digits);
    return `${isZero(r) ? '' : r.negative ? '-' : '+'}${digitsText(r, lang)}`;
  }
  return nf(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(x);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})/;

// Building an Intl.DateTimeFormat costs more than formatting with it: a table of 500 dated rows or a
// daily axis would build one per cell.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function df(lang: Lang, kind: 'date' | 'month'): Intl.DateTimeFormat {
  const key = `${lang}|${kind}`;
  let f = dateFormats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions = kind === 'date' ? { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' } : { month: 'short', year: 'numeric', timeZone: 'UTC' };
    dateFormats.set(key, (f = new Intl.DateTimeFormat(LOCALE[lang], opts)));
  }
  return f;
}

function utcDate(iso: string): Date | null {
  const m = ISO.exec(iso);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Short month names as Intl writes them with `{ month: 'short' }` in en-GB and nl-NL. */
const MONTHS: Record<Lang, string[]> = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'],
  nl: ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'],
};
const pad2 = (n: number) => String(n).padStart(2, '0');
/** A four-digit year the hand-written forms cover (others go to Intl). */
const plainYear = (d: Date) => d.getUTCFullYear() >= 1000 && d.getUTCFullYear() <= 9999;

/** `31-12-2024` (nl) / `31/12/2024` (en). */
export function formatDate(iso: string | null | undefined, lang: Lang): string {
  const d = iso ? utcDate(iso) : null;
  if (!d) return DASH;
  // From the Date, as Intl does: an ISO day that does not exist (02-30) rolls over alike.
  if (lang in SEPARATORS && plainYear(d)) return [pad2(d.getUTCDate()), pad2(d.getUTCMonth() + 1), d.getUTCFullYear()].join(lang === 'nl' ? '-' : '/');
  return df(lang, 'date').format(d);
}

/** `dec 2024` (nl) / `Dec 2024` (en). */
export function formatMonth(iso: string | null | undefined, lang: Lang): string {
  const d = iso ? utcDate(iso) : null;
  if (!d) return DASH;
  if (lang in SEPARATORS && plainYear(d)) return `${MONTHS[lang][d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return df(lang, 'month').format(d);
}

/** `K3 2024` (nl) / `Q3 2024` (en) for a quarter's first day. */
export function formatQuarter(iso: string | null | undefined, lang: Lang): string {
  const m = iso ? ISO.exec(iso) : null;
  if (!m) return DASH;
  const q = Math.floor((Number(m[2]) - 1) / 3) + 1;
  return `${lang === 'nl' ? 'K' : 'Q'}${q} ${m[1]}`;
}

export type { ValueKind } from '../../src/serve/contract.js';
import type { ValueKind } from '../../src/serve/contract.js';

/** Formats one table cell by the kind of its column. */
export function formatValue(v: string | number | boolean | null | undefined, kind: ValueKind, lang: Lang, currency = 'EUR'): string {
  if (v === null || v === undefined) return DASH;
  if (typeof v === 'boolean') return v ? (lang === 'nl' ? 'ja' : 'yes') : lang === 'nl' ? 'nee' : 'no';
  switch (kind) {
    case 'money': return formatMoney(v, lang, currency);
    case 'number': return formatNumber(v, lang, 1);
    case 'int': return formatNumber(v, lang, 0);
    case 'pct': return formatPct(v, lang);
    case 'ratio': return formatRatio(v, lang, 2);
    case 'days': return formatDays(v, lang);
    case 'signed': return formatSigned(v, lang, Number.isInteger(Number(v)) ? 0 : 1);
    case 'date': return formatDate(String(v), lang);
    case 'month': return formatMonth(String(v), lang);
    case 'quarter': return formatQuarter(String(v), lang);
    default: return String(v);
  }
}

/** Plots need numbers; tables and CSV keep the exact strings. */
export function toNumber(v: Num): number | null {
  const x = exact(v);
  return x === null ? null : Number(x);
}
