import { z } from 'zod';

/**
 * Dates a ledger can plausibly hold (issue 12). A date outside the window is a typo (`0201-05-01`,
 * 1924 for 2024) that would make the month-end series run for centuries: DuckDB builds 21,900 month
 * ends, Trino and Athena fail outright (`sequence()` stops at 10,000 entries). Ingest rejects such a
 * row with file, line, column and value, so every engine sees the same ledger.
 */
export const PLAUSIBLE_DATES_DEFAULT = { from: '1990-01-01', years_ahead: 5 } as const;

/** Trino's sequence() holds 10,000 entries: a window longer than this many years could not be built there. */
export const MAX_WINDOW_YEARS = 800;

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const calendarDay = (what: string) =>
  z
    .string()
    .regex(ISO, `${what} as YYYY-MM-DD`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= '1900-01-01' && s <= '2999-12-31';
    }, 'not a calendar date between 1900-01-01 and 2999-12-31');

export interface DateWindow {
  /** First accepted day, YYYY-MM-DD. */
  from: string;
  /** Last accepted day, YYYY-MM-DD. */
  to: string;
}

export interface PlausibleDates {
  from: string;
  to?: string;
  years_ahead: number;
}

/** The window a config names, on `now`'s date: `to` when given, else `years_ahead` years after today. Pure. */
export function dateWindow(p: PlausibleDates = PLAUSIBLE_DATES_DEFAULT, now = new Date()): DateWindow {
  if (p.to) return { from: p.from, to: p.to };
  const to = new Date(Date.UTC(now.getUTCFullYear() + p.years_ahead, now.getUTCMonth(), now.getUTCDate()));
  return { from: p.from, to: to.toISOString().slice(0, 10) };
}

export const PlausibleDatesSchema = z
  .object({
    /** First date a ledger row may carry. */
    from: calendarDay('the first plausible date').default(PLAUSIBLE_DATES_DEFAULT.from),
    /** Last date a ledger row may carry; default `years_ahead` years after the day of the ingest. */
    to: calendarDay('the last plausible date').optional(),
    /** With no `to`: how many years after today dates are still plausible (due dates, contracts). */
    years_ahead: z.number().int().min(0).max(100).default(PLAUSIBLE_DATES_DEFAULT.years_ahead),
  })
  .strict()
  .prefault({})
  .superRefine((p, ctx) => {
    const w = dateWindow(p);
    if (w.to <= w.from) {
      ctx.addIssue({ code: 'custom', path: [p.to ? 'to' : 'from'], message: `the window ${w.from} to ${w.to} is empty: "to" must come after "from"` });
    } else if (Number(w.to.slice(0, 4)) - Number(w.from.slice(0, 4)) > MAX_WINDOW_YEARS) {
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: `the window ${w.from} to ${w.to} spans more than ${MAX_WINDOW_YEARS} years: Trino and Athena build at most 10,000 month ends`,
      });
    }
  });
