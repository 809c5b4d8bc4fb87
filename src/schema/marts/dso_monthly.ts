import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

const opt = col.optional;

export const dsoMonthly = defineTable({
  name: 'dso_monthly',
  description: "DSO family per calendar month and customer group (period-end, average-AR, 3-month, countback DSO; BPDSO, ADD, CEI, % current), with 'ALL' totals.",
  key: ['month', 'group_by', 'group_value'],
  shape: {
    month: col.date('First day of the month P'),
    month_end: col.date('Last day of P, the date AR is measured at'),
    days_in_month: col.int('days(P)'),
    ...customerGroupColumns,
    credit_sales: col.money('Invoices minus credit notes dated in P'),
    ar_begin: col.money('AR at the previous month end (0 before the first month)'),
    ar_end: col.money('AR at the end of P: all open amounts, unapplied cash included'),
    current_ar_end: col.money('Part of ar_end not overdue at the month end (debit balances due on or after it, and every credit balance: unapplied cash, negative documents)'),
    overdue_ar_end: col.money('ar_end minus current_ar_end: debit balances past their due date (never negative)'),
    dso: opt(col.number('DSO by the configured method (see dso_method), in days')),
    dso_method: col.text('Variant that fills dso: period_end, average_ar, three_month or countback (config dso.method)'),
    dso_period_end: opt(col.number('ar_end / credit_sales × days(P)')),
    dso_average_ar: opt(col.number('(ar_begin + ar_end) / 2 / credit_sales × days(P)')),
    dso_3m: opt(col.number('ar_end / credit sales of P and the 2 months before × their days (empty with under 3 months of history)')),
    dso_countback: opt(col.number('Countback (exhaustion) DSO: days of sales, walking back from P, that ar_end covers')),
    countback_months: col.int('Months the countback walked through (bounded by config dso.countback_max_months)'),
    countback_complete: col.boolean('False when ar_end was not exhausted within the bound (dso_countback is then a lower bound)'),
    bpdso: opt(col.number('Best possible DSO: current_ar_end / credit_sales × days(P)')),
    avg_days_delinquent: opt(col.number('Average days delinquent: dso_period_end − bpdso')),
    cei: opt(col.number('Collection effectiveness index over one month: (ar_begin + sales − ar_end) / (ar_begin + sales − current_ar_end) × 100 = collected / (collected + overdue debt), 0–100; empty when the month collected less than nothing (refunds)')),
    cei_months: col.int('N, the months the CEI spans (1: monthly)'),
    pct_current: opt(col.number('current_debit_ar_end / debit_ar_end × 100: the not-yet-due share of the debit balances, 0–100')),
    dso_change: opt(col.number('dso minus dso of the previous month (same group)')),
    debit_ar_end: col.money('Debit balances at the end of P: open items with a positive open amount (what customers owe)'),
    credit_balances_end: col.money('Credit balances at the end of P (≤ 0): unapplied cash and documents with a negative open amount; ar_end = debit_ar_end + credit_balances_end'),
    current_debit_ar_end: col.money('Debit balances not yet due at the end of P'),
    is_complete: col.boolean('False for a partial month: the data ends inside it (mid-month export); its figures cover the days up to the data end'),
    days_elapsed: col.int('Days of P covered by the data: days(P), or up to the data end in a partial month; the DSO family uses it for days(P)'),
  },
});
