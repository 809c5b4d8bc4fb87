import { DATE_RANGE } from '../canonical-csv/rules.js';
/**
 * What every provider format is parsed into before validation: one record per report (or per company
 * or insolvency event for the canonical CSVs), still in the provider's own terms (scale, letters),
 * plus rejects for input that could not even be read as a record.
 */
export interface CompanyInput {
  companyKey?: string;
  name?: string;
  country?: string;
  kvk?: string;
  branch?: string;
  vat?: string;
  duns?: string;
  provider?: { provider: string; id: string };
  sbiCode?: string;
  sbiVersion?: string;
  sizeClass?: string;
  legalForm?: string;
}

export interface ReportInput {
  reportId?: string;
  provider: string;
  reportDate: string;
  score?: number | null;
  scale: string;
  rating?: string | null;
  /** A common band the input claims (canonical CSV); checked against the mapping. */
  commonBand?: number | null;
  scorecardVersion?: string | null;
  creditLimitAdvice?: string | null;
  creditLimitCurrency?: string | null;
  paymentScore?: number | null;
  status: string;
}

export interface EventInput {
  eventId?: string;
  type: string;
  date: string;
  source: string;
  caseNumber?: string | null;
}

export interface ParsedRecord {
  /** 1-based line in the source file where the record starts. */
  line: number;
  /** The record as it appeared (for the quarantine `raw_line`). */
  raw: string;
  company: CompanyInput;
  report?: ReportInput;
  events: EventInput[];
}

export interface Reject {
  line: number;
  column: string;
  /** Stable text: rejects are counted per reason. */
  reason: string;
  detail: string;
  raw: string;
}

export interface ParseOutput {
  kind: 'reports' | 'companies' | 'identifiers' | 'events';
  records: ParsedRecord[];
  rejects: Reject[];
  warnings: string[];
}

/** Undefined for empty strings, so optional fields stay absent rather than blank. */
export function present(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/**
 * A calendar date from ISO (`2024-05-01`, `2024-05-01T00:00:00Z`) or Dutch (`01-05-2024`) notation;
 * undefined when it is neither or not a real day.
 */
const dateCache = new Map<string, string | undefined>();

export function toIsoDate(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  // A feed repeats few distinct dates: remember them (bounded).
  if (dateCache.has(raw)) return dateCache.get(raw);
  const iso = parseDate(raw);
  if (dateCache.size < 50_000) dateCache.set(raw, iso);
  return iso;
}

function parseDate(raw: string): string | undefined {
  const s = raw.trim();
  let y: string, m: string, d: string;
  let hit = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (hit) [, y, m, d] = hit as unknown as [string, string, string, string];
  else if ((hit = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s))) [, d, m, y] = hit as unknown as [string, string, string, string];
  else return undefined;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== iso) return undefined;
  // The one date window of every ingest (year 0 is a real ISO string but no ledger date).
  return iso >= DATE_RANGE.min && iso <= DATE_RANGE.max ? iso : undefined;
}

/**
 * An exact money string from a JSON number or `12345.67`; undefined when the text is not an amount
 * with at most two decimals (never rounded). Dutch notation is converted by the CSV reader that
 * knows the file is Dutch (`dutchAmount`), never guessed here: `12.345` is not an amount.
 */
export function toMoney(raw: unknown): string | undefined {
  const s = present(raw);
  if (s === undefined) return undefined;
  const t = s.replace(/\s|€/g, '');
  return /^-?\d{1,16}(\.\d{1,2})?$/.test(t) ? t : undefined;
}

/** Dutch `12.345,67` / `1234,5` / `12.345` → `12345.67` / `1234.5` / `12345`; other text unchanged. */
export function dutchAmount(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const t = raw.trim().replace(/\s|€/g, '');
  if (/^-?\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(t) || /^-?\d+(,\d{1,2})?$/.test(t)) return t.replace(/\./g, '').replace(',', '.');
  return raw;
}

/** Whole number from a JSON number or text; NaN when it is not one (so range checks reject it). */
export function toInt(raw: unknown): number | undefined {
  const s = present(raw);
  if (s === undefined) return undefined;
  return /^-?\d+$/.test(s) ? Number(s) : Number.NaN;
}

/** EU size classes by employees. */
export function sizeClassOf(employees: number | undefined): string | undefined {
  if (employees === undefined || !Number.isFinite(employees) || employees < 0) return undefined;
  if (employees < 10) return 'micro';
  if (employees < 50) return 'small';
  if (employees < 250) return 'medium';
  return 'large';
}
