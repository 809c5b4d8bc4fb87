import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const creditDecisionsMonthly = defineTable({
  name: 'credit_decisions_monthly',
  description: "Credit decisions per month and applicant type (customer, applicant, 'ALL'): accepted, limited, refused, acceptance and refusal rates.",
  key: ['month', 'applicant_type'],
  shape: {
    month: col.date('First day of the month'),
    month_end: col.date('Last day of the month'),
    applicant_type: col.oneOf(['ALL', 'customer', 'applicant'], "customer (a debtor in the ledger), applicant (not a customer), or 'ALL'"),
    decisions: col.bigint('Credit decisions taken in the month'),
    accepted: col.bigint('Decisions that granted the limit asked for'),
    limited: col.bigint('Decisions that granted less than asked'),
    refused: col.bigint('Decisions that refused credit'),
    acceptance_rate: opt(col.number('(accepted + limited) / decisions, or accepted / decisions (see acceptance_basis); 0..1')),
    refusal_rate: opt(col.number('refused / decisions (0..1)')),
    acceptance_basis: col.text('accepted_or_limited or accepted_only (config credit_decisions.limited_counts_as_accepted)'),
    requested_limit: col.money('Sum of the limits asked for'),
    granted_limit: col.money('Sum of the limits granted'),
    granted_share: opt(col.number('granted_limit / requested_limit')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
