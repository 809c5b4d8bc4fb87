import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const arRatioMonthly = defineTable({
  name: 'ar_ratio_monthly',
  description: 'A/R ratio: of the invoices issued in each month, the part paid and the part still unpaid at every later month end.',
  key: ['invoice_month', 'as_of_date'],
  shape: {
    invoice_month: col.date('First day of the month P the invoices were issued in'),
    as_of_date: col.date('Month end D the split is measured at (end of P or later)'),
    months_after: col.int('Calendar months from P to D (0 = the end of P itself)'),
    invoices: col.bigint('Invoices issued in P'),
    sales: col.money('Their original amount (invoices only; credit notes against them are in credited)'),
    paid: col.money('Cash allocated to them up to D'),
    credited: col.money('Credit notes (and other correcting documents) against them up to D, positive'),
    written_off: col.money('Written off on them up to D'),
    settled_without_payment: col.money('Closed by a settled_date without a payment row up to D'),
    unpaid: col.money('Still open at D: sales − paid − credited − written_off − settled_without_payment − fx_difference (= ar_open_items, as booked)'),
    share_paid: col.optional(col.number('paid / sales')),
    share_unpaid: col.optional(col.number('unpaid / sales')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
    fx_difference: col.money('Realised exchange difference up to D on those closed in their own currency: booked value (document-date rates) not matched by the payments at their dates\' rates (positive = loss); 0 in the reporting currency'),
  },
});
