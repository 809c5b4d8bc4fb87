import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CANONICAL_TABLES, canonicalTable, disputes, fxRates, openItemSnapshots } from '../schema/tables.js';
import { dayOf, isoOf } from './calendar.js';
import { CsvTableWriter } from './csv-writer.js';
import { APPLICANT_RATIO, applicantDecision } from './decisions.js';
import { distressRecord, drawProfile, ledgerWindow, type CustomerProfile, type DistressedCustomer, type LedgerWindow } from './profiles.js';
import { IdSequence } from './rows.js';
import { simulateCustomer, type LedgerSituations } from './simulate.js';
import { CREDIT_TABLES } from '../schema/credit-tables.js';
import { generateCreditReports } from './credit-reports/index.js';
import { FxSeries, customerCurrency, eurToCurrency } from './fx.js';
import { drawChannel } from './disputes.js';
import { SNAPSHOT_LAYOUTS, SnapshotWriter, openItemsAt, snapshotDates, type SnapshotLayout } from './snapshots.js';
import { payByThirdParty } from './third-party.js';

/** File the ECB-layout rates are written to (the name of the ECB's own download). */
export const FX_RATES_FILE = 'eurofxref-hist.csv';

/** Fixed default end date, so a seed alone determines the ledger (never "today"). */
export const DEFAULT_END_DATE = '2026-10-31';

export interface GenerateOptions {
  customers: number;
  months: number;
  seed: string | number;
  /** Output directory; created if missing. Files are `<table>.csv`. */
  outDir: string;
  /** Last day of the ledger, ISO date; default DEFAULT_END_DATE. */
  endDate?: string;
  /** Real-ledger situations left out by default (credit balances, recoveries, currencies): shares 0–1. */
  situations?: LedgerSituations;
  /**
   * Weekly open-item exports of the ledger (AFAS and/or Exact Online layout), the last one on the end
   * date, written under `<outDir>/snapshots/`. With `both` the customers are split over an AFAS and an
   * Exact Online administration.
   */
  snapshots?: { weeks: number; layout: SnapshotLayout };
  /**
   * Fill invoices.delivery_channel (paper, email, e-invoice, portal; drawn per customer by segment),
   * with its effect on when the customer pays: paper later, e-invoices earlier.
   */
  deliveryChannels?: boolean;
  /** Called after each customer (for progress bars). */
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  outDir: string;
  seed: string;
  startDate: string;
  endDate: string;
  customers: number;
  months: number;
  /** Rows written per canonical table. */
  rows: Record<string, number>;
  files: Record<string, string>;
  /** Customers that stop paying at distress_date (a later bankruptcy feed uses them). */
  distressed: DistressedCustomer[];
  /** With foreign currencies: the ECB-layout rate file (ingest --feed fx-rates). */
  fxRates?: { file: string; days: number; currencies: string[] };
  /** With snapshots: the export files, their dates, and the open-item lines written. */
  snapshots?: { dir: string; layout: SnapshotLayout; dates: string[]; files: string[]; rows: number };
  elapsedMs: number;
}

function windowOf(opts: Pick<GenerateOptions, 'months' | 'seed' | 'endDate'>): LedgerWindow {
  if (!Number.isInteger(opts.months) || opts.months < 1 || opts.months > 240) {
    throw new RangeError(`months must be an integer between 1 and 240, got ${opts.months}`);
  }
  return ledgerWindow(String(opts.seed), opts.months, dayOf(opts.endDate ?? DEFAULT_END_DATE));
}

function checkCustomers(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new RangeError(`customers must be an integer between 1 and 10,000,000, got ${n}`);
}

function checkSnapshots(s: GenerateOptions['snapshots']): void {
  if (!s) return;
  if (!Number.isInteger(s.weeks) || s.weeks < 1 || s.weeks > 520) throw new RangeError(`snapshot weeks must be an integer between 1 and 520, got ${s.weeks}`);
  if (!SNAPSHOT_LAYOUTS.includes(s.layout)) throw new RangeError(`snapshot layout must be one of ${SNAPSHOT_LAYOUTS.join(', ')}, got ${s.layout}`);
}

function checkSituations(s: LedgerSituations): void {
  for (const [k, v] of Object.entries(s)) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new RangeError(`${k} must be a share between 0 and 1, got ${v}`);
  }
}

/**
 * The hidden behaviour profile of every customer, without simulating the ledger (cheap). Same
 * options → same profiles as `generateLedger`.
 */
export function* customerProfiles(opts: Pick<GenerateOptions, 'customers' | 'months' | 'seed' | 'endDate'>): Generator<CustomerProfile> {
  checkCustomers(opts.customers);
  const win = windowOf(opts);
  for (let i = 0; i < opts.customers; i++) yield drawProfile(win, i);
}

/** Customers that stop paying inside the window, with the date they stop (for the bankruptcy feed). */
export function distressedCustomers(opts: Pick<GenerateOptions, 'customers' | 'months' | 'seed' | 'endDate'>): DistressedCustomer[] {
  const out: DistressedCustomer[] = [];
  for (const p of customerProfiles(opts)) {
    const r = distressRecord(p);
    if (r) out.push(r);
  }
  return out;
}

/**
 * Generates a ledger and streams it to `<outDir>/<table>.csv`, one customer at a time: memory is
 * bounded by one customer's rows plus the write buffers.
 */
export async function generateLedger(opts: GenerateOptions): Promise<GenerateSummary> {
  const started = performance.now();
  checkCustomers(opts.customers);
  checkSituations(opts.situations ?? {});
  checkSnapshots(opts.snapshots);
  const thirdParty = opts.situations?.thirdPartyPayments ?? 0;
  // The open-item exports list a customer's unapplied cash under that customer: a third party's
  // unapplied rest would be the payer's in the ledger and the debtor's in the exports.
  if (thirdParty > 0 && opts.snapshots) throw new RangeError('third-party payments cannot be combined with open-item snapshots');
  const win = windowOf(opts);
  await mkdir(opts.outDir, { recursive: true });
  const currencyShare = opts.situations?.currencies ?? 0;
  // rates from a month before the window (documents convert at their date, look-back included)
  const fx = currencyShare > 0 ? new FxSeries(win.seed, win.startDay - 31, win.endDay) : null;
  const snaps = opts.snapshots
    ? new SnapshotWriter(join(opts.outDir, 'snapshots'), snapshotDates(win.endDay, opts.snapshots.weeks, win.startDay), opts.snapshots.layout)
    : null;
  // The credit-report tables are written by ./credit-reports after the ledger (same window and seed).
  const writers = new Map(
    CANONICAL_TABLES.filter((t) => !CREDIT_TABLES.includes(t) && t !== openItemSnapshots && t !== fxRates && t !== disputes).map((t) => [t.name, new CsvTableWriter(join(opts.outDir, `${t.name}.csv`), t)]),
  );
  // disputes.csv only when disputes are generated: the default ledger's files stay as they were
  if ((opts.situations?.disputes ?? 0) > 0) writers.set(disputes.name, new CsvTableWriter(join(opts.outDir, `${disputes.name}.csv`), disputes));
  const w = (name: string) => writers.get(canonicalTable(name).name) as CsvTableWriter;
  const [customers, invoices, payments, allocations, writeOffs, actions, decisions] = [
    w('customers'), w('invoices'), w('payments'), w('payment_allocations'), w('write_offs'), w('collection_actions'), w('credit_decisions'),
  ];
  const ids = new IdSequence();
  const distressed: DistressedCustomer[] = [];
  const applicants = Math.round(opts.customers * APPLICANT_RATIO);
  let applicantsDone = 0;
  let previousCustomer: string | null = null;
  try {
    for (let i = 0; i < opts.customers; i++) {
      const profile = drawProfile(win, i);
      const d = distressRecord(profile);
      if (d) distressed.push(d);
      const currency = fx ? customerCurrency(win.seed, i, currencyShare) : null;
      const channel = opts.deliveryChannels ? drawChannel(win.seed, profile) : null;
      const l = simulateCustomer(profile, win, ids, opts.situations, currency && fx ? { currency, fx } : null, channel);
      if (thirdParty > 0 && previousCustomer !== null) payByThirdParty(l, previousCustomer, thirdParty, win.seed, i);
      previousCustomer = l.customer.customer_id;
      if (snaps) {
        const c = l.customer;
        const limit = c.credit_limit == null ? null : Math.round(Number(c.credit_limit) * 100);
        const last = snaps.dates[snaps.dates.length - 1]!;
        snaps.add(i, {
          customer_id: c.customer_id, name: c.name, kvk_number: c.kvk_number ?? null, vat_number: c.vat_number ?? null,
          country: c.country, payment_terms_days: Number(c.payment_terms_days),
          // the ERP keeps a foreign debtor's limit in its currency (the master's, when it has one there)
          credit_limit_cents: limit === null || !currency || !fx || c.currency !== 'EUR' ? limit : eurToCurrency(limit, fx.rateOn(currency, dayOf(last))),
        }, openItemsAt(l, snaps.dates));
      }
      customers.write(l.customer);
      for (const r of l.invoices) invoices.write(r);
      for (const r of l.payments) payments.write(r);
      for (const r of l.allocations) allocations.write(r);
      for (const r of l.writeOffs) writeOffs.write(r);
      for (const r of l.actions) actions.write(r);
      for (const r of l.decisions) decisions.write(r);
      if (l.disputes.length) for (const r of l.disputes) w('disputes').write(r);
      // applications that never led to a customer are spread over the file, as an ERP would list them
      while (applicantsDone < applicants && applicantsDone * opts.customers < (i + 1) * applicants) {
        decisions.write(applicantDecision(win, applicantsDone++, ids));
      }
      for (const x of writers.values()) await x.flushIfFull();
      opts.onProgress?.(i + 1, opts.customers);
    }
    for (const x of writers.values()) await x.close();
    snaps?.flush();
    if (fx) await writeFile(join(opts.outDir, FX_RATES_FILE), fx.ecbCsv());
  } catch (e) {
    for (const x of writers.values()) x.destroy();
    throw e;
  }
  const rows: Record<string, number> = {};
  const files: Record<string, string> = {};
  for (const [name, x] of writers) {
    rows[name] = x.rows;
    files[name] = x.path;
  }
  const credit = await generateCreditReports({ customers: opts.customers, months: opts.months, seed: win.seed, endDate: isoOf(win.endDay), outDir: opts.outDir });
  Object.assign(rows, credit.rows);
  Object.assign(files, credit.files);
  return {
    outDir: opts.outDir, seed: win.seed, startDate: isoOf(win.startDay), endDate: isoOf(win.endDay),
    customers: opts.customers, months: opts.months, rows, files, distressed,
    ...(fx ? { fxRates: { file: join(opts.outDir, FX_RATES_FILE), days: fx.days.length, currencies: fx.currencies } } : {}),
    ...(snaps && opts.snapshots
      ? { snapshots: { dir: join(opts.outDir, 'snapshots'), layout: opts.snapshots.layout, dates: [...snaps.dates], files: snaps.files, rows: snaps.rows } }
      : {}),
    elapsedMs: Math.round(performance.now() - started),
  };
}
