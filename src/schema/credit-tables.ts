import { col } from './columns.js';
import { defineTable, type TableDef } from './table.js';
import { SCORE_SCALES } from '../feeds/credit-report/scales.js';
import { ID_TYPES } from '../feeds/credit-report/identity.js';
import { SBI_VERSIONS } from '../reference/sbi.js';

/**
 * Canonical tables of the credit-report feed. Reports and insolvency events are append-only: a new
 * report is a new row with its own report_id, so the score history per company is kept.
 */
export const CREDIT_PROVIDERS = ['creditsafe', 'graydon', 'dnb', 'other'] as const;
export const COMPANY_STATUSES = ['active', 'insolvent', 'dissolved', 'inactive', 'unknown'] as const;
export const INSOLVENCY_EVENT_TYPES = ['bankruptcy', 'suspension_of_payments', 'debt_rescheduling', 'dissolution'] as const;

export const companies = defineTable({
  name: 'companies',
  description: 'Companies known from credit reports (customers and prospects), one row per resolved company key.',
  key: ['company_key'],
  shape: {
    company_key: col.text('Resolved company key (e.g. NL-KVK-12345678): one key for all identifiers of a company'),
    name: col.text('Registered company name'),
    country: col.text('ISO 3166-1 alpha-2 country code'),
    kvk_number: col.optional(col.text('Dutch Chamber of Commerce (KvK) number, 8 digits')),
    branch_number: col.optional(col.text('KvK branch number (vestigingsnummer), 12 digits')),
    vat_number: col.optional(col.text('VAT identification number')),
    duns_number: col.optional(col.text('Dun & Bradstreet D-U-N-S number, 9 digits')),
    sbi_code: col.optional(col.text('Main activity code, digits only (e.g. 6201)')),
    sbi_version: col.optional(col.oneOf(SBI_VERSIONS, 'Classification version of sbi_code: SBI2008 or SBI2025')),
    size_class: col.optional(col.text('Size class by employees (micro, small, medium, large)')),
    legal_form: col.optional(col.text('Legal form (e.g. BV, NV, eenmanszaak, VOF)')),
  },
});

export const companyIdentifiers = defineTable({
  name: 'company_identifiers',
  description: 'Every identifier seen for a company (KvK, VAT, D-U-N-S, provider ids) and the key it resolves to.',
  key: ['id_type', 'id_value'],
  shape: {
    id_type: col.oneOf(ID_TYPES, 'kvk, vat, duns, creditsafe, graydon, dnb or provider'),
    id_value: col.text('Identifier as validated (digits only for KvK and D-U-N-S)'),
    company_key: col.text('Company the identifier belongs to'),
  },
});

export const creditReports = defineTable({
  name: 'credit_reports',
  description: 'Credit reports bought from providers; a new report adds a row (score history per company).',
  key: ['report_id'],
  shape: {
    report_id: col.text('Report identifier: provider-company_key-report_date'),
    company_key: col.text('Company the report is about'),
    provider: col.oneOf(CREDIT_PROVIDERS, 'creditsafe, graydon, dnb or other'),
    report_date: col.date('Date the provider issued the report'),
    score: col.optional(col.int('Provider score on score_scale (e.g. Creditsafe 0-100, D&B failure percentile)')),
    score_scale: col.oneOf(SCORE_SCALES, 'Scale of score and rating (see ref_score_bands)'),
    rating: col.optional(col.text('Provider rating or band as printed (Creditsafe A-E, Graydon AAA-D)')),
    common_band: col.optional(col.int('Common risk band 1 (very low) to 5 (very high); empty = not rated')),
    scorecard_version: col.optional(col.text('Provider scorecard version (scores of different versions do not compare)')),
    credit_limit_advice: col.optional(col.money('Credit limit the provider advises')),
    credit_limit_currency: col.optional(col.text('ISO 4217 currency of credit_limit_advice')),
    payment_score: col.optional(col.int('Payment behaviour score 0-100 (Graydon), higher = pays better')),
    company_status: col.oneOf(COMPANY_STATUSES, 'Company status in the report: active, insolvent, dissolved, inactive, unknown'),
  },
});

export const insolvencyEvents = defineTable({
  name: 'insolvency_events',
  description: 'Insolvency register events (faillissement, surseance, WSNP, dissolution) per company.',
  key: ['event_id'],
  shape: {
    event_id: col.text('Event identifier: company_key-event_type-event_date'),
    company_key: col.text('Company the event is about'),
    event_type: col.oneOf(INSOLVENCY_EVENT_TYPES, 'bankruptcy, suspension_of_payments, debt_rescheduling or dissolution'),
    event_date: col.date('Date of the court ruling or publication'),
    source: col.text('Where the event came from (CIR register, provider name, generator)'),
    case_number: col.optional(col.text('Insolvency register case number, if known')),
  },
});

/** Tables of the credit-report feed, in load order. */
export const CREDIT_TABLES: readonly TableDef[] = [companies, companyIdentifiers, creditReports, insolvencyEvents];
