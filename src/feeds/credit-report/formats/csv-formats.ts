import { parseCsvFrom } from '../../../reference/csv.js';
import { dutchAmount, present, sizeClassOf, toInt, type CompanyInput, type ParseOutput, type ParsedRecord, type Reject } from '../records.js';

/**
 * Credit-report CSVs: Graydon-style exports and the generic canonical CSVs (companies.csv,
 * credit_reports.csv, insolvency_events.csv as `creditlake generate` writes them). The delimiter
 * (`,` or `;`) is taken from the header line; the kind of file from its columns.
 */
export const GRAYDON_COLUMNS = [
  'graydon_id', 'kvk_number', 'branch_number', 'company_name', 'country', 'sbi_code', 'legal_form', 'employees',
  'report_date', 'rating', 'probability_of_default', 'credit_flag', 'credit_advice', 'currency', 'payment_score',
  'scorecard_version', 'status', 'insolvency_type', 'insolvency_date',
] as const;

export type CsvKind = 'graydon' | 'canonical-reports' | 'canonical-companies' | 'canonical-events' | 'canonical-identifiers';

export function csvKind(header: readonly string[]): CsvKind | undefined {
  const has = (c: string) => header.includes(c);
  if (has('graydon_id') || (has('rating') && has('credit_advice'))) return 'graydon';
  if (has('event_type')) return 'canonical-events';
  if (has('id_type') && has('id_value') && has('company_key')) return 'canonical-identifiers';
  if (has('report_date') && has('score_scale')) return 'canonical-reports';
  if (has('name') && (has('kvk_number') || has('company_key') || has('vat_number') || has('duns_number'))) return 'canonical-companies';
  return undefined;
}

const GRAYDON_STATUS: Record<string, string> = {
  active: 'active', actief: 'active', inactive: 'inactive', inactief: 'inactive', insolvent: 'insolvent',
  failliet: 'insolvent', bankrupt: 'insolvent', dissolved: 'dissolved', opgeheven: 'dissolved', ontbonden: 'dissolved',
};

const GRAYDON_EVENTS: Record<string, string> = {
  faillissement: 'bankruptcy', bankruptcy: 'bankruptcy', surseance: 'suspension_of_payments',
  suspension_of_payments: 'suspension_of_payments', wsnp: 'debt_rescheduling', debt_rescheduling: 'debt_rescheduling',
  ontbinding: 'dissolution', dissolution: 'dissolution',
};

function graydonRecord(line: number, v: Record<string, string>, raw: string, dutch: boolean): ParsedRecord {
  const rating = present(v.rating)?.toUpperCase();
  const status = present(v.status)?.toLowerCase();
  const insolvency = present(v.insolvency_type)?.toLowerCase();
  return {
    line,
    raw,
    company: {
      name: present(v.company_name),
      country: present(v.country)?.toUpperCase() ?? 'NL',
      kvk: present(v.kvk_number),
      branch: present(v.branch_number),
      provider: present(v.graydon_id) ? { provider: 'graydon', id: v.graydon_id!.trim() } : undefined,
      sbiCode: present(v.sbi_code),
      sbiVersion: present(v.sbi_code) ? 'SBI2008' : undefined,
      sizeClass: sizeClassOf(toInt(v.employees)),
      legalForm: present(v.legal_form),
    },
    report: {
      provider: 'graydon',
      reportDate: v.report_date ?? '',
      score: null,
      // A report without a rating is mapped on its payment score.
      scale: rating ? 'graydon_rating' : 'graydon_payment_score',
      rating: rating ?? null,
      scorecardVersion: present(v.scorecard_version) ?? null,
      creditLimitAdvice: present(dutch ? dutchAmount(v.credit_advice) : v.credit_advice) ?? null,
      creditLimitCurrency: present(v.currency)?.toUpperCase() ?? (present(v.credit_advice) ? 'EUR' : null),
      paymentScore: toInt(v.payment_score) ?? null,
      status: rating === 'D' ? 'insolvent' : (status ? GRAYDON_STATUS[status] ?? status : 'unknown'),
    },
    events: insolvency
      ? [{ type: GRAYDON_EVENTS[insolvency] ?? insolvency, date: v.insolvency_date ?? '', source: 'graydon', caseNumber: null }]
      : [],
  };
}

function canonicalCompany(v: Record<string, string>): CompanyInput {
  const provider = present(v.provider);
  const providerId = present(v.provider_company_id);
  return {
    companyKey: present(v.company_key),
    name: present(v.name),
    country: present(v.country)?.toUpperCase(),
    kvk: present(v.kvk_number),
    branch: present(v.branch_number),
    vat: present(v.vat_number),
    duns: present(v.duns_number),
    provider: provider && providerId ? { provider, id: providerId } : undefined,
    sbiCode: present(v.sbi_code),
    sbiVersion: present(v.sbi_version) ?? (present(v.sbi_code) ? 'SBI2008' : undefined),
    sizeClass: present(v.size_class),
    legalForm: present(v.legal_form),
  };
}

const ID_COLUMN: Record<string, keyof CompanyInput> = { kvk: 'kvk', vat: 'vat', duns: 'duns' };

function canonicalRecord(kind: CsvKind, line: number, v: Record<string, string>, raw: string): ParsedRecord {
  if (kind === 'canonical-identifiers') {
    const type = (v.id_type ?? '').trim().toLowerCase();
    const value = v.id_value ?? '';
    const field = ID_COLUMN[type];
    const company: CompanyInput = field ? { companyKey: present(v.company_key), [field]: value } : { companyKey: present(v.company_key), provider: { provider: type, id: value } };
    return { line, raw, company, events: [] };
  }
  const company = canonicalCompany(v);
  if (kind === 'canonical-companies') return { line, raw, company, events: [] };
  if (kind === 'canonical-events') {
    return {
      line,
      raw,
      company,
      events: [{ eventId: present(v.event_id), type: v.event_type ?? '', date: v.event_date ?? '', source: present(v.source) ?? 'unknown', caseNumber: present(v.case_number) ?? null }],
    };
  }
  const band = toInt(v.common_band);
  return {
    line,
    raw,
    company,
    report: {
      reportId: present(v.report_id),
      provider: present(v.provider) ?? '',
      reportDate: v.report_date ?? '',
      score: toInt(v.score) ?? null,
      scale: present(v.score_scale) ?? '',
      rating: present(v.rating) ?? null,
      commonBand: band ?? null,
      scorecardVersion: present(v.scorecard_version) ?? null,
      creditLimitAdvice: present(v.credit_limit_advice) ?? null,
      creditLimitCurrency: present(v.credit_limit_currency)?.toUpperCase() ?? null,
      paymentScore: toInt(v.payment_score) ?? null,
      status: present(v.company_status) ?? 'unknown',
    },
    events: [],
  };
}

export function parseCreditCsv(text: string): ParseOutput | { error: string } {
  return new CreditCsvReader().push(text);
}

/**
 * A credit-report CSV read piece by piece (./text-chunks.ts cuts the pieces at record ends): the
 * first piece carries the header, which fixes the delimiter and the kind of file; every piece gives
 * its records and rejects, with their line numbers in the whole file.
 */
export class CreditCsvReader {
  private header?: string[];
  private delimiter = ',';
  private kind?: CsvKind;
  private line = 1;

  push(piece: string): ParseOutput | { error: string } {
    let text = piece;
    if (!this.header) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const firstLine = text.slice(0, text.search(/\r?\n|$/));
      this.delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
    }
    const { records: recs, nextLine } = parseCsvFrom(text, this.delimiter, this.line);
    this.line = nextLine;
    let rows = recs;
    if (!this.header) {
      this.header = (recs[0]?.fields ?? []).map((h) => h.trim().toLowerCase());
      rows = recs.slice(1);
      if (this.header.length === 0 || this.header.every((h) => h === '')) return { error: 'file is empty (expected a header line)' };
      this.kind = csvKind(this.header);
      if (!this.kind) {
        return { error: `unrecognised credit-report CSV header (${this.header.slice(0, 8).join(', ')}…): expected a Graydon export or a canonical companies / credit_reports / insolvency_events CSV` };
      }
    }
    const header = this.header;
    const kind = this.kind!;
    const dutch = this.delimiter === ';';
    const records: ParsedRecord[] = [];
    const rejects: Reject[] = [];
    for (const r of rows) {
      const raw = r.fields.join(this.delimiter);
      const width = r.fields.length;
      if (width !== header.length) {
        rejects.push({ line: r.line, column: '', reason: width < header.length ? 'too few columns' : 'too many columns', detail: `${width} fields, header has ${header.length}`, raw });
        continue;
      }
      const values = Object.fromEntries(header.map((h, j) => [h, r.fields[j] ?? '']));
      records.push(kind === 'graydon' ? graydonRecord(r.line, values, raw, dutch) : canonicalRecord(kind, r.line, values, raw));
    }
    const outKind = kind === 'canonical-companies' ? 'companies' : kind === 'canonical-events' ? 'events' : kind === 'canonical-identifiers' ? 'identifiers' : 'reports';
    return { kind: outKind, records, rejects, warnings: [] };
  }
}
