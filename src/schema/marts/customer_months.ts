import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';
import { CUSTOMER_PRIORITY_RULES, PRIORITIES } from './credit-risk.js';

const opt = col.optional;

export const customerMonths = defineTable({
  name: 'customer_months',
  description:
    "Each customer's month ends in one place, sorted by customer and date: balance against the credit limit (credit_limit_utilisation), latest report and days late (customer_risk), priority with its reason (customer_priority). The customer page's profile and history.",
  key: ['customer_id', 'as_of_date'],
  // Read one customer at a time: small row groups, so a lookup decodes one small group (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  // Written sorted by customer so a customer's rows sit together; sorted by the writer, apart from
  // the joins (table.ts writeOrder).
  writeOrder: ['customer_id', 'as_of_date'],
  shape: {
    customer_id: col.text('ERP debtor number'),
    as_of_date: col.date('Month end'),
    has_open_items: col.boolean('The customer has open items at the month end (a row in credit_limit_utilisation); without them the utilisation columns are empty'),
    open_ar: opt(col.money('Open AR at the month end (credit_limit_utilisation)')),
    overdue_ar: opt(col.money('Part of open_ar past its due date')),
    credit_limit: opt(col.money('Credit limit in the reporting currency (credit_limit_utilisation: per credit_limits.source)')),
    utilisation: opt(col.number('open_ar / credit_limit')),
    headroom: opt(col.money('credit_limit − open_ar')),
    provider: opt(col.text('Provider of the latest report on or before the month end (customer_risk)')),
    score: opt(col.int('Its numeric score')),
    rating: opt(col.text('Its letter rating')),
    common_band_label: opt(col.text("Label of the common band ('not rated' when none)")),
    insolvency_flag: opt(col.boolean('Insolvency event on or before the month end, or an insolvent latest report')),
    insolvency_date: opt(col.date('Date of the first insolvency event')),
    avg_days_late_12m: opt(col.number('Mean days late of invoices settled in the 12 months to the month end')),
    priority: opt(col.oneOf(PRIORITIES, 'grow, keep, watch or restrict (customer_priority)')),
    priority_rank: opt(col.int('Rank at the month end')),
    reason: opt(col.text('The deciding rule in words')),
    priority_rule: opt(col.oneOf(CUSTOMER_PRIORITY_RULES, 'The first rule that matched')),
    common_band: opt(col.int('Common band of the latest report')),
    band_change_3m: opt(col.int('Common band change over 3 months (positive = riskier)')),
    revenue_t12m: opt(col.money('Credit sales in the 12 months to the month end')),
    revenue_prev_t12m: opt(col.money('Credit sales in the 12 months before those')),
    revenue_growth: opt(col.number('revenue_t12m / revenue_prev_t12m - 1')),
    industry_rate_per_1000: opt(col.number("Industry's 12-month bankruptcy rate per 1,000 monitored companies")),
    overall_rate_per_1000: opt(col.number('All industries, same measure')),
    industry_rising: opt(col.boolean('Industry rate rising (customer_priority)')),
  },
});
