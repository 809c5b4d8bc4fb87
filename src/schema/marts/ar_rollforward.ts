import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

export const arRollforward = defineTable({
  name: 'ar_rollforward',
  description:
    "AR roll-forward per month and customer group: ar_begin + invoiced + credit_notes − collected − written_off + fx_revaluation = ar_end, tied to ar_open_items, with 'ALL' totals.",
  key: ['month', 'group_by', 'group_value'],
  shape: {
    month: col.date('First day of the month'),
    month_end: col.date('Last day of the month, the date ar_end is measured at'),
    ...customerGroupColumns,
    ar_begin: col.money('AR at the previous month end (0 in the first month); equals ar_end of the month before'),
    invoiced: col.money('Invoices issued in the month (dated no earlier than the document they correct)'),
    credit_notes: col.money('Credit notes issued in the month (negative)'),
    collected: col.money('AR cleared by cash received and by documents closed by settled_date without a payment'),
    written_off: col.money('Amounts written off in the month (positive)'),
    ar_end: col.money('AR at the month end, = ar_begin + invoiced + credit_notes − collected − written_off + fx_revaluation = ar_open_items total'),
    net_change: col.money('ar_end − ar_begin'),
    cash_received: col.money('Payments received in the month by the group’s customers (for ALL: collected − settled_without_payment)'),
    settled_without_payment: col.money('Part of collected closed by a settled_date (clearing date) rather than a payment row'),
    unapplied_cash_end: col.money('Part of ar_end that is unapplied cash at the month end (≤ 0)'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
    fx_revaluation: col.money('Change in the month of the FX result on foreign-currency documents: open ones revalued at the closing rate, settled ones at their payment date rate against their document date rate (0 when all is in the reporting currency)'),
    fx_realised: col.money('Part of fx_revaluation realised in the month: the booked residual of foreign-currency documents closed in their own currency (paid, credited or written off at other rates than issued); like ar_ratio_monthly.fx_difference (which follows invoices by their invoice month), here by the month the document closes'),
    fx_unrealised: col.money('fx_revaluation − fx_realised: the change in the month of the revaluation of open foreign-currency documents at the closing rate'),
  },
});
