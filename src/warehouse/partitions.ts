/**
 * Incremental builds (issue 16), the per-key half: which models an incremental build may recompute for
 * the changed keys only, and the SQL that finds those keys. Pure, no I/O (duckdb/partial-compute.ts
 * runs it); the fingerprints and the plan of what to rebuild are in incremental.ts.
 */
import type { Model } from './compile/index.js';
import { correctionReach } from './correction-reach.js';
import { itemEventsReach } from './item-events-reach.js';
import { canonicalTable } from '../schema/index.js';

/**
 * Models computed per customer (issue 16 item 2): an incremental build recomputes such a model for
 * the customers whose input rows changed and keeps the cached rows of every other customer.
 *
 * A model qualifies when each of its output rows belongs to one value of `key` and is a function of
 * (a) the rows with that same value in each `partitioned` input (in the column named there) and
 * (b) whole `global` inputs. Then, between the model's cached result and now:
 *   - the affected values are those of every row that differs between the old and new version of a
 *     partitioned input (old rows and new rows both, over the columns the model reads);
 *   - each global input must hold exactly the same rows over the columns the model reads;
 *   - the model's own SQL, declared schema and the versions must be the same;
 * and the rows of every value not affected are the same in both. The build computes the model with
 * each partitioned input filtered to the affected values and each input projected to the columns
 * listed (so the binder proves the model reads no other column), and appends the cached rows of the
 * others. Cross-customer logic (bank matching assigns payments to customers) stays upstream of these
 * models, computed whole: the diff of its result is what names the customers it reached.
 * Anything else (no cached result, a global that changed, a new month end) computes the model whole.
 */
export interface PartitionInput {
  /** The input column holding the partition value (a spec with `reach` says otherwise). */
  key: string;
  /** The columns the model reads (the key, and what `reach` reads, included). */
  columns: readonly string[];
}

/**
 * For a model whose input rows can affect other partition values than the one in their own column
 * (a payment applied to another customer's invoice): SQL saying which. `rel(r)` is the relation of
 * input r in the world asked about (the old inputs for old rows, the current ones otherwise).
 */
export interface PartitionReach {
  /**
   * Relations the SQL below reads more than once, computed once per world (each from that world's
   * inputs) and named to `rel` like an input.
   */
  helpers?: Readonly<Record<string, (rel: (r: string) => string) => string>>;
  /**
   * Relations the filters below read more than once, computed once the values to recompute are known
   * (`inA(column)`: a predicate, the column holds one of them), from the current inputs, in order,
   * and named to `rel` like an input (a later one can read an earlier one).
   */
  scoped?: Readonly<Record<string, (inA: (column: string) => string, rel: (r: string) => string) => string>>;
  /** Every partition value (column k) the rows `rows` of `input` can affect. */
  keys(input: string, rows: string, rel: (r: string) => string): string;
  /** The rows of `input` the model needs to compute the values `inA(column)` holds (a predicate). */
  filter(input: string, inA: (column: string) => string, rel: (r: string) => string): string;
}

/**
 * A staging model's raw table, read partitioned: its changes come from the batches, not from a diff.
 * Every version of a key of the table carries the same value of `key` (one of the key's columns), and
 * the model's rows of a value are a function of the versions with that value (latest_versions ranks
 * the versions of each key among themselves). Between the cached result and now, the values whose
 * rows can differ are then exactly those in the batches added or taken out (retired, or compacted:
 * then the model is computed whole) since: every other value has the same versions.
 */
export interface PartitionSource {
  /** The canonical table read through latest_versions(). */
  table: string;
  /** A column of the table's key (in the raw rows and in the model's output). */
  key: string;
}

export interface PartitionSpec {
  /** The output column holding the partition value. */
  key: string;
  /** A raw table read partitioned (a staging model): changed values from the batches. */
  source?: PartitionSource;
  partitioned: Readonly<Record<string, PartitionInput>>;
  /** Inputs read whole: the columns the model reads of them. */
  global: Readonly<Record<string, readonly string[]>>;
  reach?: PartitionReach;
  /**
   * The build's table of the model is computed whole rather than from the cached rows kept plus the
   * recomputed ones, for a model whose whole computation costs less than copying its kept rows (one
   * output row per input row, no grouping). The recomputed keys are still found and their rows
   * computed: they are the cache entry's layer and what the models reading it compare.
   */
  wholeTable?: true;
}

/** Where a partial computation passes a partitioned raw table's rows (the runner's `partial` compiles source(table) to it). */
export const sourceSlot = (table: string) => `source:${table}`;

/** A staging model that is latest_versions(table) and nothing else, partitioned by `key`. */
const staging = (table: string, key: string): PartitionSpec => ({ key, source: { table, key }, partitioned: {}, global: {} });

export const PARTITIONED_MODELS: Readonly<Record<string, PartitionSpec>> = {
  // Staging: the latest version of each key. A new batch's keys are what it can change; the rows of
  // every other key are kept from the cached result instead of ranking every version again.
  stg_payments: staging('payments', 'payment_id'),
  stg_payment_allocations: staging('payment_allocations', 'payment_id'),
  stg_write_offs: staging('write_offs', 'document_id'),
  stg_collection_actions: staging('collection_actions', 'action_id'),
  stg_credit_decisions: staging('credit_decisions', 'decision_id'),
  stg_disputes: staging('disputes', 'dispute_id'),
  stg_customers: staging('customers', 'customer_id'),
  stg_credit_reports: staging('credit_reports', 'report_id'),
  stg_companies: staging('companies', 'company_key'),
  stg_company_identifiers: staging('company_identifiers', 'id_value'),
  stg_insolvency_events: staging('insolvency_events', 'event_id'),
  stg_fx_rates: staging('fx_rates', 'currency'),
  // The invoices, and the documents known only from open-item snapshots (those whose id no invoice
  // row has): a document's row depends on the invoice versions and the snapshot lines of its id only.
  stg_invoices: {
    key: 'document_id',
    source: { table: 'invoices', key: 'document_id' },
    partitioned: {
      stg_open_item_snapshots: { key: 'document_id', columns: canonicalTable('open_item_snapshots').columns.map((c) => c.name) },
    },
    global: {},
  },
  // Each invoice valued in the reporting currency at its date's rate: one row per staged invoice.
  int_invoices: {
    key: 'document_id',
    partitioned: {
      stg_invoices: {
        key: 'document_id',
        columns: ['document_id', 'customer_id', 'document_type', 'invoice_date', 'due_date', 'currency', 'amount', 'settled_date', 'corrects_document_id', 'delivery_channel'],
      },
    },
    global: { int_fx_rates: ['currency', 'valid_from', 'valid_until', 'rate'] },
  },
  // Each document with its AR item: its own row and the row of the document it corrects (see
  // correction-reach.ts for which documents a changed row reaches).
  int_ar_documents: {
    key: 'document_id',
    partitioned: {
      int_invoices: {
        key: 'document_id',
        columns: ['document_id', 'customer_id', 'document_type', 'invoice_date', 'due_date', 'amount', 'settled_date', 'corrects_document_id', 'currency', 'amount_original'],
      },
    },
    global: {},
    reach: correctionReach,
  },
  // Each payment in the reporting currency, with the payer bank matching found for a receipt without
  // one: its own staged row and its own matches. Bank matching itself (across customers and
  // documents) stays upstream, computed whole; its diff names the payments it changed.
  int_payments: {
    key: 'payment_id',
    partitioned: {
      stg_payments: { key: 'payment_id', columns: ['payment_id', 'customer_id', 'payment_date', 'amount', 'currency'] },
      int_bank_matches: { key: 'payment_id', columns: ['payment_id', 'customer_id'] },
    },
    global: { int_fx_rates: ['currency', 'valid_from', 'valid_until', 'rate'] },
  },
  // A document's write-offs in the reporting currency: its staged write-offs and its own currency.
  int_write_offs: {
    key: 'document_id',
    partitioned: {
      stg_write_offs: { key: 'document_id', columns: ['document_id', 'customer_id', 'write_off_date', 'amount', 'reason'] },
      stg_invoices: { key: 'document_id', columns: ['document_id', 'currency'] },
    },
    global: { int_fx_rates: ['currency', 'valid_from', 'valid_until', 'rate'] },
  },
  // A customer's payment days against the month ends' dates: grouped and ranked per customer. Its
  // input credits cash across customers already (int_payment_customers is computed whole upstream).
  int_payment_runs: {
    key: 'customer_id',
    partitioned: { int_payment_customers: { key: 'customer_id', columns: ['customer_id', 'payment_date', 'amount'] } },
    global: { int_month_ends: ['as_of_date'] },
  },
  // A customer's invoiced sales per month, summed over the trailing windows of each month end.
  int_customer_revenue_t12m: {
    key: 'customer_id',
    partitioned: { int_invoices: { key: 'customer_id', columns: ['customer_id', 'invoice_date', 'amount'] } },
    global: { int_month_ends: ['as_of_date', 'month_start'] },
  },
  // Every event of an AR item or a payment: see item-events-reach.ts for which customers a row of
  // each input reaches (payments applied across customers) and what computing some customers reads.
  int_ar_item_events: {
    key: 'customer_id',
    partitioned: {
      int_ar_documents: {
        key: 'customer_id',
        columns: ['document_id', 'customer_id', 'document_type', 'invoice_date', 'due_date', 'amount', 'settled_date', 'item_id', 'currency', 'amount_original'],
      },
      int_payments: { key: 'customer_id', columns: ['payment_id', 'customer_id', 'payment_date', 'amount'] },
      int_payment_allocations: { key: 'customer_id', columns: ['payment_id', 'document_id', 'amount', 'amount_original'] },
      int_write_offs: { key: 'customer_id', columns: ['document_id', 'write_off_date', 'amount', 'amount_original'] },
      int_snapshot_events: { key: 'customer_id', columns: ['document_id', 'event_date', 'amount', 'amount_original'] },
    },
    global: { int_fx_rates: ['currency', 'valid_from', 'valid_until', 'rate'] },
    reach: itemEventsReach,
  },
  // An invoice's events, grouped per item; every document-side event row of an item carries its
  // head document's customer (int_ar_item_events), so an item's events are all in one partition.
  int_invoice_settlements: {
    key: 'customer_id',
    partitioned: {
      int_ar_item_events: {
        key: 'customer_id',
        columns: ['item_kind', 'item_id', 'customer_id', 'item_type', 'item_date', 'due_date', 'item_amount', 'movement', 'source_id', 'source_type', 'event_date', 'amount', 'amount_original'],
      },
    },
    global: {},
  },
  // Every cash-flow event on its own date: one row per input row, carrying that row's customer (a
  // payment's applied part is already the invoice customer's in int_payment_customers, computed whole
  // upstream). Per customer, so the day's flows are found from the recomputed customers' rows instead
  // of a diff of every flow of the ledger (int_cash_flow_days below compares only those).
  int_cash_flows: {
    key: 'customer_id',
    partitioned: {
      int_payment_customers: { key: 'customer_id', columns: ['customer_id', 'payment_date', 'payment_id', 'amount'] },
      int_invoices: { key: 'customer_id', columns: ['customer_id', 'invoice_date', 'document_type', 'amount'] },
      int_write_offs: { key: 'customer_id', columns: ['customer_id', 'write_off_date', 'amount'] },
      int_ar_item_events: { key: 'customer_id', columns: ['customer_id', 'event_date', 'amount', 'item_kind', 'source_type'] },
    },
    global: {},
    // At 1M: 0.3 CPU-s whole against about 1 to copy its 3M kept rows.
    wholeTable: true,
  },
  // Cash flows per day and customer group: each day's rows are sums over that day's flows only
  // (count(DISTINCT payment_id) included: a payment's flow rows all carry its one payment date), so
  // the partition is the day, not the customer. A one-day delta reaches the day it brings and the
  // days of anything re-exported; the groups are read whole and must be the same rows (a new
  // customer, a changed segment or band: computed whole).
  int_cash_flow_days: {
    key: 'flow_date',
    partitioned: {
      int_cash_flows: {
        key: 'flow_date',
        columns: ['customer_id', 'flow_date', 'flow_kind', 'payment_id', 'cash_received', 'invoiced', 'credit_notes', 'written_off'],
      },
    },
    global: { int_customer_groups: ['customer_id', 'group_by', 'group_value'] },
  },
};

/** Where a partition spec does not match its model (every ref once, no raw sources, the keys read). Pure. */
export function partitionProblems(models: readonly Pick<Model, 'name' | 'refs' | 'sources'>[], specs: Readonly<Record<string, PartitionSpec>> = PARTITIONED_MODELS): string[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const out: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const m = byName.get(name);
    if (!m) {
      out.push(`${name}: no such model`);
      continue;
    }
    const sources = spec.source ? [spec.source.table] : [];
    if (JSON.stringify(m.sources) !== JSON.stringify(sources)) out.push(`${name}: reads raw sources ${JSON.stringify(m.sources)}, its spec ${JSON.stringify(sources)}`);
    if (spec.source && !canonicalTable(spec.source.table).key.includes(spec.source.key)) out.push(`${name}: ${spec.source.key} is not a key column of ${spec.source.table}`);
    const covered = [...Object.keys(spec.partitioned), ...Object.keys(spec.global)];
    for (const r of m.refs) if (!covered.includes(r)) out.push(`${name}: ref ${r} is neither partitioned nor global`);
    for (const r of covered) if (!m.refs.includes(r)) out.push(`${name}: ${r} is not one of its refs`);
    if (Object.keys(spec.partitioned).some((r) => r in spec.global)) out.push(`${name}: an input both partitioned and global`);
    if (!spec.reach) for (const [r, p] of Object.entries(spec.partitioned)) if (!p.columns.includes(p.key)) out.push(`${name}: ${r} columns leave out its key ${p.key}`);
    if (!Object.keys(spec.partitioned).length && !spec.source) out.push(`${name}: no partitioned input`);
  }
  return out;
}

const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;

/**
 * The partition values whose rows differ between two relations over `columns` (rows as multisets:
 * old rows missing now and new rows missing before, duplicates counted). Pure.
 */
export function changedKeysSql(oldRel: string, newRel: string, key: string, columns: readonly string[]): string {
  return `SELECT DISTINCT ${ident(key)} AS k FROM (${changedRowsSql(oldRel, newRel, columns)}) d`;
}

/**
 * The rows that differ between two relations over `columns`, each with `_change`: how many more times
 * it is in the new one than in the old (> 0 added, < 0 gone). One grouping over both (NULLs group
 * together, as in EXCEPT ALL): a fifth of the CPU of two EXCEPT ALLs at 1M rows. Pure.
 */
export function changedRowsSql(oldRel: string, newRel: string, columns: readonly string[]): string {
  const cols = columns.map(ident).join(', ');
  return (
    `SELECT ${cols}, sum(_side) AS _change FROM (SELECT ${cols}, 1 AS _side FROM ${newRel} UNION ALL SELECT ${cols}, -1 AS _side FROM ${oldRel}) u ` +
    `GROUP BY ${cols} HAVING sum(_side) <> 0`
  );
}

/** Whether two relations hold the same rows over `columns` (a query giving one row, `same`). Pure. */
export function sameRowsSql(oldRel: string, newRel: string, columns: readonly string[]): string {
  return `SELECT NOT EXISTS (${changedRowsSql(oldRel, newRel, columns)}) AS same`;
}

/** A predicate: `column` holds one of the values in `affected` (column k), NULL included when it is there. Pure. */
export function inKeysSql(column: string, affected: string): string {
  const c = ident(column);
  // IN gives NULL for a NULL value (and for a value not found when the set holds a NULL): never NULL
  // here, or NOT (…) would drop the row instead of keeping it.
  return `(COALESCE(${c} IN (SELECT k FROM ${affected}), false) OR (${c} IS NULL AND EXISTS (SELECT 1 FROM ${affected} WHERE k IS NULL)))`;
}
