import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const concentration = defineTable({
  name: 'concentration',
  description:
    'Customer concentration per month end: share of trailing-12-month revenue and of open AR held by the top 20% and the top 10 customers, and the Herfindahl-Hirschman index.',
  key: ['month'],
  shape: {
    month: col.date('First day of the month'),
    month_end: col.date('Month end the concentration is measured at'),
    window_months: col.int('Months of data in the trailing-12-month revenue window (under 12 at the start of the data)'),
    top_fraction: col.number('Size of the top group as a fraction of ranked customers (config concentration.top_fraction, default 0.2)'),
    top_n: col.int('N of the top-N share (config concentration.top_n, default 10)'),
    customers_with_revenue: col.bigint('Customers with positive trailing-12-month revenue (the ranked ones)'),
    revenue_t12m: col.money('Their trailing-12-month revenue (invoices minus credit notes)'),
    top_customers_revenue: col.bigint('Customers in the top group: ceil(top_fraction × customers_with_revenue)'),
    top_fraction_revenue_share: opt(col.number('Share of revenue_t12m held by the top group (0..1)')),
    top_n_revenue_share: opt(col.number('Share of revenue_t12m held by the top_n largest customers (0..1)')),
    hhi_revenue: opt(col.number('Herfindahl-Hirschman index of revenue: Σ (100 × customer share)², 0..10,000')),
    customers_with_open_ar: col.bigint('Customers with a positive open AR balance at the month end'),
    open_ar: col.money('Sum of those positive balances'),
    top_customers_open_ar: col.bigint('Customers in the top group by open AR: ceil(top_fraction × customers_with_open_ar)'),
    top_fraction_open_ar_share: opt(col.number('Share of open_ar held by the top group (0..1)')),
    top_n_open_ar_share: opt(col.number('Share of open_ar held by the top_n largest balances (0..1)')),
    hhi_open_ar: opt(col.number('Herfindahl-Hirschman index of open AR, 0..10,000')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
