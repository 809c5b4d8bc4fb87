import { col } from '../columns.js';
import { defineTable } from '../table.js';
import { customerGroupColumns } from './customer-groups.js';

const opt = col.optional;

export const writeOffsMonthly = defineTable({
  name: 'write_offs_monthly',
  description:
    "Write-offs per month and customer group (SBI section included): amount, count, collection costs on the debt, total cost, bad-debt ratio (month and rolling 12 months) against a configurable ceiling, with 'ALL' totals.",
  key: ['month', 'group_by', 'group_value'],
  shape: {
    month: col.date('First day of the month'),
    month_end: col.date('Last day of the month'),
    ...customerGroupColumns,
    written_off: col.money('Amount written off in the month (gross: the positive write-off rows)'),
    write_offs: col.bigint('Write-off bookings in the month'),
    documents_written_off: col.bigint('Documents first written off in the month'),
    collection_costs: col.money('Cost of all collection actions on the documents first written off in the month'),
    total_cost: col.money('Cost of the write-offs: written_off + collection_costs'),
    credit_sales: col.money('Invoices minus credit notes dated in the month'),
    bad_debt_ratio: opt(col.number('written_off / credit_sales (empty without sales)')),
    written_off_12m: col.money('Written off in the 12 months ending with this one'),
    credit_sales_12m: col.money('Credit sales in the 12 months ending with this one'),
    months_in_window: col.int('Months of data in the rolling window (under 12 at the start of the data)'),
    bad_debt_ratio_12m: opt(col.number('written_off_12m / credit_sales_12m')),
    ceiling_ratio: col.number('Write-off ceiling as a bad-debt ratio (config write_offs.ceiling_ratio, default 0.005)'),
    ceiling_basis: col.text('Ratio the ceiling applies to: rolling_12m or month (config write_offs.ceiling_basis)'),
    over_ceiling: col.boolean('True when that ratio is above ceiling_ratio'),
    recovered: col.money("Written-off debt recovered in the month: negative write-offs (reason 'recovery') and cash allocated to a written-off document beyond its balance"),
    net_written_off: col.money('written_off − recovered'),
    bad_debt_ratio_net: opt(col.number('net_written_off / credit_sales (empty without sales)')),
    net_written_off_12m: col.money('Net written off in the 12 months ending with this one'),
    bad_debt_ratio_12m_net: opt(col.number('net_written_off_12m / credit_sales_12m')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
