import type { z } from 'zod';
import { COMPANY_STATUSES, CREDIT_PROVIDERS, INSOLVENCY_EVENT_TYPES, companies, creditReports, insolvencyEvents } from '../../schema/credit-tables.js';
import type { TableDef } from '../../schema/table.js';
import { lookupSbi } from '../../reference/sbi.js';
import { CompanyIdentityIndex, identifiersOf, type Identifier } from './identity.js';
import { MAYBE, MemoryKnownReports, type KnownReports } from './known-reports.js';
import { grown, StringTable } from './string-table.js';
import { commonBand, SCORE_SCALES, type ScoreScale } from './scales.js';
import { toIsoDate, toMoney, type ParseOutput, type ParsedRecord, type Reject } from './records.js';

export type CompanyRow = z.infer<typeof companies.schema>;
export type ReportRow = z.infer<typeof creditReports.schema>;
export type EventRow = z.infer<typeof insolvencyEvents.schema>;

/**
 * What the lake already holds, so a batch can be checked against history. `reports` says where each
 * report came from: IN_LAKE, or the file being read and its line (`origin`), so one lookup answers
 * both "already in the lake" and "repeats line N"; its keys are `i:<report_id>` and
 * `k:<provider>|<company_key>|<report_date>` (reportKeysOf). In an ingest they live in a DuckDB table
 * (./known-reports.ts): as JavaScript maps they were 1.1-1.4 GB of heap at 4M invoices.
 */
export interface KnownState {
  index: CompanyIdentityIndex;
  reports: KnownReports;
  /** Insolvency event ids, in typed arrays (./string-table.ts) like the identity index. */
  eventIds: StringTable;
}

/** The two keys a report is known by: its id, and provider, company and date. */
export const reportKeysOf = (r: { report_id: string; provider: string; company_key: string; report_date: string }): [string, string] => [
  `k:${r.provider}|${r.company_key}|${r.report_date}`,
  `i:${r.report_id}`,
];

/** A report committed before the file being read (in the lake, or an earlier file of the run). */
export const IN_LAKE = 0;
const LINES = 1e10;
const origin = (serial: number, line: number) => serial * LINES + line;
let serials = 0;

export function emptyState(): KnownState {
  return { index: new CompanyIdentityIndex(), reports: new MemoryKnownReports(), eventIds: new StringTable() };
}

export interface Normalised {
  companies: CompanyRow[];
  reports: ReportRow[];
  events: EventRow[];
  rejects: Reject[];
  /** Records read (accepted + rejected), as the ingest reports them. */
  read: number;
}

class RecordError extends Error {
  constructor(readonly column: string, readonly reason: string, readonly detail: string) {
    super(reason);
  }
}

const fail = (column: string, reason: string, detail: string): never => {
  throw new RecordError(column, reason, detail);
};

/** Stable reject reasons for identifier problems (the detail keeps the value). */
function idReason(detail: string): { column: string; reason: string } {
  if (/^KvK/.test(detail)) return { column: 'kvk_number', reason: 'invalid KvK number' };
  if (/^branch/.test(detail)) return { column: 'branch_number', reason: 'invalid branch number' };
  if (/^D-U-N-S/.test(detail)) return { column: 'duns_number', reason: 'invalid D-U-N-S number' };
  if (/VAT/.test(detail)) return { column: 'vat_number', reason: 'invalid VAT number' };
  return { column: 'company', reason: 'no company identifier' };
}

function bandReason(detail: string): string {
  if (/out of range|has no numeric score/.test(detail)) return 'score out of range';
  if (/contradicts/.test(detail)) return 'rating contradicts score';
  if (/unknown rating/.test(detail)) return 'unknown rating';
  return 'no score or rating';
}

function checkRow<T>(table: TableDef, row: T): T {
  const r = table.schema.safeParse(row);
  if (!r.success) {
    const i = r.error.issues[0]!;
    fail(String(i.path[0] ?? ''), `invalid ${table.name} row`, `${i.path.join('.')}: ${i.message}`);
  }
  return row;
}

interface Resolved {
  key: string;
  ids: Identifier[];
  company?: CompanyRow;
}

function resolveCompany(rec: ParsedRecord, state: KnownState): Resolved {
  const c = rec.company;
  const idCheck = identifiersOf(c);
  let key: string;
  let ids: Identifier[] = [];
  let branch: string | undefined;
  if (idCheck.ok) {
    ids = idCheck.ids;
    branch = idCheck.branch;
    const r = state.index.lookup(ids);
    if (!r.ok) return fail('company', 'identifier conflict', r.reason);
    if (!r.isNew) {
      key = r.key;
      if (c.companyKey && c.companyKey !== key) fail('company_key', 'company key mismatch', `company_key ${c.companyKey} but the identifiers belong to ${key}`);
    } else {
      // Identifiers not seen before: a new company, or new aliases of the company the record names.
      key = c.companyKey ?? r.key;
    }
  } else if (c.companyKey && !c.kvk && !c.vat && !c.duns && !c.branch) {
    if (!state.index.hasKey(c.companyKey)) fail('company_key', 'unknown company', `company_key ${c.companyKey} is not in the lake or this batch`);
    key = c.companyKey;
  } else {
    const { column, reason } = idReason(idCheck.reason);
    return fail(column, reason, idCheck.reason);
  }

  let sbi: { code: string; version: string } | undefined;
  if (c.sbiCode) {
    const found = lookupSbi(c.sbiCode, c.sbiVersion ?? 'SBI2008');
    if (!found.ok) fail('sbi_code', /version/.test(found.reason) ? 'unsupported SBI version' : 'unknown SBI code', found.reason);
    else sbi = { code: found.code.code, version: found.code.version };
  }
  const isNew = !state.index.hasKey(key) && !ids.some((i) => state.index.keyOf(i));
  if (!c.name && isNew) fail('name', 'unknown company', `${key} is new and the record has no company name`);
  const company: CompanyRow | undefined = c.name
    ? checkRow(companies, {
        company_key: key,
        name: c.name,
        country: c.country ?? (c.kvk ? 'NL' : 'ZZ'),
        kvk_number: ids.find((i) => i.id_type === 'kvk')?.id_value ?? null,
        branch_number: branch ?? null,
        vat_number: ids.find((i) => i.id_type === 'vat')?.id_value ?? null,
        duns_number: ids.find((i) => i.id_type === 'duns')?.id_value ?? null,
        sbi_code: sbi?.code ?? null,
        sbi_version: (sbi?.version as CompanyRow['sbi_version']) ?? null,
        size_class: c.sizeClass ?? null,
        legal_form: c.legalForm ?? null,
      })
    : undefined;
  return { key, ids, company };
}

function reportRow(rec: ParsedRecord, key: string): ReportRow {
  const r = rec.report!;
  const provider = r.provider.toLowerCase();
  if (!(CREDIT_PROVIDERS as readonly string[]).includes(provider)) fail('provider', 'unknown provider', `"${r.provider}" (expected ${CREDIT_PROVIDERS.join(', ')})`);
  const date = toIsoDate(r.reportDate);
  if (!date) fail('report_date', 'invalid report date', `"${r.reportDate}"`);
  if (!(SCORE_SCALES as readonly string[]).includes(r.scale)) fail('score_scale', 'unknown score scale', `"${r.scale}"`);
  const scale = r.scale as ScoreScale;
  // A Graydon report without a rating is banded on its payment score.
  const bandInput = scale === 'graydon_payment_score' && r.score == null ? { scale, score: r.paymentScore } : { scale, score: r.score, rating: r.rating };
  const band = commonBand(bandInput);
  if (!band.ok) return fail(bandInput.score != null ? 'score' : 'rating', bandReason(band.reason), band.reason);
  if (r.commonBand != null && r.commonBand !== band.band) {
    fail('common_band', 'common band mismatch', `common_band ${r.commonBand} but ${scale} ${r.score ?? r.rating} maps to ${band.band ?? 'not rated'}`);
  }
  if (r.paymentScore != null && !(Number.isInteger(r.paymentScore) && r.paymentScore >= 0 && r.paymentScore <= 100)) {
    fail('payment_score', 'score out of range', `payment score ${r.paymentScore} out of range 0-100`);
  }
  let limit: string | null = null;
  if (r.creditLimitAdvice != null) {
    limit = toMoney(r.creditLimitAdvice) ?? null;
    if (limit === null || limit.startsWith('-')) fail('credit_limit_advice', 'invalid amount', `"${r.creditLimitAdvice}"`);
  }
  let status = r.status.toLowerCase();
  if (band.insolvent) status = 'insolvent';
  if (!(COMPANY_STATUSES as readonly string[]).includes(status)) fail('company_status', 'unknown company status', `"${r.status}"`);
  return checkRow(creditReports, {
    report_id: r.reportId ?? `${provider}-${key}-${date}`,
    company_key: key,
    provider: provider as ReportRow['provider'],
    report_date: date!,
    score: r.score ?? null,
    score_scale: scale,
    rating: r.rating ?? null,
    common_band: band.band,
    scorecard_version: r.scorecardVersion ?? null,
    credit_limit_advice: limit,
    credit_limit_currency: limit === null ? null : (r.creditLimitCurrency ?? 'EUR'),
    payment_score: r.paymentScore ?? null,
    company_status: status as ReportRow['company_status'],
  });
}

function eventRows(rec: ParsedRecord, key: string): EventRow[] {
  return rec.events.map((e) => {
    if (!(INSOLVENCY_EVENT_TYPES as readonly string[]).includes(e.type)) fail('event_type', 'unknown insolvency event type', `"${e.type}"`);
    const date = toIsoDate(e.date);
    if (!date) fail('event_date', 'invalid event date', `"${e.date}"`);
    return checkRow(insolvencyEvents, {
      event_id: e.eventId ?? `${key}-${e.type}-${date}`,
      company_key: key,
      event_type: e.type as EventRow['event_type'],
      event_date: date!,
      source: e.source,
      case_number: e.caseNumber ?? null,
    });
  });
}

/**
 * Validates parsed records against the reference data and the lake's history and turns them into
 * canonical rows. A record is accepted or rejected as a whole; accepted records update `state`, so
 * later records (and later files of the same run) see them.
 */
export async function normalise(parsed: ParseOutput, state: KnownState): Promise<Normalised> {
  const n = new Normaliser(parsed.kind, state);
  const part = await n.add(parsed);
  return { companies: latestCompanies(part.companies), reports: part.reports, events: part.events, rejects: part.rejects, read: n.read };
}

/**
 * A company row a record brought, in the order the records came (`seq`), with the date of its report
 * ('' without one). A file gives one row per company: the candidate with the latest date, the later
 * one on a tie, placed where the company first appeared (`latestCompanies`; in an ingest the same
 * choice is made by DuckDB over a scratch file, lake-io.ts `writeParquet`).
 */
export interface CompanyCandidate {
  row: CompanyRow;
  seq: number;
  date: string;
}

/** One row per company from a file's candidates (see CompanyCandidate). */
export function latestCompanies(candidates: readonly CompanyCandidate[]): CompanyRow[] {
  const at = new Map<string, CompanyCandidate>();
  for (const c of candidates) {
    const prev = at.get(c.row.company_key);
    if (!prev || c.date >= prev.date) at.set(c.row.company_key, c);
  }
  return [...at.values()].map((c) => c.row);
}

/** An ISO date (or '') as a number that orders the same way: 2024-05-01 → 20240501, '' → 0. */
const dateNumber = (d: string) => (d === '' ? 0 : Number(d.slice(0, 4)) * 10_000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10)));

/**
 * `normalise` for one file read piece by piece: `add` validates a piece and returns its accepted
 * reports, events and company rows and its rejects (the caller writes them out and lets them go);
 * what spans pieces stays here — the latest report date per company (typed array), counts — or in
 * `state`.
 */
export class Normaliser {
  read = 0;
  /** Tells this file's reports from earlier ones in the state's report maps. */
  private readonly serial = ++serials;
  /**
   * Per company number (CompanyIdentityIndex.companyId), the latest report date (dateNumber) of the
   * company rows passed on so far, -1 for none: a row dated earlier than one already passed on can
   * never be the file's row, so it is dropped here and the rest are chosen among outside the heap.
   * 4 bytes a company; a Map of one row per company held 3.8M rows at 100M invoices.
   */
  private latest = new Int32Array(1 << 12).fill(-1);
  /** Companies without a number (none in practice: an accepted record's key always has an identifier). */
  private readonly latestByKey = new Map<string, number>();
  private candidates = 0;
  /** Distinct companies this file gives a row for. */
  companiesCount = 0;
  /** Records rejected so far (the rejects themselves go out with each piece). */
  rejected = 0;

  constructor(private readonly kind: ParseOutput['kind'], private readonly state: KnownState) {}

  /**
   * Validates one piece. Its rejects come back sorted by line, the piece's parse rejects and record
   * rejects together: pieces follow each other through the file, so the pieces' rejects in turn are
   * the file's in line order, and a file of rejects (a re-delivered history) is never held at once.
   */
  async add(parsed: ParseOutput): Promise<{ reports: ReportRow[]; events: EventRow[]; companies: CompanyCandidate[]; rejects: Reject[] }> {
    const { state, serial } = this;
    const out = { reports: [] as ReportRow[], events: [] as EventRow[], companies: [] as CompanyCandidate[], rejects: [...parsed.rejects] };
    this.read += parsed.records.length + parsed.rejects.length;
    // Keys only the lake's table can answer for (a fingerprint matched), looked up for this piece.
    const looked = new Map<string, number | undefined>();
    const known = (k: string) => {
      const v = state.reports.peek(k);
      return v === MAYBE ? looked.get(k) : v;
    };
    const records = parsed.records;
    for (let at = 0; at < records.length; at++) {
      const rec = records[at]!;
      try {
        const { key, ids, company } = resolveCompany(rec, state);
        const report = rec.report ? reportRow(rec, key) : undefined;
        const events = eventRows(rec, key);
        if (report) {
          const keys = reportKeysOf(report);
          if (keys.some((k) => state.reports.peek(k) === MAYBE && !looked.has(k))) await this.lookUp(records, at, looked);
          const origins = keys.map(known);
          const seen = origins.find((o) => o !== undefined && Math.floor(o / LINES) === serial);
          if (seen !== undefined) fail('report_id', 'duplicate report', `${report.provider} report of ${key} on ${report.report_date} repeats line ${seen % LINES}`);
          if (origins.some((o) => o !== undefined)) {
            fail('report_id', 'duplicate report', `${report.provider} report of ${key} on ${report.report_date} is already in the lake`);
          }
        }
        const fresh = events.filter((e) => !state.eventIds.has(e.event_id));
        if (this.kind === 'events' && fresh.length < events.length) {
          fail('event_id', 'duplicate event', `${events[0]!.event_type} of ${key} on ${events[0]!.event_date} is already known`);
        }
        // Accepted: record it everywhere.
        if (ids.length) state.index.register(ids, key);
        if (report) {
          for (const k of reportKeysOf(report)) {
            state.reports.add(k, origin(serial, rec.line));
            looked.set(k, origin(serial, rec.line));
          }
          out.reports.push(report);
        }
        for (const e of fresh) {
          state.eventIds.add(e.event_id);
          out.events.push(e);
        }
        if (company) {
          // One row per company per batch: the one from its latest report.
          const date = report?.report_date ?? '';
          if (this.isLatest(key, dateNumber(date))) out.companies.push({ row: company, seq: this.candidates++, date });
        }
      } catch (e) {
        if (!(e instanceof RecordError)) throw e;
        out.rejects.push({ line: rec.line, column: e.column, reason: e.reason, detail: e.detail, raw: rec.raw });
      }
    }
    await state.reports.settle();
    out.rejects.sort((a, b) => a.line - b.line);
    this.rejected += out.rejects.length;
    return out;
  }

  /**
   * Looks up, in one query, the keys the lake's table must answer for: those of the record at `from`
   * and of every later record of the piece as they resolve now (a record may resolve otherwise once
   * earlier ones are accepted: its keys are then looked up when it is reached). A new report's keys
   * match no fingerprint, so a piece without repeats asks nothing.
   */
  private async lookUp(records: readonly ParsedRecord[], from: number, looked: Map<string, number | undefined>): Promise<void> {
    const ask = new Set<string>();
    for (let at = from; at < records.length; at++) {
      const rec = records[at]!;
      if (!rec.report) continue;
      let keys: string[];
      try {
        keys = reportKeysOf(reportRow(rec, resolveCompany(rec, this.state).key));
      } catch (e) {
        if (!(e instanceof RecordError)) throw e;
        continue;
      }
      for (const k of keys) if (this.state.reports.peek(k) === MAYBE && !looked.has(k)) ask.add(k);
    }
    const found = await this.state.reports.find([...ask]);
    for (const k of ask) looked.set(k, found.get(k));
  }

  /** Whether a company row of `key` dated `date` may be the file's row (records it as the latest so far). */
  private isLatest(key: string, date: number): boolean {
    const id = this.state.index.companyId(key);
    let prev: number;
    if (id < 0) prev = this.latestByKey.get(key) ?? -1;
    else {
      if (id >= this.latest.length) {
        let size = this.latest.length * 2;
        while (size <= id) size *= 2;
        const next = grown(this.latest, size);
        next.fill(-1, this.latest.length);
        this.latest = next;
      }
      prev = this.latest[id]!;
    }
    if (date < prev) return false;
    if (prev < 0) this.companiesCount++;
    if (id < 0) this.latestByKey.set(key, date);
    else this.latest[id] = date;
    return true;
  }
}
