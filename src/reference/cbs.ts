import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './csv.js';

/**
 * Parser for CBS StatLine CSV exports (the national baseline of bankruptcies and firms per SBI
 * section). StatLine writes Dutch thousands separators (`1.918.945`), a `Bron: CBS.` footer and
 * marks provisional periods with `*` (and revised-provisional with `**`); the marks are kept because
 * a provisional figure may still change and must not be read as final.
 */
export const CBS_DIR = fileURLToPath(new URL('./cbs/', import.meta.url));
export const CBS_FILES = {
  bankruptcies: 'table__82244NED.csv',
  firms: 'table__81589NED.csv',
} as const;

export interface CbsPeriod {
  /** As printed, without the marks, e.g. `2020 juli`, `2021 1e kwartaal`. */
  label: string;
  granularity: 'month' | 'quarter' | 'year';
  start: string;
  end: string;
  /** `*` provisional, `**` revised provisional, '' final. */
  mark: '' | '*' | '**';
}

export interface CbsBranch {
  label: string;
  /** `A`, `A-U`, `B-E`, `unknown`, … (the text before the first space, or a slug). */
  code: string;
  /** The single SBI section this row is about, or undefined for aggregates and the unknown row. */
  section?: string;
}

export interface CbsBankruptcyRow {
  debtorType: string;
  branch: CbsBranch;
  period: CbsPeriod;
  bankruptcies: number;
  line: number;
}

export interface CbsFirmsRow {
  branch: CbsBranch;
  period: CbsPeriod;
  /** Column header → count, in file order (total first). */
  counts: Record<string, number>;
  total: number;
  line: number;
}

const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];

/** Dutch integer with `.` as thousands separator; rejects anything else (a decimal comma, text). */
export function parseDutchInteger(raw: string): number {
  const s = raw.trim();
  if (!/^-?\d{1,3}(\.\d{3})*$/.test(s) && !/^-?\d+$/.test(s)) throw new Error(`not a Dutch integer: "${raw}"`);
  return Number(s.replace(/\./g, ''));
}

function iso(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function lastDay(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function parseCbsPeriod(raw: string): CbsPeriod {
  const m = /^(.*?)(\*{0,2})$/.exec(raw.trim())!;
  const label = m[1]!.trim();
  const mark = m[2] as CbsPeriod['mark'];
  const parts = label.split(/\s+/);
  const year = Number(parts[0]);
  if (!/^\d{4}$/.test(parts[0] ?? '')) throw new Error(`unrecognised CBS period "${raw}"`);
  if (parts.length === 1) return { label, granularity: 'year', start: iso(year, 1, 1), end: iso(year, 12, 31), mark };
  const month = MONTHS.indexOf(parts[1]!.toLowerCase());
  if (parts.length === 2 && month >= 0) {
    return { label, granularity: 'month', start: iso(year, month + 1, 1), end: iso(year, month + 1, lastDay(year, month + 1)), mark };
  }
  const q = /^([1-4])e$/.exec(parts[1] ?? '');
  if (parts.length === 3 && q && parts[2] === 'kwartaal') {
    const first = (Number(q[1]) - 1) * 3 + 1;
    return { label, granularity: 'quarter', start: iso(year, first, 1), end: iso(year, first + 2, lastDay(year, first + 2)), mark };
  }
  throw new Error(`unrecognised CBS period "${raw}"`);
}

export function parseCbsBranch(raw: string): CbsBranch {
  const label = raw.trim();
  if (/^SBI-code onbekend$/i.test(label)) return { label, code: 'unknown' };
  const m = /^([A-U](?:-[A-U])?)\s/.exec(label);
  if (m) return { label, code: m[1]!, section: m[1]!.length === 1 ? m[1] : undefined };
  // e.g. "Business Economy, B-N, excl. K, incl. 95": an aggregate without a leading code.
  return { label, code: label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') };
}

function isFooter(fields: string[]): boolean {
  return fields.length === 1 && /^Bron:/i.test(fields[0]!.trim());
}

/** Data records: header dropped, footer (`Bron: CBS.`) dropped, each record checked for width. */
function dataRecords(text: string, width: number, what: string): { line: number; fields: string[]; header: string[] } [] {
  const recs = parseCsv(text);
  const header = recs[0]?.fields ?? [];
  if (header.length !== width) throw new Error(`${what}: expected ${width} columns, header has ${header.length}`);
  const out = [];
  for (const r of recs.slice(1)) {
    if (isFooter(r.fields)) continue;
    if (r.fields.length !== width) throw new Error(`${what} line ${r.line}: expected ${width} fields, found ${r.fields.length}`);
    out.push({ ...r, header });
  }
  return out;
}

/** 82244NED: type of debtor, branch, period, bankruptcies declared. */
export function parseCbsBankruptcies(text: string): CbsBankruptcyRow[] {
  return dataRecords(text, 4, 'CBS bankruptcies').map(({ line, fields }) => ({
    debtorType: fields[0]!.trim(),
    branch: parseCbsBranch(fields[1]!),
    period: parseCbsPeriod(fields[2]!),
    bankruptcies: parseDutchInteger(fields[3]!),
    line,
  }));
}

/** 81589NED: branch, period, then counts (total first, then size classes and legal forms). */
export function parseCbsFirms(text: string): CbsFirmsRow[] {
  const recs = parseCsv(text);
  const width = recs[0]?.fields.length ?? 0;
  if (width < 3) throw new Error('CBS firms: expected branch, period and at least one count column');
  return dataRecords(text, width, 'CBS firms').map(({ line, fields, header }) => {
    const counts: Record<string, number> = {};
    header.slice(2).forEach((h, j) => (counts[h.trim()] = parseDutchInteger(fields[j + 2]!)));
    return { branch: parseCbsBranch(fields[0]!), period: parseCbsPeriod(fields[1]!), counts, total: parseDutchInteger(fields[2]!), line };
  });
}

export function shippedCbsBankruptcies(): CbsBankruptcyRow[] {
  return parseCbsBankruptcies(readFileSync(`${CBS_DIR}${CBS_FILES.bankruptcies}`, 'utf8'));
}

export function shippedCbsFirms(): CbsFirmsRow[] {
  return parseCbsFirms(readFileSync(`${CBS_DIR}${CBS_FILES.firms}`, 'utf8'));
}
