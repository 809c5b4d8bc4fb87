import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { commitBatch, findManifest } from '../../lake/commit-batch.js';
import { batchId, isoDay, lakePaths } from '../../lake/layout.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import type { BatchManifest } from '../../lake/manifest.js';
import { toKey, type LakeStore } from '../../lake/store.js';
import { payments } from '../../schema/index.js';
import { withDuckDB } from '../../warehouse/duckdb/duckdb-engine.js';
import type { ReasonCount } from '../canonical-csv/convert.js';
import { defaultDateWindow } from '../canonical-csv/rules.js';
import { writeParquet, writeQuarantine } from '../credit-report/lake-io.js';
import { IngestUsageError, requireFiles, pct, priorVerdict, type FileIngestResult, type IngestResult } from '../ingest-files.js';
import { MAX_XML_BYTES } from '../ubl/secure-xml.js';
import { parseCamt053, StatementFormatError } from './camt053.js';
import { parseMt940 } from './mt940.js';
import type { LineReject, StatementLine, StatementParse } from './types.js';
import { topReasons } from '../reject-reasons.js';

/**
 * `creditlake ingest --feed bank-statements <file…>`: CAMT.053 (XML) and MT940 statements into
 * `payments`. Credits are customer receipts and load with their remittance information, payer IBAN
 * and name, structured creditor reference and bank reference; the build identifies the payer and
 * matches each receipt to open invoices (int_bank_matches, bank_receipts, payment_matching). Debits
 * (money paid out: suppliers, salaries, fees, refunds) are not receipts and are left out, counted in
 * the result, except returned receipts (a direct debit the payer's bank returned): those are negative
 * receipts the build books against what the returned receipt paid. Reversals of debits are left out
 * too (they give back money paid out). Each file is
 * one batch keyed by its content hash, like every other feed.
 */
export interface BankIngestOptions {
  lakeRoot?: string;
  store?: LakeStore;
  files: readonly string[];
  maxRejectRate?: number;
  scratchDir?: string;
  now?: () => Date;
}

/** MT940 is text of a few hundred bytes per line; the same cap as untrusted XML keeps memory bounded. */
const MAX_STATEMENT_BYTES = MAX_XML_BYTES * 5;

export function parseStatement(bytes: Uint8Array): StatementParse {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return parseCamt053(bytes);
  // MT940 is SWIFT's character set (ASCII); Dutch banks deliver it as ISO-8859-1 at most.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('latin1').decode(bytes);
  }
  return parseMt940(text);
}

interface PaymentRow {
  payment_id: string;
  customer_id: null;
  payment_date: string;
  amount: string;
  currency: string;
  payer_iban: string | null;
  payer_name: string | null;
  remittance_info: string | null;
  creditor_reference: string | null;
  end_to_end_id: string | null;
  bank_reference: string | null;
  bank_account: string;
}

const clip = (s: string | undefined, n = 500) => (s === undefined || s === '' ? null : s.length > n ? s.slice(0, n) : s);

/**
 * Receipt rows of a parsed statement. The payment id is the booked account and the bank's reference,
 * so the same booking in two overlapping statements (a re-downloaded month) is one payment; without a
 * bank reference it is a digest of what identifies the booking.
 */
export function receiptsOf(
  parsed: StatementParse,
  window = defaultDateWindow(),
): { rows: PaymentRow[]; rejects: LineReject[]; debits: number; reversals: number; returns: number } {
  const rows: PaymentRow[] = [];
  const rejects: LineReject[] = [];
  const seen = new Map<string, number>();
  let debits = 0;
  let reversals = 0;
  let returns = 0;
  for (const l of parsed.lines) {
    // A returned receipt is money the customer took back: a negative receipt (the build re-opens what
    // the returned receipt paid). Other reversals undo our own payments: not AR.
    if (l.returned) returns++;
    else if (l.reversal) {
      reversals++;
      continue;
    } else if (l.direction === 'debit') {
      debits++;
      continue;
    }
    const date = l.valueDate ?? l.bookingDate!;
    if (date < window.from || date > window.to) {
      rejects.push({ line: l.line, column: 'value date', reason: `date outside ${window.from} to ${window.to}`, detail: `${l.where}: ${date}`, raw: l.raw });
      continue;
    }
    if (!l.account) {
      rejects.push({ line: l.line, column: 'account', reason: 'no account', detail: `${l.where}: the statement names no account`, raw: l.raw });
      continue;
    }
    if (Number(l.amount) === 0) {
      rejects.push({ line: l.line, column: 'amount', reason: 'payment amount not positive', detail: `${l.where}: ${l.amount}`, raw: l.raw });
      continue;
    }
    const ref = l.bankReference && l.bankReference !== 'NONREF' ? l.bankReference : undefined;
    let id = ref
      ? `${l.account}:${ref}`
      : `${l.account}:${createHash('sha256').update([l.account, date, l.amount, l.currency, l.counterpartyIban, l.endToEndId, l.remittance, l.creditorReference].join('\u0000')).digest('hex').slice(0, 16)}`;
    // Two bookings alike in every field (two equal transfers on one day) are still two receipts.
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n > 1) id = `${id}-${n}`;
    rows.push({
      payment_id: id,
      customer_id: null,
      payment_date: date,
      amount: l.returned ? `-${l.amount}` : l.amount,
      currency: l.currency,
      payer_iban: clip(l.counterpartyIban, 34),
      payer_name: clip(l.counterpartyName, 140),
      // The reason code of a return leads its text: the only place a payment row has for it.
      remittance_info: clip(l.returned ? `returned${l.returnReason ? ` (${l.returnReason})` : ''}${l.remittance ? `: ${l.remittance}` : ''}` : l.remittance),
      creditor_reference: clip(l.creditorReference, 35),
      end_to_end_id: clip(l.endToEndId, 35),
      bank_reference: clip(ref, 35),
      bank_account: l.account,
    });
  }
  return { rows, rejects, debits, reversals, returns };
}

export async function ingestBankStatements(opts: BankIngestOptions): Promise<IngestResult> {
  const store = opts.store ?? new LocalLakeStore(opts.lakeRoot ?? 'lake');
  const maxRejectRate = opts.maxRejectRate ?? 0;
  const now = opts.now ?? (() => new Date());
  await requireFiles(opts.files);
  const files: FileIngestResult[] = [];
  await withDuckDB({ threads: 1 }, async (db) => {
    for (const file of opts.files) {
      const size = (await stat(file)).size;
      const zero = { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rejectRate: 0 };
      if (size > MAX_STATEMENT_BYTES) {
        files.push({ file, sha256: '', sizeBytes: size, warnings: [], topReasons: [], ...zero, status: 'error', failed: true,
          message: `${basename(file)}: ${size} bytes, over the limit of ${MAX_STATEMENT_BYTES} for one statement file` });
        continue;
      }
      const bytes = await readFile(file);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const base = { file, sha256, sizeBytes: bytes.length, warnings: [] as string[], topReasons: [] as ReasonCount[] };
      const prior = await findManifest(store, payments.name, sha256);
      if (prior) {
        const v = priorVerdict(prior, maxRejectRate);
        files.push({ ...base, ...zero, status: 'skipped', failed: v.failed, rejectRate: v.rejectRate, batchId: prior.batch_id, ingestDate: prior.ingest_date,
          topReasons: v.failed ? prior.top_reasons : [], quarantineKey: v.failed ? prior.quarantine_key : undefined,
          message: `already ingested as batch ${prior.batch_id} on ${prior.ingest_date} (${prior.rows_loaded} loaded, ${prior.rows_rejected} rejected)${v.tail}` });
        continue;
      }
      let parsed: StatementParse;
      try {
        parsed = parseStatement(bytes);
      } catch (e) {
        if (!(e instanceof StatementFormatError)) throw e;
        files.push({ ...base, ...zero, status: 'error', failed: true, message: `${basename(file)}: ${e.message}` });
        continue;
      }
      const { rows, rejects: late, debits, reversals, returns } = receiptsOf(parsed);
      const rejects = [...parsed.rejects, ...late];
      const read = parsed.lines.length + parsed.rejects.length;
      if (read === 0) {
        files.push({ ...base, ...zero, status: 'error', failed: true, message: `${basename(file)}: ${parsed.format} statement with no booked entries` });
        continue;
      }
      const started = now();
      const id = batchId(started, sha256);
      const ingestDate = isoDay(started);
      const source = basename(file);
      const scratch = await mkdtemp(join(opts.scratchDir ?? tmpdir(), 'creditlake-bank-'));
      try {
        const dataFile = join(scratch, 'payments.parquet');
        await writeParquet(db, payments, rows, scratch, dataFile);
        let quarantineFile: string | undefined;
        if (rejects.length) {
          quarantineFile = join(scratch, 'quarantine.parquet');
          await writeQuarantine(db, source, rejects, scratch, quarantineFile);
        }
        const reasons = topReasons(source, rejects);
        const manifest: BatchManifest = {
          format_version: 1, batch_id: id, table: payments.name, source_file: source, sha256, size_bytes: bytes.length,
          rows_read: read, rows_loaded: rows.length, rows_rejected: rejects.length, top_reasons: reasons,
          ingest_date: ingestDate, started_at: started.toISOString(), finished_at: now().toISOString(),
          data_key: toKey(lakePaths.rawBatchFile(payments.name, ingestDate, id)),
          quarantine_key: quarantineFile ? toKey(lakePaths.quarantineFile(payments.name, id)) : null,
        };
        await commitBatch(store, manifest, { dataFile, quarantineFile }, { now: now() });
        const rejectRate = rejects.length / read;
        const failed = rejectRate > maxRejectRate;
        const warnings = [...parsed.warnings];
        if (debits) warnings.push(`${debits} debit${debits === 1 ? '' : 's'} left out: money paid out is not a customer receipt`);
        if (returns) warnings.push(`${returns} returned receipt${returns === 1 ? '' : 's'} (returned direct debits, reversed credits) loaded as negative receipts: the build re-opens what the receipt they return paid (rule returned)`);
        if (reversals) warnings.push(`${reversals} reversal${reversals === 1 ? '' : 's'} of a debit left out: it gives back money paid out, not a customer receipt`);
        files.push({
          ...base,
          status: 'loaded',
          failed,
          message:
            `${rows.length} receipts loaded from a ${parsed.format} statement, ${rejects.length} rejected` +
            (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : ''),
          batchId: id,
          ingestDate,
          rowsRead: read,
          rowsLoaded: rows.length,
          rowsRejected: rejects.length,
          rejectRate,
          topReasons: reasons,
          warnings,
          dataKey: manifest.data_key,
          quarantineKey: manifest.quarantine_key,
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
  });
  const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => files.reduce((a, r) => a + r[k], 0);
  return { table: payments.name, lake: store.location, maxRejectRate, files, rowsRead: sum('rowsRead'), rowsLoaded: sum('rowsLoaded'), rowsRejected: sum('rowsRejected'), ok: files.every((f) => !f.failed) };
}

export type { StatementLine };
