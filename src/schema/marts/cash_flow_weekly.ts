import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

export const cashFlowWeekly = defineTable({
  name: 'cash_flow_weekly',
  description: "Cash flow per ISO week (Monday–Sunday) and customer group: cash received, invoiced, credit notes, written off, net change in AR, with 'ALL' totals.",
  key: ['week_start', 'group_by', 'group_value'],
  shape: {
    week_start: col.date('Monday the ISO week starts on'),
    week_end: col.date('Sunday the ISO week ends on'),
    iso_year: col.int('ISO week-numbering year (the year of the week\'s Thursday)'),
    iso_week: col.int('ISO week number, 1–53'),
    ...customerGroupColumns,
    cash_received: col.money('Payments dated in the week (all cash, unapplied cash included)'),
    payments_count: col.bigint('Number of payments dated in the week'),
    invoiced: col.money('Invoices dated in the week (gross, before credit notes)'),
    credit_notes: col.money('Credit notes dated in the week (negative)'),
    credit_sales: col.money('invoiced + credit_notes: credit sales of the week'),
    written_off: col.money('Write-offs dated in the week, net of recoveries (negative write-offs, cash on written-off documents)'),
    net_change_ar: col.money('Net change in AR from the week\'s flows: credit_sales − cash_received − written_off'),
    is_complete: col.boolean("False for a partial or later week: the ledger's data ends before the week's Friday (mid-week export), or a lagging ledger feed does (int_month_ends.complete_until), so its flows cover only part of it"),
  },
});
