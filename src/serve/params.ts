import { z } from 'zod';
import { EXPORT_MAX_ROWS, GROUP_FILTERS, PERIODS, PRIORITIES, type Period } from './contract.js';

/**
 * The vocabulary of dashboard parameters. Every slice builds its zod schema from these pieces, so a
 * value that reaches SQL has passed a format check here and, for data-dependent values (segments,
 * countries, as-of dates), an allow-list check against the warehouse (see ./allow-lists.ts).
 */

/** Raw query values as they arrive from node:http or an API Gateway event. */
export type RawQuery = Record<string, string | string[] | undefined>;

export class BadRequest extends Error {
  readonly status = 400;
}

export const LIMITS = {
  maxParams: 16,
  maxKeyLength: 32,
  maxValueLength: 64,
} as const;

const KEY = /^[a-z][a-z0-9_]*$/;
/** Names an object already has (constructor, toString, __proto__, …): never parameters. */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Flattens a raw query into one string per key and rejects what no slice could want: repeated keys,
 * odd key names, too many keys, long values. Runs before zod so hostile input gets a short answer.
 */
export function flattenQuery(query: RawQuery): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  const keys = Object.keys(query);
  if (keys.length > LIMITS.maxParams) throw new BadRequest(`too many parameters (${keys.length}, at most ${LIMITS.maxParams})`);
  for (const key of keys) {
    const shown = key.slice(0, LIMITS.maxKeyLength);
    if (key.length > LIMITS.maxKeyLength || !KEY.test(key) || PROTOTYPE_KEYS.has(key)) throw new BadRequest(`unknown parameter "${shown}"`);
    const value = query[key];
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length !== 1) throw new BadRequest(`parameter "${key}" is given ${value.length} times; give it once`);
    }
    const v = Array.isArray(value) ? value[0]! : value;
    if (v.length > LIMITS.maxValueLength) {
      throw new BadRequest(`parameter "${key}" is too long (${v.length} characters, at most ${LIMITS.maxValueLength})`);
    }
    if (v !== '') out[key] = v;
  }
  return out;
}

export { GROUP_FILTERS, PERIODS, PRIORITIES, type GroupFilter, type Period } from './contract.js';
export const SBI_SECTIONS = 'ABCDEFGHIJKLMNOPQRSTU'.split('');

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
function isCalendarDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Labels from the data (segment names, size classes): letters, digits and a few separators. */
const LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _.&/+-]{0,47}$/u;

export const param = {
  asOf: z.string().refine(isCalendarDate, 'as_of must be a date written YYYY-MM-DD'),
  period: z.enum(PERIODS, { error: `period must be one of ${PERIODS.join(', ')}` }),
  segment: z.string().regex(LABEL, 'segment must be a segment name (letters, digits, spaces)'),
  sbiSection: z.string().regex(/^([A-U]|unknown)$/, 'sbi_section must be one SBI section letter A-U (or unknown)'),
  country: z.string().regex(/^([A-Z]{2}|unknown)$/, 'country must be an ISO 3166 code of two capital letters, e.g. NL'),
  size: z.string().regex(LABEL, 'size must be a size class name (letters, digits)'),
  scoreBand: z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} _+-]{0,23}$/u, 'score_band must be a score band label'),
  priority: z.enum(PRIORITIES, { error: `priority must be one of ${PRIORITIES.join(', ')}` }),
  customerId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,39}$/, 'customer_id must be a customer number (letters, digits, - _ . /)'),
  limit: (max: number) =>
    z
      .string()
      .regex(/^\d{1,6}$/, `limit must be a whole number from 1 to ${max}`)
      .transform(Number)
      .refine((n) => n >= 1 && n <= max, `limit must be a whole number from 1 to ${max}`),
};

/** The `limit` of a list slice: the page asks for its display length, an export for every row. */
export const EXPORT_LIMIT = param.limit(EXPORT_MAX_ROWS).optional();

/** The customer-group filters every page shares, in the order a grouped mart applies them. */
export const groupFilterShape = {
  segment: param.segment.optional(),
  sbi_section: param.sbiSection.optional(),
  country: param.country.optional(),
  size: param.size.optional(),
};


/** Turns zod issues into one message naming each parameter, e.g. `unknown parameter "x"; period: …`. */
export function describeIssues(error: z.ZodError, allowed: readonly string[]): string {
  const parts = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ');
      return `unknown parameter ${keys} (allowed: ${allowed.join(', ') || 'none'})`;
    }
    const name = issue.path.join('.') || 'parameters';
    return issue.message.startsWith(String(issue.path[0] ?? '\u0000')) ? issue.message : `${name}: ${issue.message}`;
  });
  return parts.join('; ');
}

/** Months between a period's first month and the as-of month: both as first-of-month DATE strings. */
export function periodRange(asOf: string, period: Period): { from: string; to: string } {
  const y = Number(asOf.slice(0, 4));
  const m = Number(asOf.slice(5, 7));
  const to = asOf;
  if (period === 'all') return { from: '1900-01-01', to };
  const months = Number(period.slice(0, -1));
  const idx = y * 12 + (m - 1) - (months - 1);
  const fy = Math.floor(idx / 12);
  const fm = (idx % 12) + 1;
  return { from: `${String(fy).padStart(4, '0')}-${String(fm).padStart(2, '0')}-01`, to };
}

/** First day of the month of a date. */
export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** First day of the month `n` months after (negative: before) the month of `date`. */
export function addMonths(date: string, n: number): string {
  const idx = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + n;
  return `${String(Math.floor(idx / 12)).padStart(4, '0')}-${String((idx % 12) + 1).padStart(2, '0')}-01`;
}
