import { isIsoDate } from '../../schema/index.js';

/** A statement amount ("1234.5", MT940 "1234,5") as exact text with 2 decimals, or undefined. */
export function money(text: string | undefined, decimalComma = false): string | undefined {
  if (text === undefined) return undefined;
  const t = decimalComma ? text.trim().replace(',', '.') : text.trim();
  const m = /^0*(\d{1,16})(?:\.(\d*))?$/.exec(t);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(2, '0');
  // More than 2 decimals only when the extra ones are zero: a cent is the smallest unit booked.
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) return undefined;
  return `${m[1]}.${frac.slice(0, 2)}`;
}

/** camt dates are xs:date, or xs:dateTime for BookgDt/ValDt/DtTm: the calendar day as given. */
export function isoDay(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const d = text.trim().slice(0, 10);
  return isIsoDate(d) ? d : undefined;
}
