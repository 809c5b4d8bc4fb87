/**
 * An independent replay of a generated ledger for the end-to-end recomputation (test/e2e/pipeline):
 * open items at a date from the canonical CSVs, in each document's own currency and in EUR, straight
 * from the definitions in docs/metrics.md ("Currencies", "Debit balances and credit balances",
 * recoveries). It reads the ECB-layout rate file itself; nothing here reuses the model SQL.
 */
import { cents, readTable, type Rec } from './kpi-ledger-model.js';

// One CSV reader and one exact cents parser for both independent models of the ledger.
export { cents, readTable, type Rec };
export const LEDGER_TABLES = ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions'];

export const toMoney = (c: number) => (c < 0 ? '-' : '') + (Math.abs(c) / 100).toFixed(2);
export const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
export const isoDay = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
export const monthEnd = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);

/** ECB reference rates (eurofxref-hist layout: Date,USD,…; newest first; units per 1 EUR). */
export class Rates {
  private readonly byCurrency = new Map<string, { days: number[]; rates: number[] }>();

  constructor(text: string, private readonly lookbackDays = 7) {
    const lines = text.trim().split('\n').map((l) => l.split(','));
    const header = lines[0]!;
    for (const row of lines.slice(1).reverse()) {
      header.forEach((code, i) => {
        if (i === 0 || code === '' || row[i] === 'N/A' || !row[i]) return;
        const s = this.byCurrency.get(code) ?? { days: [], rates: [] };
        s.days.push(day(row[0]!));
        s.rates.push(Number(row[i]));
        this.byCurrency.set(code, s);
      });
    }
  }

  /** The latest rate dated within the look-back before `iso`. */
  on(currency: string, iso: string): number {
    const s = this.byCurrency.get(currency);
    const d = day(iso);
    if (!s) throw new Error(`no ${currency} rates`);
    let k = -1;
    for (let i = 0; i < s.days.length && s.days[i]! <= d; i++) k = i;
    if (k < 0 || d - s.days[k]! > this.lookbackDays) throw new Error(`no ${currency} rate for ${iso}`);
    return s.rates[k]!;
  }

  /** Whole cents of `c` cents of `currency` in EUR at the rate of `iso`: ÷ rate, rounded half away from zero. */
  toEur(c: number, currency: string, iso: string): number {
    if (currency === 'EUR') return c;
    const x = ((c / 100) / this.on(currency, iso)) * 100;
    return Math.sign(x) * Math.round(Math.abs(x));
  }
}

export interface OpenLine {
  id: string;
  customer: string;
  kind: 'document' | 'unapplied';
  currency: string;
  /** Open amount in the item's own currency (EUR for unapplied cash, as received), cents. */
  original: number;
  /** In EUR: documents at the closing rate of the date, unapplied cash at its receipt value. */
  amount: number;
  /** In EUR with every movement at its own date's rate. */
  booked: number;
  bucket: string;
  current: boolean;
  due: string;
}

interface Move {
  day: number;
  date: string;
  cents: number;
  eur: number;
  kind: 'doc' | 'alloc' | 'wo';
  /** document_type of the document behind a 'doc' movement. */
  type?: string;
}

/**
 * Everything needed to value open items at any date: items (a document correcting another moves
 * that one's balance), movements in the item's currency with their EUR value at their own date, and
 * each payment's receipt and converted allocations.
 */
export class LedgerReplay {
  readonly docs: Map<string, Rec>;
  readonly moves = new Map<string, Move[]>();
  private readonly payments: Rec[];
  private readonly appliedEur = new Map<string, { day: number; eur: number }[]>();

  constructor(readonly ledger: Record<string, Rec[]>, readonly rates: Rates) {
    this.docs = new Map(ledger.invoices!.map((r) => [r.document_id!, r]));
    this.payments = ledger.payments!;
    const add = (item: Rec, date: string, c: number, eur: number, kind: Move['kind'], type?: string) => {
      const when = Math.max(day(date), day(item.invoice_date!));
      const list = this.moves.get(item.document_id!) ?? [];
      list.push({ day: when, date: isoDay(when), cents: c, eur, kind, type });
      this.moves.set(item.document_id!, list);
    };
    for (const r of ledger.invoices!) add(this.itemOf(r), r.invoice_date!, cents(r.amount!), rates.toEur(cents(r.amount!), r.currency!, r.invoice_date!), 'doc', r.document_type);
    const pays = new Map(this.payments.map((p) => [p.payment_id!, p]));
    // A payment's allocation lines convert together: each is the running total in document order,
    // converted, minus the converted total before it (metrics.md, "Currencies").
    const byPayment = new Map<string, Rec[]>();
    for (const a of ledger.payment_allocations!) byPayment.set(a.payment_id!, [...(byPayment.get(a.payment_id!) ?? []), a]);
    for (const [pid, lines] of byPayment) {
      const p = pays.get(pid)!;
      const running = new Map<string, number>();
      for (const a of [...lines].sort((x, y) => (x.document_id! < y.document_id! ? -1 : 1))) {
        const doc = this.docs.get(a.document_id!)!;
        const item = this.itemOf(doc);
        const before = running.get(doc.currency!) ?? 0;
        const after = before + cents(a.amount!);
        running.set(doc.currency!, after);
        const eur = rates.toEur(after, doc.currency!, p.payment_date!) - rates.toEur(before, doc.currency!, p.payment_date!);
        add(item, p.payment_date!, -cents(a.amount!), -eur, 'alloc');
        const list = this.appliedEur.get(pid) ?? [];
        list.push({ day: Math.max(day(p.payment_date!), day(item.invoice_date!)), eur });
        this.appliedEur.set(pid, list);
      }
    }
    for (const w of ledger.write_offs!) {
      const item = this.itemOf(this.docs.get(w.document_id!)!);
      add(item, w.write_off_date!, -cents(w.amount!), -rates.toEur(cents(w.amount!), item.currency!, w.write_off_date!), 'wo');
    }
  }

  /** The document whose balance a document moves: the one it corrects (if that corrects nothing), else itself. */
  itemOf(r: Rec): Rec {
    const target = r.corrects_document_id ? this.docs.get(r.corrects_document_id) : undefined;
    return target && !target.corrects_document_id && target.document_id !== r.document_id ? target : r;
  }

  /**
   * An item's balance at `d` in its currency and as booked in EUR, replayed day by day: cash
   * allocated after a write-off that takes the document below zero first reinstates written-off debt
   * (a recovery, valued at its day's rate), so the document never goes negative for it.
   */
  balance(id: string, d: number): { original: number; booked: number; recoveries: { date: string; original: number; eur: number }[] } {
    const list = (this.moves.get(id) ?? []).filter((m) => m.day <= d);
    const currency = this.docs.get(id)!.currency!;
    const days = [...new Set(list.map((m) => m.day))].sort((a, b) => a - b);
    let b = 0;
    let eur = 0;
    let written = 0;
    let recovered = 0;
    const recoveries: { date: string; original: number; eur: number }[] = [];
    for (const t of days) {
      const today = list.filter((m) => m.day === t);
      b += today.reduce((s, m) => s + m.cents, 0);
      eur += today.reduce((s, m) => s + m.eur, 0);
      written -= today.filter((m) => m.kind === 'wo').reduce((s, m) => s + m.cents, 0);
      if (b < 0 && today.some((m) => m.kind === 'alloc') && written > recovered) {
        const r = Math.min(written - recovered, -b);
        const rEur = this.rates.toEur(r, currency, isoDay(t));
        b += r;
        eur += rEur;
        recovered += r;
        recoveries.push({ date: isoDay(t), original: r, eur: rEur });
      }
    }
    return { original: b, booked: eur, recoveries };
  }

  /**
   * When and how an invoice was settled (metrics.md, "payment_behaviour"), replayed day by day in its
   * own currency with recoveries reinstating written-off debt as in balance(): the settlement date is
   * the first day from which the balance stays at or below zero; closedBy is what that day brought (a
   * write-off of the rest, else cash, else a correcting credit note); writtenOff says a write-off came
   * on or before it. Undefined while open at `until` (ISO).
   */
  settlement(id: string, until: string): { date: string; closedBy: 'write_off' | 'payment' | 'credit_note'; writtenOff: boolean } | undefined {
    const d = day(until);
    const list = (this.moves.get(id) ?? []).filter((m) => m.day <= d);
    const days = [...new Set(list.map((m) => m.day))].sort((a, b) => a - b);
    let b = 0;
    let written = 0;
    let recovered = 0;
    let since: number | undefined;
    for (const t of days) {
      const today = list.filter((m) => m.day === t);
      b += today.reduce((s, m) => s + m.cents, 0);
      written -= today.filter((m) => m.kind === 'wo').reduce((s, m) => s + m.cents, 0);
      if (b < 0 && today.some((m) => m.kind === 'alloc') && written > recovered) {
        const r = Math.min(written - recovered, -b);
        b += r;
        recovered += r;
      }
      if (b > 0) since = undefined;
      else since ??= t;
    }
    if (since === undefined) return undefined;
    const on = list.filter((m) => m.day === since);
    // a write-off is a 'wo' movement lowering the balance; a negative write-off (recovery) raises it
    const isWriteOff = (m: Move) => m.kind === 'wo' && m.cents < 0;
    const closedBy = on.some(isWriteOff) ? 'write_off' : on.some((m) => m.kind === 'alloc') ? 'payment' : on.some((m) => m.kind === 'doc' && m.type === 'credit_note') ? 'credit_note' : 'payment';
    return { date: isoDay(since), closedBy, writtenOff: list.some((m) => isWriteOff(m) && m.day <= since!) };
  }

  /** Open items at D (documents and unapplied cash), valued at D's closing rate, with their bucket. */
  openAt(D: string): OpenLine[] {
    const d = day(D);
    const lines: OpenLine[] = [];
    for (const id of this.moves.keys()) {
      const r = this.docs.get(id)!;
      if (day(r.invoice_date!) > d || (r.settled_date && day(r.settled_date) <= d)) continue;
      const { original, booked } = this.balance(id, d);
      if (original === 0) continue;
      const amount = this.rates.toEur(original, r.currency!, D);
      const dpd = d - day(r.due_date!);
      // a negative open document is a credit balance: its own bucket, never overdue
      const bucket = amount < 0 ? 'credit balance' : dpd <= 0 ? 'not due' : dpd <= 14 ? '1-14' : dpd <= 30 ? '15-30' : dpd <= 60 ? '31-60' : dpd <= 90 ? '61-90' : '>90';
      lines.push({ id, customer: r.customer_id!, kind: 'document', currency: r.currency!, original, amount, booked, bucket, current: amount < 0 || dpd <= 0, due: r.due_date! });
    }
    for (const p of this.payments) {
      if (day(p.payment_date!) > d) continue;
      const receipt = this.rates.toEur(cents(p.amount!), p.currency!, p.payment_date!);
      const applied = (this.appliedEur.get(p.payment_id!) ?? []).filter((a) => a.day <= d).reduce((s, a) => s + a.eur, 0);
      const open = applied - receipt;
      if (open !== 0) lines.push({ id: p.payment_id!, customer: p.customer_id!, kind: 'unapplied', currency: 'EUR', original: open, amount: open, booked: open, bucket: 'unapplied cash', current: true, due: '' });
    }
    return lines;
  }

  /** The EUR value of payments received in [from, to] (ISO, inclusive). */
  receipts(from: string, to: string, customer?: (c: string) => boolean): number {
    return this.payments
      .filter((p) => p.payment_date! >= from && p.payment_date! <= to && (!customer || customer(p.customer_id!)))
      .reduce((s, p) => s + this.rates.toEur(cents(p.amount!), p.currency!, p.payment_date!), 0);
  }
}
