import { col } from '../columns.js';
import { defineTable } from '../table.js';

const opt = col.optional;

export const MATCH_RULES = ['creditor_reference', 'invoice_number', 'unique_amount', 'returned', 'erp_allocation', 'unmatched'] as const;

export const bankReceipts = defineTable({
  name: 'bank_receipts',
  description:
    'Every receipt read from a bank statement: the payer it was identified as, the rule that matched it to open invoices (creditor reference, invoice number in the remittance text, unique amount of a payer known by IBAN; a returned receipt, negative, re-opens what the receipt it returns paid) and, for cash left unapplied, why.',
  key: ['payment_id'],
  shape: {
    payment_id: col.text('Receipt (payments.payment_id): the booked account and the bank reference'),
    payment_date: col.date('Value date of the receipt'),
    bank_account: col.text('Own account (IBAN) the receipt was booked on'),
    payer_iban: opt(col.text('Account the money came from')),
    payer_name: opt(col.text('Payer as the bank statement names it')),
    remittance_info: opt(col.text('Unstructured remittance information')),
    creditor_reference: opt(col.text('Structured creditor reference quoted (RF or betalingskenmerk)')),
    bank_reference: opt(col.text("The bank's reference of the booking")),
    currency: col.text('ISO 4217 currency of the receipt'),
    amount: col.money('Amount received, in the receipt currency (negative: a returned receipt, such as a returned direct debit)'),
    amount_reporting: opt(col.money('Amount received in the reporting currency (at the rate of the payment date; empty without a rate)')),
    customer_id: opt(col.text('Customer identified as the payer (empty: payer unknown, not on any account: suspense)')),
    match_rule: col.oneOf(MATCH_RULES, 'Rule that matched the receipt: creditor_reference, invoice_number, unique_amount, returned (a returned receipt booked against what the receipt it returns paid), erp_allocation (the ERP export allocated it) or unmatched'),
    documents: col.bigint('Invoices the receipt was applied to'),
    matched_amount: col.money('Part of the receipt applied to invoices (receipt currency)'),
    unapplied_amount: col.money('Part left as unapplied cash (receipt currency)'),
    reason: opt(col.text('Why cash is left unapplied (empty when the receipt is applied in full)')),
  },
});
