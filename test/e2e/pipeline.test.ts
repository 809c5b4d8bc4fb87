/**
 * The whole embedded pipeline through the CLI (generate → ingest → build), checked against aging and
 * DSO recomputed here in plain TypeScript from the generated CSVs, in integer cents. Nothing in this
 * file reuses the model SQL: a bug in a model cannot hide behind the same bug in the check.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseCsv } from '../../src/reference/csv.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';

// A mid-month extract (Wednesday 18 June 2025): June is a partial month, aged at the data end and
// with DSO on the days elapsed.
const END = '2025-06-18';
const JUNE_END = '2025-06-30';
const LEDGER_TABLES = ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions'];

function sink() {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _enc, cb) {
        text += String(chunk);
        cb();
      },
    }),
    text: () => text,
  };
}

async function cli(cwd: string, ...argv: string[]) {
  const out = sink();
  const err = sink();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, cwd, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}

type Rec = Record<string, string>;
function readTable(dir: string, table: string): Rec[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, `${table}.csv`), 'utf8'));
  return rows.map((r) => Object.fromEntries(header!.fields.map((h, i) => [h, r.fields[i] ?? ''])));
}

/** "-123.4" → -12340: exact, no float on the way. */
function cents(s: string): number {
  const neg = s.startsWith('-');
  const [int, frac = ''] = s.replace('-', '').split('.');
  const v = Number(int) * 100 + Number((frac + '00').slice(0, 2));
  return neg ? -v : v;
}
const toMoney = (c: number) => (c / 100).toFixed(2);
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const monthEnd = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);

interface OpenLine {
  bucket: string;
  amount: number;
  current: boolean;
}

/** Open items at D per metrics.md, with the default buckets on the due-date basis. */
function openAt(ledger: Record<string, Rec[]>, D: string): OpenLine[] {
  const d = day(D);
  const docs = new Map(ledger.invoices!.map((r) => [r.document_id!, r]));
  // Dated movements per item, replayed day by day so a recovery can be told apart from an overpayment.
  const moves = new Map<string, { day: number; cents: number; kind: 'doc' | 'alloc' | 'wo' }[]>();
  const itemOf = (r: Rec) => {
    const target = r.corrects_document_id ? docs.get(r.corrects_document_id) : undefined;
    return target && !target.corrects_document_id && target.document_id !== r.document_id ? target : r;
  };
  const add = (id: string, dayNo: number, v: number, kind: 'doc' | 'alloc' | 'wo') => {
    if (dayNo > d) return;
    const list = moves.get(id) ?? [];
    list.push({ day: dayNo, cents: v, kind });
    moves.set(id, list);
  };
  for (const r of ledger.invoices!) {
    const item = itemOf(r);
    // A movement never counts before its item exists.
    add(item.document_id!, Math.max(day(r.invoice_date!), day(item.invoice_date!)), cents(r.amount!), 'doc');
  }
  const payments = new Map(ledger.payments!.map((p) => [p.payment_id!, p]));
  const unapplied = new Map<string, number>();
  for (const p of ledger.payments!) if (day(p.payment_date!) <= d) unapplied.set(p.payment_id!, -cents(p.amount!));
  for (const a of ledger.payment_allocations!) {
    const p = payments.get(a.payment_id!)!;
    const item = itemOf(docs.get(a.document_id!)!);
    const when = Math.max(day(p.payment_date!), day(item.invoice_date!));
    if (when <= d) {
      add(item.document_id!, when, -cents(a.amount!), 'alloc');
      unapplied.set(a.payment_id!, (unapplied.get(a.payment_id!) ?? 0) + cents(a.amount!));
    }
  }
  for (const w of ledger.write_offs!) {
    const item = itemOf(docs.get(w.document_id!)!);
    add(item.document_id!, Math.max(day(w.write_off_date!), day(item.invoice_date!)), -cents(w.amount!), 'wo');
  }
  // Recovery: cash allocated after a write-off that would take the document below zero reinstates
  // written-off debt first (up to what was written off), so the document never goes negative for it.
  const balance = new Map<string, number>();
  for (const [id, list] of moves) {
    const days = [...new Set(list.map((m) => m.day))].sort((a, b) => a - b);
    let b = 0;
    let written = 0;
    let recovered = 0;
    for (const t of days) {
      const today = list.filter((m) => m.day === t);
      b += today.reduce((s, m) => s + m.cents, 0);
      written -= today.filter((m) => m.kind === 'wo').reduce((s, m) => s + m.cents, 0);
      if (b < 0 && today.some((m) => m.kind === 'alloc') && written > recovered) {
        const r = Math.min(written - recovered, -b);
        b += r;
        recovered += r;
      }
    }
    balance.set(id, b);
  }
  const lines: OpenLine[] = [];
  for (const [id, amount] of balance) {
    const r = docs.get(id)!;
    if (amount === 0 || (r.settled_date && day(r.settled_date) <= d)) continue;
    const dpd = d - day(r.due_date!);
    // A negative open document (over-credited, uncorrected credit note, overpaid) is a credit
    // balance: its own bucket, never overdue.
    const bucket = amount < 0 ? 'credit balance' : dpd <= 0 ? 'not due' : dpd <= 14 ? '1-14' : dpd <= 30 ? '15-30' : dpd <= 60 ? '31-60' : dpd <= 90 ? '61-90' : '>90';
    lines.push({ bucket, amount, current: amount < 0 || dpd <= 0 });
  }
  for (const amount of unapplied.values()) if (amount !== 0) lines.push({ bucket: 'unapplied cash', amount, current: true });
  return lines;
}

describe('embedded pipeline end to end (CLI, independent recomputation)', () => {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-e2e-'));
  const ledgerDir = join(work, 'ledger');
  let ledger: Record<string, Rec[]>;
  let db: DuckDBEngine;

  beforeAll(async () => {
    // Credit balances on (over-credits, unlinked credit notes, overpayments): a real ledger has them.
    const gen = await cli(work, 'generate', '--customers', '80', '--months', '18', '--seed', 'e2e', '--end-date', END, '--credit-balances', '5%', '--recoveries', '40%', '--out', ledgerDir);
    expect(gen.code, gen.stderr).toBe(0);
    for (const t of LEDGER_TABLES) {
      const res = await cli(work, 'ingest', join(ledgerDir, `${t}.csv`), '--table', t, '--json');
      expect(res.code, `${t}: ${res.stderr}`).toBe(0);
      expect(JSON.parse(res.stdout).rowsRejected).toBe(0);
    }
    const build = await cli(work, 'build');
    expect(build.code, build.stderr + build.stdout).toBe(0);
    ledger = Object.fromEntries(LEDGER_TABLES.map((t) => [t, readTable(ledgerDir, t)]));
    db = await DuckDBEngine.open({ path: join(work, 'lake', 'warehouse.duckdb'), readOnly: true });
    return () => db.close();
  });

  it('lands every generated row exactly once', async () => {
    for (const t of LEDGER_TABLES) {
      const { rows } = await db.query(`SELECT count(*) AS n FROM ${t}`);
      expect(Number(rows[0]!.n), t).toBe(ledger[t]!.length);
    }
  });

  /** The last dated event of the generated CSVs: where the data ends. */
  const dataEnd = () =>
    [...ledger.invoices!.map((r) => r.invoice_date!), ...ledger.payments!.map((r) => r.payment_date!), ...ledger.write_offs!.map((r) => r.write_off_date!)].sort().at(-1)!;

  it('has credit balances of every kind in the generated ledger', () => {
    const open = openAt(ledger, END);
    expect(open.filter((l) => l.bucket === 'credit balance').length).toBeGreaterThan(3);
    expect(ledger.invoices!.some((r) => r.document_type === 'credit_note' && !r.corrects_document_id)).toBe(true);
  });

  it('has recoveries of both kinds, and no written-off document goes negative for them', async () => {
    expect(ledger.write_offs!.filter((w) => w.reason === 'recovery').length).toBeGreaterThan(0);
    const { rows } = await db.query(`SELECT count(*) AS n FROM int_ar_item_events WHERE source_type = 'recovery'`);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  it('ages open AR like an independent recomputation, at several month ends', async () => {
    for (const D of ['2024-09-30', '2025-01-31', '2025-04-30', JUNE_END]) {
      const expected = new Map<string, { amount: number; count: number }>();
      // the partial month is aged at the data end, the last dated event
      for (const l of openAt(ledger, D === JUNE_END ? dataEnd() : D)) {
        const e = expected.get(l.bucket) ?? { amount: 0, count: 0 };
        expected.set(l.bucket, { amount: e.amount + l.amount, count: e.count + 1 });
      }
      const { rows } = await db.query(
        `SELECT bucket, CAST(open_amount AS VARCHAR) AS amount, open_count FROM ar_aging WHERE segment = 'ALL' AND as_of_date = DATE '${D}'`,
      );
      const actual = new Map(rows.map((r) => [String(r.bucket), { amount: cents(String(r.amount)), count: Number(r.open_count) }]));
      for (const [bucket, e] of expected) {
        expect(toMoney(actual.get(bucket)?.amount ?? 0), `${D} ${bucket} amount`).toBe(toMoney(e.amount));
        expect(actual.get(bucket)?.count ?? 0, `${D} ${bucket} count`).toBe(e.count);
      }
      for (const [bucket, a] of actual) if (!expected.has(bucket)) expect(a.amount, `${D} unexpected ${bucket}`).toBe(0);
    }
  });

  it('computes DSO, BPDSO, countback and CEI like an independent recomputation', async () => {
    const sales = new Map<string, number>();
    for (const r of ledger.invoices!) {
      const key = r.invoice_date!.slice(0, 7);
      sales.set(key, (sales.get(key) ?? 0) + cents(r.amount!));
    }
    const months: { key: string; end: string; days: number }[] = [];
    const last = dataEnd();
    for (let m = 0; m < 12; m++) {
      const y = 2024 + Math.floor((6 + m) / 12);
      const mm = ((6 + m) % 12) + 1;
      const end = monthEnd(y, mm);
      // June stops at the data end: its AR is measured there, its days are the days elapsed
      const partial = last < end && end.slice(0, 7) === last.slice(0, 7);
      months.push({ key: end.slice(0, 7), end: partial ? last : end, days: partial ? Number(last.slice(8)) : Number(end.slice(8)) });
    }
    const june = (await db.query(`SELECT is_complete, days_elapsed FROM dso_monthly WHERE segment = 'ALL' AND month = DATE '2025-06-01'`)).rows[0]!;
    expect(june).toEqual({ is_complete: false, days_elapsed: Number(last.slice(8)) });
    const { rows } = await db.query(
      `SELECT strftime(month, '%Y-%m') AS m, CAST(credit_sales AS VARCHAR) AS credit_sales, CAST(ar_end AS VARCHAR) AS ar_end,
              dso, bpdso, dso_countback, cei, pct_current,
              CAST(debit_ar_end AS VARCHAR) AS debit_ar_end, CAST(credit_balances_end AS VARCHAR) AS credit_balances_end
       FROM dso_monthly WHERE segment = 'ALL' ORDER BY month`,
    );
    const byMonth = new Map(rows.map((r) => [String(r.m), r]));
    for (let i = 3; i < months.length; i++) {
      const { key, end, days } = months[i]!;
      const open = openAt(ledger, end);
      const ar = open.reduce((s, l) => s + l.amount, 0);
      const current = open.filter((l) => l.current).reduce((s, l) => s + l.amount, 0);
      const s = sales.get(key) ?? 0;
      const row = byMonth.get(key)!;
      expect(row, key).toBeDefined();
      expect(row.credit_sales, key).toBe(toMoney(s));
      expect(row.ar_end, key).toBe(toMoney(ar));
      expect(Number(row.dso)).toBeCloseTo((ar / s) * days, 6);
      expect(Number(row.bpdso)).toBeCloseTo((current / s) * days, 6);
      // % current on debit balances: the not-yet-due share of what customers owe.
      const debit = open.filter((l) => l.amount > 0);
      const debitTotal = debit.reduce((t, l) => t + l.amount, 0);
      const currentDebit = debit.filter((l) => l.current).reduce((t, l) => t + l.amount, 0);
      expect(row.debit_ar_end, key).toBe(toMoney(debitTotal));
      expect(row.credit_balances_end, key).toBe(toMoney(ar - debitTotal));
      expect(Number(row.pct_current)).toBeCloseTo((currentDebit / debitTotal) * 100, 6);
      // Countback: exhaust AR against sales walking back from this month.
      let rest = ar;
      let countback = 0;
      for (let j = i; j >= 0; j--) {
        const ms = sales.get(months[j]!.key) ?? 0;
        if (rest >= ms) {
          countback += months[j]!.days;
          rest -= ms;
        } else {
          countback += (rest / ms) * months[j]!.days;
          rest = 0;
          break;
        }
      }
      if (rest === 0) expect(Number(row.dso_countback), `${key} countback`).toBeCloseTo(countback, 6);
      const arStart = openAt(ledger, months[i - 1]!.end).reduce((t, l) => t + l.amount, 0);
      const cei = ((arStart + s - ar) / (arStart + s - current)) * 100;
      expect(Number(row.cei), `${key} cei`).toBeCloseTo(cei, 6);
    }
  });
});
