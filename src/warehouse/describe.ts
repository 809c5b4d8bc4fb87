import { CANONICAL_TABLES, type TableDef } from '../schema/index.js';
import { MART_TABLES } from '../schema/marts/index.js';
import type { Model } from './compile/index.js';

/**
 * What each warehouse relation and column means, from the one place each is defined: the zod
 * schemas (canonical tables, marts) and, for models without a declared schema (intermediate
 * views), the why-comment that opens the model's SQL. The warehouse carries these as COMMENT ON,
 * so DBeaver, Metabase or `duckdb_columns()` show them; the docs site reads the same.
 */
export interface RelationDescription {
  description: string;
  columns: ReadonlyMap<string, string>;
}

const DECLARED: readonly TableDef[] = [...CANONICAL_TABLES, ...MART_TABLES];

/** Column name → description, from every declared table (the first that declares it wins). */
const KNOWN_COLUMNS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  for (const t of DECLARED) for (const c of t.columns) if (!out.has(c.name)) out.set(c.name, c.description);
  out.set('ingest_date', 'Day the batch holding this row was ingested (the raw partition)');
  out.set('filename', 'Lake file of the batch this row was read from');
  return out;
})();

/** The leading `--` comment block of a model's SQL, as one paragraph. */
export function leadingComment(sql: string): string {
  const lines: string[] = [];
  for (const l of sql.split('\n')) {
    const m = /^\s*--\s?(.*)$/.exec(l);
    if (!m) break;
    lines.push(m[1]!.trim());
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Columns that only intermediate models compute (no zod schema declares them), described where the
 * model's SQL explains them. Kept beside the descriptions of declared columns so the warehouse
 * comments and the docs site cover every column.
 */
const ORIGINAL_AMOUNT = 'The amount in its own currency, as exported (amount is converted to the reporting currency)';
const ORIGINAL_AND_RATE = {
  amount_original: ORIGINAL_AMOUNT,
  fx_rate: 'Units of the row currency per 1 unit of the reporting currency on the row date (1 for the reporting currency)',
};

const INTERMEDIATE_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  int_fx_rates: {
    valid_from: 'First day the rate applies (its own date)',
    valid_until: 'Day the next rate of the currency takes over, or the end of the look-back window, whichever comes first',
  },
  int_invoices: ORIGINAL_AND_RATE,
  int_disputes: {
    disputed_amount_original: "The disputed amount in the document's own currency, as exported",
    disputed_amount: "The disputed amount in the reporting currency, at the document's own rate",
    days_to_resolve: 'Days from opened_date to resolved_date; empty while the dispute is open',
  },
  int_payments: ORIGINAL_AND_RATE,
  int_payment_allocations: {
    amount_original: ORIGINAL_AMOUNT,
    match_rule: "How the allocation was made: erp_allocation (payment_allocations), or the rule that matched a bank-statement receipt (creditor_reference, invoice_number, unique_amount, returned)",
  },
  int_bank_receipts: {
    e2e_key: "The end-to-end reference, trimmed, upper case ('' when none): a returned receipt shares it with the receipt it returns",
    returns_payment_id: 'For a returned receipt (negative): the receipt it returns (same account, end-to-end reference and opposite amount, on or before it)',
    returned_on: 'For a receipt that was returned: the date of the return (the invoices it paid are open again from then)',
    iban_key: "The payer's IBAN without spaces, upper case ('' when none)",
    reference_key: "The structured creditor reference without spaces, upper case ('' when none)",
    text_key: 'Remittance text and end-to-end reference, upper case, every run of other characters than letters and digits one space, padded with spaces',
    rf_payload: 'The part of an RF creditor reference after its check digits, without leading zeros',
    kenmerk_payload: 'The 15 digits after the check digit of a 16-digit betalingskenmerk, without leading zeros',
    erp_allocated: 'The ERP export allocated this receipt already (payment_allocations): the build does not match it',
  },
  int_bank_invoices: {
    open_amount: 'Balance before bank matching, in the invoice currency: the invoice plus its credit notes, less ERP allocations and write-offs',
    reference_key: "The invoice's payment_reference without spaces, upper case ('' when none)",
    alnum_key: 'The invoice number as letters and digits only, upper case, without leading zeros',
    digit_key: 'The digits of the invoice number, without leading zeros',
    word_key: 'The invoice number as space-separated words, upper case, padded with spaces',
  },
  int_bank_named: {
    match_rule: 'Rule that found the invoice in the receipt: creditor_reference or invoice_number',
    open_amount: 'Balance of the invoice before bank matching (int_bank_invoices)',
    receipt_amount: 'Amount of the receipt',
    is_open: 'The invoice is open for the receipt: issued on or before it, not settled before it, same currency, a balance left',
  },
  int_bank_named_matches: {
    match_rule: 'Rule that named the invoice: creditor_reference or invoice_number',
    amount: 'Part of the receipt applied to the invoice (0 when earlier receipts had paid it)',
  },
  int_bank_payers: {
    customer_id: 'Payer of a receipt that paid no invoice it names: as given, else the one customer its IBAN is known for (empty: unknown)',
    iban_customers: 'Customers its IBAN is known for on the payment date',
  },
  int_bank_matches: {
    match_rule: 'Rule that matched the receipt to the invoice (creditor_reference, invoice_number, unique_amount; returned: a returned receipt giving back what the receipt it returns paid, a negative amount), or unmatched (one row, no invoice)',
    reason: 'Why an unmatched receipt stays unapplied cash',
  },
  int_write_offs: { amount_original: ORIGINAL_AMOUNT },
  int_ar_documents: {
    amount_original: ORIGINAL_AMOUNT,
    item_id: 'AR item the document belongs to: itself when it corrects no other document, else the document it corrects',
  },
  int_ar_item_events: {
    amount_original: ORIGINAL_AMOUNT,
    item_kind: "'document' (an invoice or credit note heading its own item) or 'payment' (unapplied cash)",
    item_id: 'The AR item: the head document id, or the payment id for unapplied cash',
    item_type: 'Document type of the head, or unapplied_cash for a payment item',
    item_date: "Date of the item's head document, or the payment date",
    item_amount: "Amount of the item's head document, or of the payment",
    movement: "Kind of movement: document, allocation, write_off, receipt, applied, applied_after_settlement or settlement",
    source_id: 'Row the movement comes from (document, payment or write-off id)',
    source_type: 'What the movement comes from: invoice, credit_note, payment, write_off, recovery, settled_date, snapshot or document',
  },
  int_ar_open_stretches: {
    item_kind: "'document' (an invoice or credit note heading its own item) or 'payment' (unapplied cash)",
    item_id: 'The AR item: the head document id, or the payment id for unapplied cash',
    start_at: 'First month end of the stretch (the item is open with these figures from here)',
    stop_at: "First month end the stretch no longer covers; 9999-12-31 while open at the last month end",
  },
  int_ar_open_changes: {
    d_amount: 'Change of the open amount at this month end: stretches starting here add theirs, stretches stopping here take it away',
    d_count: 'Change of the number of open items at this month end (+1 per stretch starting, -1 per stretch stopping)',
  },
  int_cash_flow_days: { flow_date: 'Day of the cash-flow events summed in the row' },
  int_cash_forecast_items: {
    delay_basis: 'Whose payment history gave the expected delay: customer, segment, portfolio, or terms (none: the due date)',
    expected_delay_days: 'Amount-weighted mean of payment date minus due date over the lookback, from delay_basis',
    habit_date: 'Due date plus the expected delay, rounded to whole days',
    run_kind: "The customer's payment run at the forecast date: monthly or weekly, empty when it has none",
    raw_date: 'habit_date, or for an item already past it the forecast date plus the catch-up days',
    expected_date: "Date the receipt is expected: raw_date moved to the customer's next payment-run day when it has one",
    stopped_paying: 'True when the customer paid nothing in the last stopped_paying_days and has an item past due longer than that',
    probability: 'Chance the item is received (0 to 1): lower for customers that stopped paying and for stale items',
    expected_amount: 'Open amount times probability',
  },
  int_company_profile: {
    first_report_date: "Date of the company's first credit report",
    last_report_date: "Date of the company's latest credit report",
    reports: 'Number of credit reports on the company',
    bankruptcy_date: 'Date of the first bankruptcy event, if any',
    dissolution_date: 'Date of the first dissolution event, if any',
    exit_date: 'Date the company stopped being an active monitored company (bankruptcy or dissolution)',
  },
  int_customer_companies: { matched_on: "Identifier the customer was matched to its credit-report company on: 'kvk' or 'vat'" },
  int_industry_rates_t12m: {
    rate_per_1000_3m_ago: 'The trailing-12-month bankruptcy rate per 1,000 three months earlier',
    rising: 'True when the rate is higher than three months earlier',
  },
  int_invoice_settlements: {
    settlement_date: 'First day from which the invoice balance stays at or below zero; empty while open',
    days_to_pay: 'Days from invoice date to settlement date',
    days_late: 'Days from due date to settlement date, 0 when settled on time',
    closed_by_settled_date: "True when the export's settled_date closed the invoice",
    closed_by: 'What closed the invoice on its settlement date: payment, credit_note, write_off or settled_date; empty while open',
  },
  int_item_receipts: { receipt_date: 'Date the cash counts for the item: the payment date, never before the invoice date' },
  int_ledger_bounds: {
    first_date: 'Date of the first dated event in the ledger',
    last_date: 'Date of the last dated event in the ledger',
  },
  int_month_ends: {
    month_start: 'First day of the month',
    aged_at: "Date the month's open items are aged at: the month end, or the data end for a partial month",
    covered_until: 'Last date of the earliest steady ledger feed lagging the freshest by more than freshness.max_lag_days (empty when none lags): months ending after it are not complete',
    complete_until: 'Last date every steady ledger feed covers: covered_until when a feed lags, else the data end; weeks (cash_flow_weekly) and days (collection_activity_daily) after it are not complete',
  },
  int_payment_customers: {
    customer_id: 'Customer the cash is credited to: the customer of the invoices it was applied to, or the payer for the unapplied rest',
    payer_id: 'Customer who paid (payments.customer_id)',
    amount: "The customer's part of the payment, in the reporting currency",
    payment_amount: 'The whole payment, in the reporting currency',
  },
  int_cash_flows: {
    flow_date: 'Date of the cash-flow event',
    flow_kind: 'Event kind: payment, invoice, credit_note, write_off or recovery',
    payment_id: 'The payment of a payment row (a payment credited to two customers has a row for each); empty for other events',
  },
  int_payment_runs: {
    payment_days: 'Days the customer paid on in the lookback months',
    run_kind: 'monthly or weekly payment run, empty when the payments follow neither pattern',
    run_day_of_month: 'Day of the month of a monthly run',
    run_weekday: 'Weekday of a weekly run, 0 = Monday … 6 = Sunday',
  },
  int_report_validity: {
    valid_from: "First day this report is the company's latest",
    valid_until: "Day a newer report (any provider) replaces it; 9999-12-31 while it is the latest",
    provider_valid_until: "Day the same provider's next report replaces it; 9999-12-31 while it is that provider's latest",
    prev_score: "Score of the same provider's previous report",
    prev_scorecard_version: "Scorecard version of the same provider's previous report",
    prev_common_band: "Common band of the same provider's previous report",
    prev_report_date: "Date of the same provider's previous report",
  },
  int_snapshot_events: {
    amount_original: ORIGINAL_AMOUNT,
    derivation: 'How the settlement was derived from the snapshots: before_first_snapshot, partial, increased, settled or reopened',
  },
};

export function describeRelation(name: string, model?: Model): RelationDescription {
  const declared = DECLARED.find((t) => t.name === name);
  const staged = name.startsWith('stg_') ? CANONICAL_TABLES.find((t) => t.name === name.slice(4)) : undefined;
  const own = declared ?? staged;
  const columns = new Map(KNOWN_COLUMNS);
  for (const c of own?.columns ?? []) columns.set(c.name, c.description);
  for (const [c, d] of Object.entries(INTERMEDIATE_COLUMNS[name] ?? {})) columns.set(c, d);
  let description = declared?.description ?? '';
  if (staged) description = `Staging: ${staged.name} typed and deduplicated by its key (the latest ingested version of each row). ${staged.description}`;
  if (!description && model) description = leadingComment(model.source);
  if (!description && model) description = `${model.kind} model ${model.name} (sql/${model.path})`;
  return { description, columns };
}
