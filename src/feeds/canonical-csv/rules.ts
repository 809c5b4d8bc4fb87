import { dateWindow, type DateWindow } from '../../config/plausible-dates.js';
import type { ColumnDef, SqlType, TableDef } from '../../schema/index.js';
import { quoteIdent as q } from '../../schema/index.js';

/**
 * Row checks as SQL, derived from the canonical schema's metadata plus a few business rules per table.
 * Every check is one predicate over the staged rows; the converter evaluates all of them in ONE scan
 * inside DuckDB. A predicate that is NULL (e.g. a comparison with an unparseable amount, which has its
 * own check) does not fire, so each bad value gets one clear reason rather than a cascade.
 */
export interface RowCheck {
  column: string;
  /** Stable reason text: rejects are counted per reason, so it carries no row values. */
  reason: string;
  /**
   * Optional SQL giving a finer stable reason, evaluated only for rows that failed: lets one cheap
   * predicate screen all rows while the costlier diagnosis runs on the few bad ones.
   */
  reasonSql?: string;
  /** SQL predicate that is TRUE for a bad row. */
  failWhen: string;
  /** SQL VARCHAR expression with the offending value(s), for the quarantine `detail` column. */
  detail: string;
  /** A business rule (not a format check): reported only when its column's format is fine. */
  businessRule?: boolean;
}

/**
 * How a column is read from the CSV. Only DATE is typed by `read_csv` (its rejects carry line and
 * column); numbers stay text because DuckDB silently rounds `12.345` to DECIMAL(18,2) and `14.5` to
 * INTEGER, and a wrong amount must be a reject, not a rounding.
 */
export function readType(t: SqlType): 'VARCHAR' | 'DATE' | 'DOUBLE' | 'BOOLEAN' {
  return t === 'DATE' || t === 'DOUBLE' || t === 'BOOLEAN' ? t : 'VARCHAR';
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The dates any ingest accepts, in ONE place (canonical CSV, mapped exports and e-invoices share
 * these row checks). Wide on purpose: a plausibility window per feed (issue 12) can narrow it here.
 */
export const DATE_RANGE = { min: '1900-01-01', max: '2999-12-31' } as const;

/** ISO calendar date text, the only notation canonical CSV takes (no `epoch`, `infinity`, `today`). */
export const ISO_DATE_TEXT = /^\s*(\d{4}-\d{2}-\d{2})?\s*$/;
/**
 * An amount for sign and range rules (DECIMAL(38,…) would be exact but parses 100× slower). A value
 * that fails its format check may round here (`0.004` → `0.00`); the converter drops business-rule
 * reasons on a column whose format already failed, so such a row gets one reason, not two.
 */
export const money = (c: string) => `TRY_CAST(${q(c)} AS DECIMAL(18,2))`;
const quoted = (c: string) => `'"' || ${q(c)} || '"'`;

export type { DateWindow } from '../../config/plausible-dates.js';

/** 1990-01-01 to five years after today: the window when the config names none. */
export function defaultDateWindow(now = new Date()): DateWindow {
  return dateWindow(undefined, now);
}

/**
 * How the checks see the columns: as staged (`staged`: DATE, DOUBLE and BOOLEAN typed, amounts text
 * checked by pattern), or as the direct conversion of a plain file reads them (`scanned`: DATE and
 * DECIMAL(18,2) columns typed by DuckDB's reader, their text forms already proven by the plain scan,
 * canonical-csv/field-watch.ts, so no pattern check of an amount is left to do). `scanned` checks
 * fire on the same rows, but only as a whole: the direct conversion never reports a reason.
 */
export type ValueForm = 'staged' | 'scanned';

function columnChecks(c: ColumnDef, window: DateWindow, form: ValueForm): RowCheck[] {
  const col = q(c.name);
  const day = (d: string) => `DATE '${d}'`;
  const scannedAmount = form === 'scanned' && c.sqlType === 'DECIMAL(18,2)';
  const text = readType(c.sqlType) === 'VARCHAR' && !scannedAmount;
  const checks: RowCheck[] = [];
  if (c.required) {
    checks.push({
      column: c.name,
      reason: 'required value missing',
      // A byte comparison screens out the common case (a value starting above a blank; ascii() decoded
      // the first character and cost 3 times more); trim() only runs on values starting with a blank.
      failWhen: text ? `(${col} IS NULL OR (${col} < '!' AND trim(${col}) = ''))` : `${col} IS NULL`,
      detail: `'empty'`,
    });
  }
  if (c.values) {
    checks.push({
      column: c.name,
      reason: 'unknown value',
      // Not `NOT IN (…)`: DuckDB rewrites an IN list of six or more values into a join, and a join in
      // the direct conversion's COPY (sql.ts plainDirectSql) wrote a multi-threaded read's row groups
      // out of the file's order (collection_actions, 7 action types: 6 rows out of place in 1.07M).
      // Each value compared apart: the same rows fire (a NULL fires none), in the same time.
      failWhen: `(${c.values.map((v) => `${col} <> ${sqlString(v)}`).join(' AND ')})`,
      detail: `${quoted(c.name)} || ${sqlString(` (expected ${c.values.join(' | ')})`)}`,
    });
  }
  if (c.sqlType === 'DECIMAL(18,2)' && !scannedAmount) {
    checks.push({
      column: c.name,
      reason: 'not a decimal amount',
      failWhen: `NOT regexp_matches(${col}, '^-?[0-9]{1,16}(\\.[0-9]{1,2})?$')`,
      reasonSql: `CASE WHEN regexp_matches(${col}, '^-?[0-9]+\\.[0-9]{3,}$') THEN 'more than 2 decimals'
        WHEN regexp_matches(${col}, '^-?[0-9]{17,}(\\.[0-9]{1,2})?$') THEN 'amount too large for DECIMAL(18,2)'
        ELSE 'not a decimal amount' END`,
      detail: quoted(c.name),
    });
  }
  if (c.sqlType === 'DATE' && form === 'scanned') {
    // The direct conversion only asks whether any check fires, never which: one test of the window
    // within the range (a typed date, its text proven ISO) does for the two below.
    const from = window.from > DATE_RANGE.min ? window.from : DATE_RANGE.min;
    const to = window.to < DATE_RANGE.max ? window.to : DATE_RANGE.max;
    checks.push({ column: c.name, reason: `date outside ${from} to ${to}`, failWhen: `NOT (${col} BETWEEN ${day(from)} AND ${day(to)})`, detail: `CAST(${col} AS VARCHAR)` });
  } else if (c.sqlType === 'DATE') {
    // infinity, -infinity and year 0 parse as dates in DuckDB (and print as 1900-01-01 or 1 BC):
    // none is a date a ledger can hold.
    checks.push({
      column: c.name,
      reason: 'date out of range',
      failWhen: `NOT (${col} BETWEEN ${day(DATE_RANGE.min)} AND ${day(DATE_RANGE.max)})`,
      detail: `CAST(${col} AS VARCHAR) || ${sqlString(` (dates run from ${DATE_RANGE.min} to ${DATE_RANGE.max})`)}`,
    });
    // Possible dates a ledger cannot plausibly hold (a typo like 1924 for 2024) are their own reason.
    checks.push({
      column: c.name,
      reason: `date outside ${window.from} to ${window.to}`,
      failWhen: `(${col} BETWEEN ${day(DATE_RANGE.min)} AND ${day(DATE_RANGE.max)}) AND (${col} < ${day(window.from)} OR ${col} > ${day(window.to)})`,
      detail: `CAST(${col} AS VARCHAR)`,
    });
  }
  if (c.sqlType === 'INTEGER' || c.sqlType === 'BIGINT') {
    const digits = c.sqlType === 'INTEGER' ? 9 : 18;
    checks.push({ column: c.name, reason: 'not a whole number', failWhen: `NOT regexp_matches(${col}, '^-?[0-9]{1,${digits}}$')`, detail: quoted(c.name) });
  }
  return checks;
}

const isoCode = (c: string, letters: number, what: string): RowCheck => ({
  column: c,
  reason: `${c} not a ${letters}-letter ${what} code`,
  // A GLOB of the exact length (the whole value must match, byte by byte): the same rows as
  // regexp_matches(c, '^[A-Z]{n}$') at half its cost (0.1 against 0.2 CPU-s over 4M values).
  failWhen: `NOT (${q(c)} GLOB '${'[A-Z]'.repeat(letters)}')`,
  detail: quoted(c),
});
const rule = (column: string, reason: string, failWhen: string, detail = quoted(column)): RowCheck => ({ column, reason, failWhen, detail, businessRule: true });
const dates = (a: string, b: string) => `CAST(${q(a)} AS VARCHAR) || ' < ' || CAST(${q(b)} AS VARCHAR)`;

/** Business rules beyond the column types; keyed by canonical table name. */
const TABLE_RULES: Record<string, RowCheck[]> = {
  customers: [
    isoCode('country', 2, 'ISO 3166-1'),
    isoCode('currency', 3, 'ISO 4217'),
    rule('credit_limit', 'negative credit limit', `${money('credit_limit')} < 0`),
    rule('payment_terms_days', 'negative payment term', `TRY_CAST(${q('payment_terms_days')} AS INTEGER) < 0`),
  ],
  invoices: [
    rule('due_date', 'due_date before invoice_date', `${q('due_date')} < ${q('invoice_date')}`, dates('due_date', 'invoice_date')),
    rule('amount', 'invoice amount not positive', `${q('document_type')} = 'invoice' AND ${money('amount')} <= 0`),
    rule('amount', 'credit note amount not negative', `${q('document_type')} = 'credit_note' AND ${money('amount')} >= 0`),
    isoCode('currency', 3, 'ISO 4217'),
  ],
  // A negative payment is a refund to the customer (of a credit balance or an overpayment): allowed.
  payments: [
    rule('amount', 'payment amount is zero', `${money('amount')} = 0`),
    isoCode('currency', 3, 'ISO 4217'),
    // Only a bank-statement receipt (booked on bank_account) may come without its payer: the build identifies it.
    rule('customer_id', 'customer_id missing (only a bank-statement receipt, with bank_account, may leave it empty)', `${q('customer_id')} IS NULL AND ${q('bank_account')} IS NULL`, `'empty'`),
  ],
  payment_allocations: [rule('amount', 'allocated amount is zero', `${money('amount')} = 0`)],
  // A negative write-off is a recovery of written-off debt (issue 11): allowed only when it says so.
  write_offs: [
    rule('amount', 'write-off amount is zero', `${money('amount')} = 0`),
    rule('amount', "negative write-off without reason 'recovery'", `${money('amount')} < 0 AND lower(trim(COALESCE(${q('reason')}, ''))) <> 'recovery'`,
      `${quoted('amount')} || ' reason ' || ${quoted('reason')}`),
  ],
  disputes: [
    rule('resolved_date', 'resolved_date before opened_date', `${q('resolved_date')} < ${q('opened_date')}`, dates('resolved_date', 'opened_date')),
    rule('disputed_amount', 'disputed amount not positive', `${money('disputed_amount')} <= 0`),
  ],
  fx_rates: [isoCode('currency', 3, 'ISO 4217'), rule('rate', 'rate not positive', `${q('rate')} <= 0`)],
  open_item_snapshots: [
    rule('due_date', 'due_date before invoice_date', `${q('due_date')} < ${q('invoice_date')}`, dates('due_date', 'invoice_date')),
    rule('invoice_date', 'invoice_date after snapshot_date', `${q('invoice_date')} > ${q('snapshot_date')}`, dates('snapshot_date', 'invoice_date')),
    isoCode('currency', 3, 'ISO 4217'),
  ],
  collection_actions: [rule('cost', 'negative cost', `${money('cost')} < 0`)],
  credit_decisions: [
    rule('customer_id', 'neither customer_id nor applicant given', `${q('customer_id')} IS NULL AND ${q('applicant')} IS NULL`, `'empty'`),
    rule('requested_limit', 'negative limit', `${money('requested_limit')} < 0`),
    rule('granted_limit', 'negative limit', `${money('granted_limit')} < 0`),
    rule('granted_limit', 'refused but a limit granted', `${q('decision')} = 'refused' AND ${money('granted_limit')} <> 0`),
  ],
};

/**
 * All checks for a table. Columns absent from the file's header get one "missing from header" check
 * (true for every row) instead of their value checks; absent optional columns are simply NULL.
 */
export function rowChecks(table: TableDef, missingRequired: readonly string[] = [], window: DateWindow = defaultDateWindow(), form: ValueForm = 'staged'): RowCheck[] {
  const missing = new Set(missingRequired);
  const checks: RowCheck[] = [];
  for (const c of table.columns) {
    if (missing.has(c.name)) {
      checks.push({ column: c.name, reason: 'column missing from header', failWhen: 'TRUE', detail: sqlString(`header has no column "${c.name}"`) });
    } else checks.push(...columnChecks(c, window, form));
  }
  for (const r of TABLE_RULES[table.name] ?? []) if (!missing.has(r.column)) checks.push(r);
  return checks;
}
