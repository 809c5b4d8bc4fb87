import { col } from '../columns.js';
import { SMALL_ROW_GROUP, defineTable } from '../table.js';

const opt = col.optional;

export const customerCreditReports = defineTable({
  name: 'customer_credit_reports',
  description: "Every credit report of each customer's company (matched on KvK, else VAT), sorted by customer and date: the customer page's score history per provider.",
  key: ['customer_id', 'report_id'],
  // Read one customer at a time: small row groups, so a lookup decodes one small group (table.ts).
  rowGroupRows: SMALL_ROW_GROUP,
  shape: {
    customer_id: col.text('Customer the company was matched to (int_customer_companies)'),
    report_date: col.date('Date of the report'),
    provider: col.text('creditsafe, graydon, dnb or other'),
    report_id: col.text('Report identifier'),
    company_key: col.text('Company the report is about'),
    score: opt(col.int('Provider score on score_scale')),
    score_scale: col.text('Scale of score and rating (see ref_score_bands)'),
    rating: opt(col.text('Provider rating or band as printed')),
    common_band: opt(col.int('Common risk band 1 (very low) to 5 (very high); empty = not rated')),
    credit_limit_advice: opt(col.money('Credit limit the provider advises')),
    credit_limit_currency: opt(col.text('ISO 4217 currency of credit_limit_advice')),
  },
});
