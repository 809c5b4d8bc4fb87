import { col } from './columns.js';
import { defineTable, type TableDef } from './table.js';
import { CREDIT_TABLES } from './credit-tables.js';

export const DOCUMENT_TYPES = ['invoice', 'credit_note'] as const;
export const ACTION_TYPES = [
  'reminder',
  'dunning_letter',
  'phone_call',
  'email',
  'payment_link',
  'collection_agency',
  'legal',
] as const;
export const DECISIONS = ['accepted', 'refused', 'limited'] as const;
/** How an invoice reached the customer; UBL/Peppol documents are `e-invoice`. */
export const DELIVERY_CHANNELS = ['paper', 'email', 'e-invoice', 'portal'] as const;
/**
 * How a dispute ended, in terms of the money: the customer paid after all, a credit note settled the
 * disputed amount in full or in part, the disputed amount was written off, or the customer withdrew.
 */
export const DISPUTE_OUTCOMES = ['paid', 'credited', 'partially_credited', 'written_off', 'withdrawn'] as const;

export const customers = defineTable({
  name: 'customers',
  description: 'Debtors (B2B customers) as kept in the ERP, one row per customer.',
  key: ['customer_id'],
  shape: {
    customer_id: col.text('ERP debtor number'),
    name: col.text('Registered company name'),
    kvk_number: col.optional(col.text('Dutch Chamber of Commerce (KvK) number, 8 digits')),
    vat_number: col.optional(col.text('VAT identification number, e.g. NL123456789B01')),
    country: col.text('ISO 3166-1 alpha-2 country code'),
    sbi_code: col.optional(col.text('SBI 2008 activity code (Dutch NACE extension)')),
    segment: col.optional(col.text("Commercial segment (e.g. enterprise, mid-market, small business); blank loads, grouped as 'unknown'")),
    size_class: col.text('Company size class by employees (micro, small, medium, large)'),
    credit_limit: col.optional(col.money('Credit limit granted, in the row currency')),
    currency: col.text('ISO 4217 currency of the credit limit'),
    payment_terms_days: col.int('Agreed payment term in days (e.g. 14, 30, 60)'),
    account_manager: col.optional(col.text('Owner of the customer in the credit team (collector or account manager), where the ERP keeps one')),
    iban: col.optional(col.text("The customer's bank account (IBAN) it pays from, where the ERP keeps one: bank-statement receipts from it are the customer's")),
  },
});

export const invoices = defineTable({
  name: 'invoices',
  description: 'Sales invoices and credit notes (credit notes carry negative amounts).',
  key: ['document_id'],
  shape: {
    document_id: col.text('ERP document number, unique across invoices and credit notes'),
    customer_id: col.text('Debtor the document was issued to'),
    document_type: col.oneOf(DOCUMENT_TYPES, 'invoice or credit_note'),
    invoice_date: col.date('Document date'),
    due_date: col.date('Net due date; on or after invoice_date'),
    currency: col.text('ISO 4217 currency code'),
    amount: col.money('Gross amount; negative for credit notes'),
    settled_date: col.optional(col.date('Clearing date where the export carries one (document closed in full from then on)')),
    corrects_document_id: col.optional(col.text('For a credit note: the invoice it corrects')),
    delivery_channel: col.optional(col.oneOf(DELIVERY_CHANNELS, "How the document reached the customer: paper, email, e-invoice (UBL/Peppol) or portal; empty = not known")),
    payment_reference: col.optional(col.text('Structured payment reference printed on the invoice for the payer to quote (ISO 11649 RF creditor reference or Dutch betalingskenmerk; UBL PaymentID, BT-83)')),
  },
});

export const payments = defineTable({
  name: 'payments',
  description:
    'Cash received from customers (negative amounts: refunds paid back to them): receipts from the ERP, and credits read from bank statements (CAMT.053, MT940) with their remittance information; the build identifies the payer of a bank receipt and matches it to open invoices (bank_receipts).',
  key: ['payment_id'],
  shape: {
    payment_id: col.text('Receipt identifier (for a bank-statement receipt: the booked account and the bank reference)'),
    customer_id: col.optional(col.text('Debtor that paid; empty on a bank-statement receipt, whose payer the build identifies (by the invoices it pays or by a known IBAN)')),
    payment_date: col.date('Value date of the receipt'),
    amount: col.money('Amount received (positive), or refunded to the customer (negative: a credit balance or overpayment paid back)'),
    currency: col.text('ISO 4217 currency code'),
    payer_iban: col.optional(col.text('Account (IBAN) the money came from, as the bank statement gives it')),
    payer_name: col.optional(col.text('Name of the payer on the bank statement')),
    remittance_info: col.optional(col.text("Unstructured remittance information (the payer's description: invoice numbers, customer number)")),
    creditor_reference: col.optional(col.text('Structured creditor reference the payer quoted: ISO 11649 RF reference or Dutch betalingskenmerk (issuer CUR)')),
    end_to_end_id: col.optional(col.text("The payer's end-to-end reference of the transfer")),
    bank_reference: col.optional(col.text("The bank's reference of the booking (camt AcctSvcrRef, MT940 :61: reference after //)")),
    bank_account: col.optional(col.text('Own account (IBAN) the receipt was booked on; set on every bank-statement receipt')),
  },
});

export const paymentAllocations = defineTable({
  name: 'payment_allocations',
  description: 'How receipts were matched to documents; the unmatched rest of a payment is unapplied cash.',
  key: ['payment_id', 'document_id'],
  shape: {
    payment_id: col.text('Receipt that was matched'),
    document_id: col.text('Document the amount was applied to'),
    amount: col.money('Amount applied to the document (negative for a refund: it takes a credit balance back towards zero)'),
  },
});

export const writeOffs = defineTable({
  name: 'write_offs',
  description: "Amounts written off as uncollectable (bad debt), and recoveries of them (negative amount, reason 'recovery').",
  key: ['document_id', 'write_off_date'],
  shape: {
    document_id: col.text('Document written off'),
    customer_id: col.text('Debtor of the document'),
    write_off_date: col.date('Booking date of the write-off'),
    amount: col.money("Amount written off (positive), or recovered later (negative, with reason 'recovery')"),
    reason: col.text("Why it was written off (e.g. bankruptcy, uncollectable, dispute), or 'recovery' for a negative amount"),
  },
});

export const collectionActions = defineTable({
  name: 'collection_actions',
  description: 'Reminders, dunning letters, calls and other collection steps, with their cost.',
  key: ['action_id'],
  shape: {
    action_id: col.text('Action identifier'),
    customer_id: col.text('Debtor the action was aimed at'),
    document_id: col.optional(col.text('Document the action chased, if any')),
    action_date: col.date('Date of the action'),
    action_type: col.oneOf(ACTION_TYPES, 'reminder, dunning_letter, phone_call, email, payment_link, collection_agency or legal'),
    channel: col.text('Channel used (post, email, phone, whatsapp, agency, court)'),
    cost: col.money('Cost of the action (internal or external fees)'),
  },
});

export const creditDecisions = defineTable({
  name: 'credit_decisions',
  description: 'Credit applications and limit reviews with their outcome.',
  key: ['decision_id'],
  shape: {
    decision_id: col.text('Decision identifier'),
    customer_id: col.optional(col.text('Existing debtor, when the applicant is a customer')),
    applicant: col.optional(col.text('Applicant name, when the applicant is not (yet) a customer')),
    decision_date: col.date('Date of the decision'),
    decision: col.oneOf(DECISIONS, 'accepted, refused or limited'),
    requested_limit: col.money('Credit limit asked for'),
    granted_limit: col.money('Credit limit granted (0 when refused)'),
  },
});

export const disputes = defineTable({
  name: 'disputes',
  description:
    'Customer disputes of documents (price, quantity, quality, delivery, …): when each was opened and resolved, the amount in dispute and how it ended. A document is disputed from opened_date until resolved_date.',
  key: ['dispute_id'],
  shape: {
    dispute_id: col.text('Dispute (case) identifier'),
    document_id: col.text('Document in dispute'),
    customer_id: col.text('Debtor of the document'),
    opened_date: col.date('Date the customer raised the dispute'),
    resolved_date: col.optional(col.date('Date the dispute was resolved; empty while it is open')),
    reason: col.text('Why the customer disputes (e.g. price, quantity, quality, delivery, duplicate, unspecified)'),
    disputed_amount: col.money("Amount in dispute, in the document's currency (positive; at most the document amount)"),
    outcome: col.optional(col.oneOf(DISPUTE_OUTCOMES, 'How it ended: paid, credited, partially_credited, written_off or withdrawn; empty while open or not known')),
  },
});

export const openItemSnapshots = defineTable({
  name: 'open_item_snapshots',
  description:
    'Open-item exports ("openstaande posten"): what was open on each snapshot date, per scope. The warehouse derives the documents and their settlements from consecutive snapshots (int_snapshot_events).',
  key: ['scope', 'snapshot_date', 'document_id'],
  shape: {
    snapshot_date: col.date('Date the export was taken (from a column, the file name or ingest --as-of)'),
    scope: col.text('What one export covers (an administration, a company code); items gone from the next snapshot of the same scope were settled'),
    document_id: col.text('ERP document number, unique across scopes'),
    customer_id: col.text('Debtor of the item'),
    document_type: col.oneOf(DOCUMENT_TYPES, 'invoice or credit_note'),
    invoice_date: col.date('Document date'),
    due_date: col.date('Net due date; on or after invoice_date'),
    currency: col.text('ISO 4217 currency code'),
    original_amount: col.optional(col.money('Original document amount, where the export shows it; negative for credit notes')),
    open_amount: col.money('Amount still open on the snapshot date (negative for an open credit)'),
    settled_date: col.optional(col.date('Clearing date the export already knows (an SAP key-date report lists items cleared after its key date)')),
  },
});

export const fxRates = defineTable({
  name: 'fx_rates',
  description:
    'Exchange rates: units of a currency per 1 unit of the reporting currency on a date (ECB reference rates: USD per EUR). Documents convert at their date\'s rate, open items at the as-of date\'s.',
  key: ['rate_date', 'currency'],
  shape: {
    rate_date: col.date('Date the rate applies to (a weekend or holiday takes the last rate within fx.lookback_days)'),
    currency: col.text('ISO 4217 code of the foreign currency'),
    rate: col.number('Units of currency per 1 unit of the reporting currency (positive)'),
  },
});

/** Every canonical table, in the order a ledger is usually loaded: the ERP tables, then the credit-report feed's. */
export const CANONICAL_TABLES: readonly TableDef[] = [
  customers,
  invoices,
  payments,
  paymentAllocations,
  writeOffs,
  collectionActions,
  creditDecisions,
  disputes,
  openItemSnapshots,
  fxRates,
  ...CREDIT_TABLES,
];

export function canonicalTable(name: string): TableDef {
  const t = CANONICAL_TABLES.find((x) => x.name === name);
  if (!t) {
    throw new Error(`unknown table "${name}"; known tables: ${CANONICAL_TABLES.map((x) => x.name).join(', ')}`);
  }
  return t;
}
