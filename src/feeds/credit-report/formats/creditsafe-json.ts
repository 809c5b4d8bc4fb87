import { z } from 'zod';
import { splitJsonRecords, type JsonChunk } from '../json-records.js';
import { present, sizeClassOf, toInt, type EventInput, type ParseOutput, type ParsedRecord, type Reject } from '../records.js';

/**
 * Creditsafe Connect-style company report (see ../shared/docs/feeds.md), optionally wrapped in
 * `{ "report": … }` as the API returns it. Only the fields the warehouse uses are modelled; others
 * pass through untouched. The report date is `reportDate` or `dateOfOrder`; insolvency events come
 * from `negativeInformation.insolvencies[{ type, date, caseNumber }]`.
 */
const Num = z.union([z.number(), z.string()]);

const Rating = z.looseObject({
  commonValue: z.string().optional(),
  commonDescription: z.string().optional(),
  creditLimit: z.looseObject({ currency: z.string().optional(), value: Num.optional() }).optional(),
  providerValue: z.looseObject({ value: Num.optional(), minValue: Num.optional(), maxValue: Num.optional() }).optional(),
  providerDescription: z.string().optional(),
});

const Insolvency = z.looseObject({
  type: z.string().min(1),
  date: z.string().min(1),
  caseNumber: z.string().optional(),
});

export const CreditsafeReportSchema = z.looseObject({
  companyId: z.string().optional(),
  reportDate: z.string().optional(),
  dateOfOrder: z.string().optional(),
  scorecardVersion: z.string().optional(),
  companySummary: z.looseObject({
    businessName: z.string().min(1),
    country: z.string().optional(),
    companyRegistrationNumber: Num.optional(),
    branchNumber: Num.optional(),
    mainActivity: z
      .looseObject({ code: Num.optional(), description: z.string().optional(), classification: z.string().optional() })
      .optional(),
    companyStatus: z.looseObject({ status: z.string(), description: z.string().optional() }).optional(),
  }),
  companyIdentification: z
    .looseObject({
      basicInformation: z
        .looseObject({
          vatRegistrationNumber: z.string().optional(),
          dunsNumber: Num.optional(),
          legalForm: z.looseObject({ description: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  creditScore: z.looseObject({
    currentCreditRating: Rating,
    previousCreditRating: Rating.optional(),
    latestRatingChangeDate: z.string().optional(),
  }),
  negativeInformation: z.looseObject({ insolvencies: z.array(Insolvency).optional() }).optional(),
  otherInformation: z
    .looseObject({ employeesInformation: z.array(z.looseObject({ numberOfEmployees: Num.optional() })).optional() })
    .optional(),
});
export type CreditsafeReport = z.infer<typeof CreditsafeReportSchema>;

const STATUS: Record<string, string> = {
  active: 'active',
  nonactive: 'inactive',
  inactive: 'inactive',
  insolvent: 'insolvent',
  bankrupt: 'insolvent',
  dissolved: 'dissolved',
};

const EVENT_TYPES: Record<string, string> = {
  bankruptcy: 'bankruptcy',
  faillissement: 'bankruptcy',
  suspensionofpayments: 'suspension_of_payments',
  surseance: 'suspension_of_payments',
  surseancevanbetaling: 'suspension_of_payments',
  wsnp: 'debt_rescheduling',
  debtrescheduling: 'debt_rescheduling',
  dissolution: 'dissolution',
  ontbinding: 'dissolution',
};

const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');

export function sbiVersionOf(classification: string | undefined): string {
  return classification && /2025/.test(classification) ? 'SBI2025' : 'SBI2008';
}

function issuePath(e: z.ZodError): { column: string; detail: string } {
  const i = e.issues[0]!;
  return { column: i.path.join('.'), detail: `${i.path.join('.') || '(root)'}: ${i.message}` };
}

export function toRecord(r: CreditsafeReport, line: number, raw: string): ParsedRecord | Reject {
  const s = r.companySummary;
  const basic = r.companyIdentification?.basicInformation;
  const rating = r.creditScore.currentCreditRating;
  const reportDate = present(r.reportDate ?? r.dateOfOrder);
  if (!reportDate) return { line, column: 'reportDate', reason: 'missing report date', detail: 'reportDate or dateOfOrder is required', raw };
  const employees = r.otherInformation?.employeesInformation?.[0]?.numberOfEmployees;
  const events: EventInput[] = (r.negativeInformation?.insolvencies ?? []).map((i) => ({
    type: EVENT_TYPES[squash(i.type)] ?? i.type,
    date: i.date,
    source: 'creditsafe',
    caseNumber: present(i.caseNumber) ?? null,
  }));
  return {
    line,
    raw,
    company: {
      name: s.businessName.trim(),
      country: present(s.country)?.toUpperCase(),
      kvk: present(s.companyRegistrationNumber),
      branch: present(s.branchNumber),
      vat: present(basic?.vatRegistrationNumber),
      duns: present(basic?.dunsNumber),
      provider: r.companyId ? { provider: 'creditsafe', id: r.companyId } : undefined,
      sbiCode: present(s.mainActivity?.code),
      sbiVersion: s.mainActivity?.code !== undefined ? sbiVersionOf(s.mainActivity.classification) : undefined,
      sizeClass: sizeClassOf(toInt(employees)),
      legalForm: present(basic?.legalForm?.description),
    },
    report: {
      provider: 'creditsafe',
      reportDate,
      score: toInt(rating.providerValue?.value) ?? null,
      scale: 'creditsafe_0_100',
      rating: present(rating.commonValue) ?? null,
      scorecardVersion: present(r.scorecardVersion) ?? null,
      creditLimitAdvice: present(rating.creditLimit?.value) ?? null,
      creditLimitCurrency: present(rating.creditLimit?.currency)?.toUpperCase() ?? null,
      paymentScore: null,
      status: STATUS[squash(s.companyStatus?.status ?? '')] ?? 'unknown',
    },
    events,
  };
}

export function parseCreditsafeJson(text: string): ParseOutput {
  return creditsafeRecords(splitJsonRecords(text).chunks);
}

/** Reports of some of a file's JSON records (../json-stream.ts reads a file a piece at a time). */
export function creditsafeRecords(chunks: readonly JsonChunk[]): ParseOutput {
  const records: ParsedRecord[] = [];
  const rejects: Reject[] = [];
  for (const c of chunks) {
    const raw = c.text.length > 2000 ? `${c.text.slice(0, 2000)}…` : c.text;
    if (c.error !== undefined) {
      rejects.push({ line: c.line, column: '', reason: 'malformed JSON', detail: c.error, raw });
      continue;
    }
    const value = (c.value as { report?: unknown } | null)?.report ?? c.value;
    const parsed = CreditsafeReportSchema.safeParse(value);
    if (!parsed.success) {
      rejects.push({ line: c.line, reason: 'invalid report structure', ...issuePath(parsed.error), raw });
      continue;
    }
    const rec = toRecord(parsed.data, c.line, raw);
    if ('reason' in rec) rejects.push(rec);
    else records.push(rec);
  }
  return { kind: 'reports', records, rejects, warnings: [] };
}
