/**
 * An independent model of a generated ledger for the KPI-suite end-to-end test: read from the
 * canonical CSVs and computed in plain TypeScript in integer cents straight from the definitions in
 * docs/metrics.md. Nothing here reuses the model SQL, so a bug in a model cannot hide behind the same
 * bug in the check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../src/reference/csv.js';
import { sectionOfDivision } from '../../src/reference/sbi.js';

export type Rec = Record<string, string>;

export function readTable(dir: string, table: string): Rec[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, `${table}.csv`), 'utf8'));
  return rows.map((r) => Object.fromEntries(header!.fields.map((h, i) => [h, r.fields[i] ?? ''])));
}

/** "-123.4" → -12340: exact, no float on the way. */
export function cents(s: string): number {
  const neg = s.startsWith('-');
  const [int, frac = ''] = s.replace('-', '').split('.');
  const v = Number(int) * 100 + Number((frac + '00').slice(0, 2));
  return neg ? -v : v;
}
export const money = (c: number) => (c < 0 ? '-' : '') + (Math.abs(c) / 100).toFixed(2);
export const dayNo = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
export const monthOf = (iso: string) => `${iso.slice(0, 7)}-01`;
export function monthEndOf(iso: string): string {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
const later = (a: string, b: string) => (a > b ? a : b);

/** A movement of an open item, dated no earlier than the item itself. */
export interface Movement {
  date: string;
  cents: number;
  kind: 'document' | 'allocation' | 'write_off';
  /** document_type of the document behind a 'document' movement. */
  type?: string;
  own: boolean;
}

export interface Item {
  id: string;
  kind: 'document' | 'payment';
  customer: string;
  type: string;
  date: string;
  due: string;
  amount: number;
  settled: string;
  /** For a document: its own amount, correcting documents, allocations, write-offs. */
  moves: Movement[];
  /** For a payment: allocations leaving it (positive), by effective date. */
  applied: { date: string; cents: number; toCustomer: string }[];
}

export class LedgerModel {
  readonly customers: Rec[];
  readonly invoices: Rec[];
  readonly payments: Rec[];
  readonly actions: Rec[];
  readonly decisions: Rec[];
  readonly writeOffs: Rec[];
  readonly items = new Map<string, Item>();
  readonly monthEnds: string[];
  private readonly attrs = new Map<string, Rec>();

  constructor(dir: string) {
    this.customers = readTable(dir, 'customers');
    this.invoices = readTable(dir, 'invoices');
    this.payments = readTable(dir, 'payments');
    this.actions = readTable(dir, 'collection_actions');
    this.decisions = readTable(dir, 'credit_decisions');
    this.writeOffs = readTable(dir, 'write_offs');
    const allocations = readTable(dir, 'payment_allocations');
    for (const c of this.customers) this.attrs.set(c.customer_id!, c);

    // A document correcting another (that corrects nothing itself) moves that one's balance.
    const docs = new Map(this.invoices.map((d) => [d.document_id!, d]));
    const headOf = (d: Rec) => {
      const t = d.corrects_document_id ? docs.get(d.corrects_document_id) : undefined;
      return t && !t.corrects_document_id && t.document_id !== d.document_id ? t.document_id! : d.document_id!;
    };
    for (const d of this.invoices) {
      if (headOf(d) !== d.document_id) continue;
      this.items.set(d.document_id!, {
        id: d.document_id!, kind: 'document', customer: d.customer_id!, type: d.document_type!, date: d.invoice_date!,
        due: d.due_date!, amount: cents(d.amount!), settled: d.settled_date ?? '', moves: [], applied: [],
      });
    }
    for (const d of this.invoices) {
      const head = this.items.get(headOf(d))!;
      head.moves.push({ date: later(d.invoice_date!, head.date), cents: cents(d.amount!), kind: 'document', type: d.document_type!, own: head.id === d.document_id });
    }
    const pays = new Map(this.payments.map((p) => [p.payment_id!, p]));
    for (const p of this.payments) {
      this.items.set(`pay:${p.payment_id}`, {
        id: p.payment_id!, kind: 'payment', customer: p.customer_id!, type: 'unapplied_cash', date: p.payment_date!, due: '',
        amount: cents(p.amount!), settled: '', moves: [], applied: [],
      });
    }
    for (const a of allocations) {
      const p = pays.get(a.payment_id!);
      const doc = docs.get(a.document_id!);
      if (!p || !doc) continue;
      const head = this.items.get(headOf(doc))!;
      const date = later(p.payment_date!, head.date);
      head.moves.push({ date, cents: -cents(a.amount!), kind: 'allocation', own: false });
      this.items.get(`pay:${p.payment_id}`)!.applied.push({ date, cents: cents(a.amount!), toCustomer: head.customer });
    }
    for (const w of this.writeOffs) {
      const doc = docs.get(w.document_id!);
      if (!doc) continue;
      const head = this.items.get(headOf(doc))!;
      head.moves.push({ date: later(w.write_off_date!, head.date), cents: -cents(w.amount!), kind: 'write_off', own: false });
    }
    const dates = [...this.invoices.map((d) => d.invoice_date!), ...this.payments.map((p) => p.payment_date!), ...this.writeOffs.map((w) => w.write_off_date!)].sort();
    this.monthEnds = [];
    for (let m = monthOf(dates[0]!); m <= dates[dates.length - 1]!; ) {
      this.monthEnds.push(monthEndOf(m));
      const [y, mo] = m.split('-').map(Number) as [number, number];
      m = new Date(Date.UTC(y, mo, 1)).toISOString().slice(0, 10);
    }
  }

  /** Customer grouping value ('unknown' when not recorded), as the marts group. */
  group(customer: string, by: string): string {
    const c = this.attrs.get(customer);
    if (by === 'ALL') return 'ALL';
    if (by === 'sbi_section') return (c?.sbi_code && sectionOfDivision(c.sbi_code.slice(0, 2))) || 'unknown';
    return c?.[by] || 'unknown';
  }

  /** Open amount of an item at D: the metrics.md definition (settled items closed from S on). */
  open(item: Item, d: string): number {
    if (item.date > d) return 0;
    if (item.kind === 'payment') return -item.amount + item.applied.filter((a) => a.date <= d).reduce((s, a) => s + a.cents, 0);
    if (item.settled && item.settled <= d) return 0;
    return item.moves.filter((m) => m.date <= d).reduce((s, m) => s + m.cents, 0);
  }

  /** Date an invoice was settled: from when its balance stays ≤ 0 (or its settled_date, if earlier). */
  settlement(item: Item): string | undefined {
    const byDay = new Map<string, number>();
    for (const m of item.moves) if (!item.settled || m.date <= item.settled) byDay.set(m.date, (byDay.get(m.date) ?? 0) + m.cents);
    let balance = 0;
    let closedSince: string | undefined;
    for (const day of [...byDay.keys()].sort()) {
      balance += byDay.get(day)!;
      if (balance > 0) closedSince = undefined;
      else closedSince ??= day;
    }
    if (item.settled && (!closedSince || closedSince > item.settled)) return item.settled >= item.date ? item.settled : undefined;
    return closedSince;
  }

  /**
   * What cleared an invoice on its settlement date: its settled_date, a write-off of the rest, a
   * payment, or a credit note without cash. Only 'payment' and 'settled_date' closures (without any
   * write-off) count as paid in payment_behaviour.
   */
  closedBy(item: Item): 'settled_date' | 'write_off' | 'payment' | 'credit_note' | undefined {
    const s = this.settlement(item);
    if (!s) return undefined;
    const before = item.moves.filter((m) => m.date <= s && (!item.settled || m.date <= item.settled));
    const onDay = before.filter((m) => m.date === s);
    if (item.settled === s && before.reduce((t, m) => t + m.cents, 0) > 0) return 'settled_date';
    if (onDay.some((m) => m.kind === 'write_off')) return 'write_off';
    if (onDay.some((m) => m.kind === 'allocation')) return 'payment';
    if (onDay.some((m) => m.kind === 'document' && !m.own)) return 'credit_note';
    return 'payment';
  }

  /** Settled by payment or settled date, with no write-off on the way: what payment_behaviour counts. */
  paid(item: Item): boolean {
    const by = this.closedBy(item);
    const s = this.settlement(item);
    return (by === 'payment' || by === 'settled_date') && !item.moves.some((m) => m.kind === 'write_off' && m.date <= s!);
  }

  documents(): Item[] {
    return [...this.items.values()].filter((i) => i.kind === 'document');
  }
  paymentItems(): Item[] {
    return [...this.items.values()].filter((i) => i.kind === 'payment');
  }
}
