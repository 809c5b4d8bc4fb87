import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

export const cashFlowMonthly = defineTable({
  name: 'cash_flow_monthly',
  description: "Cash flow per calendar month and customer group: cash received, invoiced, credit notes, written off, net change in AR, with 'ALL' totals.",
  key: ['month', 'group_by', 'group_value'],
  shape: {
    month: col.date('First day of the calendar month'),
    month_end: col.date('Last day of the month'),
    ...customerGroupColumns,
    cash_received: col.money('Payments dated in the month (all cash, unapplied cash included)'),
    payments_count: col.bigint('Number of payments dated in the month'),
    invoiced: col.money('Invoices dated in the month (gross, before credit notes)'),
    credit_notes: col.money('Credit notes dated in the month (negative)'),
    credit_sales: col.money('invoiced + credit_notes: credit sales of the month, as in dso_monthly'),
    written_off: col.money('Write-offs dated in the month, net of recoveries (negative write-offs, cash on written-off documents)'),
    net_change_ar: col.money('Net change in AR from the month\'s flows: credit_sales − cash_received − written_off'),
    ar_begin: col.money('AR at the previous month end (dso_monthly.ar_begin)'),
    ar_end: col.money('AR at the month end (dso_monthly.ar_end)'),
    ar_change_other: col.money('ar_end − ar_begin − net_change_ar: closures by settled_date and movements dated before their document (0 on a clean ledger)'),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
