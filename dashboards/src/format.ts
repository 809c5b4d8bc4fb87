/**
 * Locale formatting for the dashboards. Money arrives as exact decimal strings and is formatted
 * from the string (Intl formats `"1234.56"` exactly), so no amount passes through a float on its
 * way to a label. Pure functions: the same input gives the same text in Node and in the browser.
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

/** `€ 1.234,56` (nl) / `€1,234.56` (en); exact for decimal strings. */
export function formatMoney(v: Num, lang: Lang, currency = 'EUR'): string {
  const x = exact(v);
  if (x === null) return DASH;
  return nf(lang, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x);
}

/** Short money for axes and tiles: `€ 1,2 mln.` (nl) / `€1.2M` (en). */
export function formatMoneyCompact(v: Num, lang: Lang, currency = 'EUR'): string {
  const x = exact(v);
  if (x === null) return DASH;
  return nf(lang, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(x);
}

export function formatNumber(v: Num, lang: Lang, digits = 0): string {
  const x = exact(v);
  if (x === null) return DASH;
  return nf(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** A percentage given on the 0-100 scale (marts store `pct_current = 87.5`). */
export function formatPct(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  return nf(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(x) / 100);
}

/** A ratio given on the 0-1 scale (bad-debt ratio 0.012 → 1.2%). */
export function formatRatio(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  return nf(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

export function formatDays(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
  return `${nf(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x)} ${lang === 'nl' ? 'dagen' : 'days'}`;
}

/** A signed change, e.g. `+1,5` / `−0,3`, so direction reads without colour. */
export function formatSigned(v: Num, lang: Lang, digits = 1): string {
  const x = exact(v);
  if (x === null) return DASH;
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

/** `31-12-2024` (nl) / `31/12/2024` (en). */
export function formatDate(iso: string | null | undefined, lang: Lang): string {
  const d = iso ? utcDate(iso) : null;
  if (!d) return DASH;
  return df(lang, 'date').format(d);
}

/** `dec 2024` (nl) / `Dec 2024` (en). */
export function formatMonth(iso: string | null | undefined, lang: Lang): string {
  const d = iso ? utcDate(iso) : null;
  if (!d) return DASH;
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
