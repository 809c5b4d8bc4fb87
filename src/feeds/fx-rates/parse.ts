import { isIsoDate } from '../../schema/index.js';
import { parseCsv } from '../../reference/csv.js';
import type { Reject } from '../credit-report/records.js';

/**
 * Exchange-rate files, parsed in memory (a full ECB history is ~7,000 lines): the ECB reference-rate
 * layout (eurofxref-hist.csv: `Date,USD,JPY,…` with N/A for a currency not quoted that day, and the
 * daily eurofxref.csv with `16 February 2024` dates and blanks after commas) or the canonical layout
 * (`rate_date,currency,rate`). ECB rates are units per 1 EUR; for another reporting currency R every
 * rate is crossed through R's own column (X per R = X per EUR ÷ R per EUR) and EUR gets 1 ÷ R per EUR,
 * so fx_rates always holds units per 1 unit of the reporting currency.
 */

export interface FxRow {
  rate_date: string;
  currency: string;
  rate: string;
}

export interface FxParse {
  layout: 'ecb' | 'canonical';
  rows: FxRow[];
  rejects: Reject[];
  /** Values read (one per date and currency quoted), rejected ones included. */
  read: number;
  warnings: string[];
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const RATE = /^\d{1,9}(\.\d{1,12})?$/;

function isoDate(text: string): string | undefined {
  const t = text.trim();
  if (isIsoDate(t)) return t;
  const m = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(t);
  const month = m ? MONTHS.indexOf(m[2]!.toLowerCase()) : -1;
  if (!m || month < 0) return undefined;
  const iso = `${m[3]}-${String(month + 1).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** A rate as exact decimal text, at most 12 decimals; crossing keeps 10 significant digits. */
function crossed(x: string, r: string): string {
  return Number((Number(x) / Number(r)).toPrecision(10)).toString();
}

export function parseFxRates(text: string, reportingCurrency: string): FxParse | { error: string } {
  const records = parseCsv(text).filter((r) => r.fields.some((f) => f.trim() !== ''));
  if (records.length === 0) return { error: 'file is empty' };
  const header = records[0]!.fields.map((h) => h.trim());
  const rawOf = (fields: string[]) => fields.join(',');
  const rejects: Reject[] = [];
  const rows: FxRow[] = [];
  const warnings: string[] = [];
  let read = 0;

  if (header[0]?.toLowerCase() === 'rate_date') {
    const at = (n: string) => header.indexOf(n);
    const [d, c, r] = [at('rate_date'), at('currency'), at('rate')];
    if (c < 0 || r < 0) return { error: 'canonical layout needs the columns rate_date, currency, rate' };
    for (const rec of records.slice(1)) {
      read++;
      const date = isoDate(rec.fields[d] ?? '');
      const currency = (rec.fields[c] ?? '').trim();
      const rate = (rec.fields[r] ?? '').trim();
      const reject = (column: string, reason: string, detail: string) => rejects.push({ line: rec.line, column, reason, detail, raw: rawOf(rec.fields) });
      if (!date) reject('rate_date', 'not a date', `rate_date "${rec.fields[d] ?? ''}"`);
      else if (!/^[A-Z]{3}$/.test(currency)) reject('currency', 'currency not a 3-letter ISO 4217 code', `currency "${currency}"`);
      else if (!RATE.test(rate) || Number(rate) <= 0) reject('rate', 'not a positive rate', `rate "${rate}"`);
      else rows.push({ rate_date: date, currency, rate });
    }
    return { layout: 'canonical', rows, rejects, read, warnings };
  }

  if (header[0]?.toLowerCase() !== 'date') {
    return { error: `not an exchange-rate file: expected the ECB layout (Date,USD,JPY,…) or rate_date,currency,rate; the header starts with "${header[0] ?? ''}"` };
  }
  const currencies = header.slice(1).map((h, i) => ({ code: h, col: i + 1 })).filter((h) => h.code !== '');
  const bad = currencies.filter((h) => !/^[A-Z]{3}$/.test(h.code));
  if (bad.length) return { error: `ECB layout: column(s) ${bad.map((b) => `"${b.code}"`).join(', ')} are not ISO 4217 codes` };
  const base = 'EUR';
  const cross = reportingCurrency !== base;
  const rcCol = currencies.find((h) => h.code === reportingCurrency);
  if (cross && !rcCol) return { error: `the reporting currency is ${reportingCurrency}, but this ECB file (rates per EUR) has no ${reportingCurrency} column to cross through` };
  if (cross) warnings.push(`ECB rates are per EUR: crossed through the ${reportingCurrency} column into units per 1 ${reportingCurrency}`);
  for (const rec of records.slice(1)) {
    const date = isoDate(rec.fields[0] ?? '');
    if (!date) {
      rejects.push({ line: rec.line, column: 'Date', reason: 'not a date', detail: `Date "${rec.fields[0] ?? ''}"`, raw: rawOf(rec.fields) });
      read++;
      continue;
    }
    const value = (col: number) => (rec.fields[col] ?? '').trim();
    const rcRate = rcCol ? value(rcCol.col) : '1';
    const rcOk = RATE.test(rcRate) && Number(rcRate) > 0;
    for (const h of currencies) {
      const v = value(h.col);
      if (v === '' || v.toUpperCase() === 'N/A') continue; // not quoted that day
      read++;
      if (!RATE.test(v) || Number(v) <= 0) {
        rejects.push({ line: rec.line, column: h.code, reason: 'not a positive rate', detail: `${h.code} "${v}"`, raw: rawOf(rec.fields) });
        continue;
      }
      if (h.code === reportingCurrency) continue;
      if (!cross) rows.push({ rate_date: date, currency: h.code, rate: v });
      else if (rcOk) rows.push({ rate_date: date, currency: h.code, rate: crossed(v, rcRate) });
    }
    if (cross && rcOk) rows.push({ rate_date: date, currency: base, rate: crossed('1', rcRate) });
  }
  return { layout: 'ecb', rows, rejects, read, warnings };
}
