import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const paymentBehaviour = defineTable({
  name: 'payment_behaviour',
  description:
    "Settled invoices per settlement month, per customer and customer group: days to pay, days late (mean and amount-weighted), share paid late, with 'ALL' totals.",
  key: ['month', 'group_by', 'group_value'],
  shape: {
    month: col.date('First day of the month the invoices were settled in'),
    month_end: col.date('Last day of that month'),
    group_by: col.text("customer (one debtor), segment, sbi_section, country, size_class, score_band (common band of the latest credit report), dispute_status (disputed / not disputed: the invoice ever had a dispute), delivery_channel (paper, email, e-invoice, portal, unknown), or 'ALL' for the total"),
    group_value: col.text("customer_id for customer rows, the group's value otherwise; 'ALL' on total rows"),
    segment: opt(col.text("Segment for group_by segment rows, 'ALL' on totals, empty otherwise")),
    invoices_settled: col.bigint('Invoices settled in the month: cleared by payment or a settled date (config payment_behaviour.basis widens it)'),
    amount_settled: col.money('Sum of those invoices’ original amounts, in the reporting currency at each invoice date’s rate'),
    mean_days_to_pay: opt(col.number('Mean of settlement date − invoice date, in days (empty when none settled)')),
    weighted_days_to_pay: opt(col.number('Days to pay weighted by invoice amount')),
    mean_days_late: opt(col.number('Mean of max(0, settlement date − due date), in days')),
    weighted_days_late: opt(col.number('Days late weighted by invoice amount')),
    invoices_paid_late: col.bigint('Settled invoices with days late above late_grace_days'),
    share_paid_late: opt(col.number('invoices_paid_late / invoices_settled (0..1)')),
    amount_paid_late: col.money('Original amount of the invoices paid late'),
    share_amount_paid_late: opt(col.number('amount_paid_late / amount_settled (0..1)')),
    late_grace_days: col.int('Days past due tolerated before an invoice counts as late (config payment_behaviour.grace_days)'),
    settlement_basis: col.text("Which closed invoices count as settled: paid (by payment or settled date; default), excluding_write_offs or all_closures (config payment_behaviour.basis)"),
    invoices_closed_by_credit_note: col.bigint('Invoices a credit note cleared in the month (cancelled, never paid): not in invoices_settled under the default basis'),
    amount_closed_by_credit_note: col.money('Their invoice amounts'),
    invoices_closed_by_write_off: col.bigint('Invoices whose rest was written off in the month: not in invoices_settled under the default basis'),
    amount_closed_by_write_off: col.money('Their invoice amounts'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
