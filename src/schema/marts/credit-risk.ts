import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable, type TableDef } from '../table.js';

/**
 * Marts of the credit-report feed (issue 4): shipped reference data, bankruptcy rates by industry,
 * customer risk, priorities for sales and marketing, and risk alerts. SQL in sql/marts/<name>.sql;
 * rules and formulas in docs/metrics-credit-risk.md.
 */
export const PRIORITIES = ['grow', 'keep', 'watch', 'restrict'] as const;
export const CUSTOMER_PRIORITY_RULES = [
  'insolvent', 'high_risk_band', 'very_late_payer', 'over_limit', 'band_worsened', 'moderate_band', 'late_payer', 'risky_industry', 'grow', 'keep',
] as const;
export const SEGMENT_PRIORITY_RULES = [
  'high_risk_band', 'insolvencies', 'very_late_payers', 'moderate_band', 'late_payers', 'risky_industry', 'no_headroom', 'grow', 'keep',
] as const;
export const ALERT_REASONS = ['score_drop', 'band_worsened', 'insolvency_event', 'over_limit', 'industry_rate_rising'] as const;

/** Branch and period of a CBS StatLine row, the same in both CBS reference tables. */
const cbsBranchPeriodColumns = {
  branch_label: col.text('Branch as CBS prints it'),
  sbi_section: col.optional(col.text('Section letter when the row is one section')),
  period_label: col.text('Period as CBS prints it, without the marks'),
  period_type: col.text('month, quarter or year'),
  period_start: col.date('First day of the period'),
  period_end: col.date('Last day of the period'),
  provisional_mark: col.text("'*' provisional, '**' revised provisional, '' final"),
};

/** Twelve-month revenue and its growth, per customer or summed per segment. */
const revenueColumns = {
  revenue_t12m: col.money('Credit sales in the 12 months to as_of_date'),
  revenue_prev_t12m: col.money('Credit sales in the 12 months before those'),
  revenue_growth: col.optional(col.number('revenue_t12m / revenue_prev_t12m - 1')),
};

/** The 12-month bankruptcy rate of the customer's or segment's industry, beside the all-industry rate. */
const industryRateColumns = {
  industry_rate_per_1000: col.optional(col.number("Industry's 12-month bankruptcy rate per 1,000 monitored companies")),
  overall_rate_per_1000: col.optional(col.number('All industries, same measure')),
};

export const refSbiSections = defineTable({
  name: 'ref_sbi_sections',
  description: 'SBI 2008 sections A-U with their KvK and CBS names and divisions (reference data, apollor, CC0).',
  key: ['sbi_version', 'sbi_section'],
  shape: {
    sbi_version: col.text('Classification version (SBI2008)'),
    sbi_section: col.text('Section letter A-U'),
    name: col.text('Section name as the KvK lists it'),
    cbs_name: col.text('Section name as CBS StatLine prints it'),
    divisions: col.text('Divisions (first two digits of a code) in the section, comma-separated'),
  },
});

export const refSbiCodes = defineTable({
  name: 'ref_sbi_codes',
  description: 'Every SBI 2008 activity code the KvK uses, with level, division and section (reference data).',
  key: ['sbi_version', 'sbi_code'],
  shape: {
    sbi_version: col.text('Classification version (SBI2008)'),
    sbi_code: col.text('Code, digits only (e.g. 6201)'),
    sbi_code_dotted: col.text('Code as printed (e.g. 62.01)'),
    description: col.text('Dutch description'),
    level: col.text('division, group, class or subclass'),
    sbi_division: col.text('Division: the first two digits'),
    sbi_section: col.text('Section letter A-U'),
  },
});

export const refScoreBands = defineTable({
  name: 'ref_score_bands',
  description: 'Mapping of every provider score scale to the common 5-band risk scale (src/feeds/credit-report/scales.ts).',
  key: ['score_scale', 'note'],
  shape: {
    score_scale: col.text('Provider scale (creditsafe_0_100, graydon_rating, graydon_payment_score, dnb_failure_percentile, common_1_5)'),
    rating: col.optional(col.text('Letter rating the rule applies to (Creditsafe A-E, Graydon AAA-D)')),
    min_score: col.optional(col.int('Lowest score of the rule (inclusive)')),
    max_score: col.optional(col.int('Highest score of the rule (inclusive)')),
    common_band: col.optional(col.int('Common band 1 (very low risk) to 5 (very high risk); empty = not rated')),
    common_band_label: col.text('Label of the common band'),
    insolvent: col.boolean('The rating itself means insolvent (Graydon D)'),
    note: col.text('What the provider band means'),
  },
});

export const refCbsBankruptcies = defineTable({
  name: 'ref_cbs_bankruptcies',
  description: 'CBS StatLine 82244NED: bankruptcies declared per month, SBI section and type of debtor (CC BY 4.0, Bron: CBS).',
  key: ['debtor_type', 'branch_code', 'period_start'],
  shape: {
    debtor_type: col.text('Type of debtor as CBS names it (all; companies and institutions; natural persons with a sole proprietorship)'),
    branch_code: col.text("CBS branch: a section letter, an aggregate such as 'A-U', or 'unknown'"),
    ...cbsBranchPeriodColumns,
    bankruptcies: col.int('Bankruptcies declared'),
  },
});

export const refCbsFirms = defineTable({
  name: 'ref_cbs_firms',
  description: 'CBS StatLine 81589NED: number of firms per SBI section, 2021 Q1 (CC BY 4.0, Bron: CBS).',
  key: ['branch_code', 'period_start'],
  shape: {
    branch_code: col.text("CBS branch: a section letter or an aggregate such as 'A-U'"),
    ...cbsBranchPeriodColumns,
    firms: col.int('Number of firms (rounded to 5 by CBS)'),
    natural_persons: col.optional(col.int('Firms owned by natural persons')),
    legal_entities: col.optional(col.int('Firms that are legal entities')),
  },
});

export const bankruptcyRatesByIndustry = defineTable({
  name: 'bankruptcy_rates_by_industry',
  description: "Bankruptcies per 1,000 monitored companies per month/quarter/year and SBI section (and division), with 'ALL' totals, the CBS national rate and our exposure.",
  key: ['period_type', 'period_start', 'sbi_section', 'sbi_division'],
  shape: {
    period_type: col.oneOf(['month', 'quarter', 'year'], 'month, quarter or year'),
    period_start: col.date('First day of the period'),
    period_end: col.date('Last day of the period'),
    period_complete: col.boolean('False when the period runs past the last credit-report data'),
    is_complete: col.boolean('Same as period_complete, under the name every time-bucketed mart uses'),
    sbi_section: col.text("SBI 2008 section, 'unknown', or 'ALL' for the total"),
    sbi_division: col.text("Division (first two digits) or 'ALL' for the section row"),
    monitored_at_start: col.bigint('Companies with a credit report, monitored and active at the start of the period'),
    bankruptcies: col.bigint('Of those, companies declared bankrupt in the period'),
    customer_bankruptcies: col.bigint('Of the bankruptcies, companies that are our customers'),
    rate_per_1000: col.optional(col.number('bankruptcies / monitored_at_start x 1,000 (empty when none monitored)')),
    prev_rate_per_1000: col.optional(col.number('Rate of the previous period of the same type and group')),
    rate_change_per_1000: col.optional(col.number('rate_per_1000 - prev_rate_per_1000 (trend)')),
    national_rate_per_1000: col.optional(col.number('CBS: bankruptcies of the section in the period / firms of the section x 1,000, where CBS covers every month of the period')),
    national_provisional: col.optional(col.boolean('The CBS figures of the period are (partly) provisional')),
    national_baseline_per_1000: col.optional(col.number('CBS mean monthly rate of the section x months in the period (national baseline for any period)')),
    national_baseline_period: col.optional(col.text('CBS months the baseline is taken from, with provisional marks')),
    open_ar_at_bankruptcy: col.money('Open AR of our customers among the bankrupt companies at their bankruptcy dates'),
    written_off: col.money('Written off from those customers on or after their bankruptcy dates'),
  },
});

export const customerRisk = defineTable({
  name: 'customer_risk',
  description: 'Credit risk per customer at every month end: latest scores and bands, their changes, limit advice vs our limit, AR, days late, insolvency.',
  key: ['as_of_date', 'customer_id'],
  // Read one month end at a time: small row groups, so a page decodes about one month (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    as_of_date: col.date('Month end'),
    customer_id: col.text('ERP debtor number'),
    company_key: col.optional(col.text('Credit-report company matched on KvK, else VAT number')),
    sbi_section: col.text("SBI 2008 section of the company ('unknown' when not matched or not coded)"),
    size_class: col.text('Size class (credit report, else ERP)'),
    provider: col.optional(col.text('Provider of the latest report on or before as_of_date')),
    report_date: col.optional(col.date('Date of that report')),
    score: col.optional(col.int('Its numeric score (empty for Graydon ratings)')),
    score_scale: col.optional(col.text('Its scale')),
    rating: col.optional(col.text('Its letter rating')),
    common_band: col.optional(col.int('Its common band 1-5 (empty = not rated)')),
    common_band_label: col.text("Label of the common band ('not rated' when none)"),
    creditsafe_band: col.optional(col.int('Common band of the latest Creditsafe report')),
    graydon_band: col.optional(col.int('Common band of the latest Graydon report')),
    dnb_band: col.optional(col.int('Common band of the latest D&B report')),
    score_change_3m: col.optional(col.int('Score now - 3 months earlier, same provider and scorecard version')),
    score_change_12m: col.optional(col.int('Score now - 12 months earlier, same provider and scorecard version')),
    band_change_3m: col.optional(col.int('Common band now - 3 months earlier, same provider (positive = riskier)')),
    band_change_12m: col.optional(col.int('Common band now - 12 months earlier, same provider (positive = riskier)')),
    credit_limit_advice: col.optional(col.money("Provider's credit limit advice in the latest report")),
    credit_limit: col.optional(col.money("Our credit limit (ERP) in the reporting currency: one kept in another currency converted at the month end's closing rate")),
    limit_advice_gap: col.optional(col.money('credit_limit_advice - credit_limit (negative = we allow more than advised)')),
    open_ar: col.money('Open AR at as_of_date (ar_open_items, unapplied cash included)'),
    overdue_ar: col.money('Part of open_ar past its due date'),
    max_days_past_due: col.optional(col.int('Days past due of the oldest open item')),
    avg_days_late_12m: col.optional(col.number('Mean days late of invoices settled in the 12 months to as_of_date')),
    over_limit: col.boolean('open_ar above credit_limit'),
    insolvency_flag: col.boolean('Insolvency event on or before as_of_date, or an insolvent latest report'),
    insolvency_event: col.optional(col.text('First insolvency event type (bankruptcy, suspension_of_payments, debt_rescheduling)')),
    insolvency_date: col.optional(col.date('Its date')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});

export const customerPriority = defineTable({
  name: 'customer_priority',
  description: 'Priority per customer at every month end for sales and marketing (grow, keep, watch, restrict) with the deciding rule and reason, ranked.',
  key: ['as_of_date', 'customer_id'],
  // Read one month end at a time: small row groups, so a page decodes about one month (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    as_of_date: col.date('Month end'),
    customer_id: col.text('ERP debtor number'),
    priority_rank: col.int('Rank at as_of_date: grow, keep, watch, restrict, then 12-month revenue, largest first'),
    priority: col.oneOf(PRIORITIES, 'grow, keep, watch or restrict'),
    priority_rule: col.oneOf(CUSTOMER_PRIORITY_RULES, 'The first rule that matched (docs/metrics-credit-risk.md)'),
    reason: col.text('The rule in words, with the customer figures that triggered it'),
    company_key: col.optional(col.text('Credit-report company')),
    sbi_section: col.text('SBI 2008 section'),
    size_class: col.text('Size class'),
    common_band: col.optional(col.int('Common band of the latest report')),
    common_band_label: col.text('Label of the common band'),
    band_change_3m: col.optional(col.int('Common band change over 3 months (positive = riskier)')),
    score_change_3m: col.optional(col.int('Score change over 3 months, same provider and scorecard')),
    ...revenueColumns,
    avg_days_late_12m: col.optional(col.number('Mean days late of invoices settled in 12 months')),
    open_ar: col.money('Open AR'),
    credit_limit: col.optional(col.money('Our credit limit')),
    headroom: col.optional(col.money('credit_limit - open_ar')),
    over_limit: col.boolean('open_ar above credit_limit'),
    ...industryRateColumns,
    industry_rising: col.boolean('Industry rate >= cr_industry_rise_factor x its rate three months earlier'),
    insolvency_flag: col.boolean('Insolvent on or before as_of_date'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});

export const segmentPriority = defineTable({
  name: 'segment_priority',
  description: 'Priority per segment (SBI section x size class x common score band) at every month end, with its figures and the reason.',
  key: ['as_of_date', 'sbi_section', 'size_class', 'common_band_label'],
  shape: {
    as_of_date: col.date('Month end'),
    sbi_section: col.text('SBI 2008 section'),
    size_class: col.text('Size class'),
    common_band_label: col.text("Common score band of the customers' latest reports ('not rated' when none)"),
    common_band: col.optional(col.int('Common band 1-5 (empty = not rated)')),
    priority: col.oneOf(PRIORITIES, 'grow, keep, watch or restrict'),
    priority_rule: col.oneOf(SEGMENT_PRIORITY_RULES, 'The first rule that matched (docs/metrics-credit-risk.md)'),
    reason: col.text('The rule in words, with the segment figures that triggered it'),
    customers: col.bigint('Customers in the segment'),
    grow_customers: col.bigint('Of them, with customer priority grow'),
    restrict_customers: col.bigint('Of them, with customer priority restrict'),
    insolvent_customers: col.bigint('Of them, insolvent'),
    ...revenueColumns,
    mean_common_band: col.optional(col.number('Mean common band of the rated customers')),
    mean_days_late_12m: col.optional(col.number("Mean of the customers' mean days late (12 months)")),
    ...industryRateColumns,
    open_ar: col.money('Open AR'),
    credit_limit: col.optional(col.money('Sum of credit limits')),
    headroom: col.optional(col.money('Sum of credit_limit - open_ar over customers with a limit')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});

export const riskAlerts = defineTable({
  name: 'risk_alerts',
  description: 'Risk alerts as data: one row per customer, date and reason (score drop, band worsened, insolvency, over limit, industry rate rising).',
  key: ['customer_id', 'alert_date', 'reason'],
  // Read a few months of alert dates at a time (sorted by alert_date): small row groups (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    customer_id: col.text('ERP debtor number'),
    alert_date: col.date('Date of the report, event or month end that raised the alert'),
    reason: col.oneOf(ALERT_REASONS, 'score_drop, band_worsened, insolvency_event, over_limit or industry_rate_rising'),
    company_key: col.optional(col.text('Credit-report company')),
    provider: col.optional(col.text('Provider or register the alert came from')),
    detail: col.text('What changed, e.g. "creditsafe score 64 -> 45"'),
    alerts: col.bigint('Alerts of this reason on this day (e.g. two providers)'),
    value_before: col.optional(col.number('score_drop: the previous score; band_worsened: the previous common band')),
    value_after: col.optional(col.number('score_drop: the new score; band_worsened: the new band; industry_rate_rising: the industry bankruptcy rate per 1,000 (12 months)')),
    open_ar: col.optional(col.money('over_limit: open AR at the month end')),
    credit_limit: col.optional(col.money('over_limit: the credit limit it went above')),
    subject: col.optional(col.text('insolvency_event: the event type (bankruptcy …); industry_rate_rising: the SBI section')),
    reference: col.optional(col.text('insolvency_event: the register case number, if known')),
    is_complete: col.boolean('False for a month-end alert (over_limit, industry_rate_rising) raised in a partial month, at its data end; true for reports and register events'),
  },
});

export const CREDIT_RISK_MARTS: readonly TableDef[] = [
  refSbiSections, refSbiCodes, refScoreBands, refCbsBankruptcies, refCbsFirms,
  bankruptcyRatesByIndustry, customerRisk, customerPriority, segmentPriority, riskAlerts,
];
