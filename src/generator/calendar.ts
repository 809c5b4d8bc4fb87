/**
 * Dates as integer day numbers (days since 1970-01-01, UTC): arithmetic is exact and cheap, and no
 * local time zone can shift a date. ISO strings are produced only when a row is written.
 */

export type Day = number;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayOf(iso: string): Day {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new Error(`expected a date as YYYY-MM-DD, got "${iso}"`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = t / MS_PER_DAY;
  if (isoOf(day) !== iso) throw new Error(`not a calendar date: "${iso}"`);
  return day;
}

const isoCache = new Map<Day, string>();

/** ISO `YYYY-MM-DD` of a day number (memoised: a ledger uses a few thousand distinct days). */
export function isoOf(day: Day): string {
  let s = isoCache.get(day);
  if (s === undefined) {
    s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (isoCache.size < 100_000) isoCache.set(day, s);
  }
  return s;
}

/** Same day of month `months` later (clamped to the month's last day). */
export function addMonths(day: Day, months: number): Day {
  const d = new Date(day * MS_PER_DAY);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastOfTarget = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastOfTarget)) / MS_PER_DAY;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(day: Day): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** The day itself on Monday-Friday, else the next Monday: documents and bank receipts are weekday events. */
export function businessDayOnOrAfter(day: Day): Day {
  const w = weekday(day);
  return w === 6 ? day + 2 : w === 0 ? day + 1 : day;
}

/** 1-12 month of a day number. */
export function monthOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

/** Day of month (1-31). */
export function dayOfMonth(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCDate();
}
