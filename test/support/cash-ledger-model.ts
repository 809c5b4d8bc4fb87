/**
 * An independent TypeScript model of a generated ledger for the KPI suite part B end-to-end test:
 * read straight from the canonical CSVs, money in integer cents, dates as day numbers. It follows
 * the definitions in docs/metrics.md, never the model SQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvObjects } from '../../src/reference/csv.js';

export type Rec = Record<string, string>;

export function readCsv(dir: string, table: string): Rec[] {
  return csvObjects(readFileSync(join(dir, `${table}.csv`), 'utf8')).rows.map((r) => r.values);
}

/** "1234.5" / "-0.07" → integer cents, without floating point. */
export function toCents(s: string): number {
  const neg = s.startsWith('-');
  const [int, frac = ''] = s.replace(/^[-+]/, '').split('.');
  const c = Number(int) * 100 + Number(`${frac}00`.slice(0, 2));
  return neg ? -c : c;
}

export const money = (c: number): string => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;

/** Days since 1970-01-01 (UTC). */
export const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
export const isoOf = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);
/** Monday = 0 … Sunday = 6. 1970-01-01 was a Thursday. */
export const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;
/** Calendar month index (year × 12 + month − 1). */
export const monthIndex = (day: number): number => {
  const d = new Date(day * 86_400_000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
export const monthStartOf = (index: number): number => Date.UTC(Math.floor(index / 12), index % 12, 1) / 86_400_000;
export const monthEndOf = (index: number): number => monthStartOf(index + 1) - 1;
export const daysInMonth = (index: number): number => monthEndOf(index) - monthStartOf(index) + 1;

export interface Receipt {
  day: number;
  cents: number;
}

/** An AR item: a document that corrects no other, with the movements of its correcting documents. */
export interface Item {
  id: string;
  customer: string;
  type: string;
  date: number;
  due: number;
  settled?: number;
  /** Dated movements: documents (+/−), allocations (−), write-offs (−), each counted from the item's date on. */
  moves: { day: number; cents: number }[];
  /** Allocations, dated by payment (not before the item's date). */
  receipts: Receipt[];
}

export interface Payment {
  id: string;
  customer: string;
  day: number;
  cents: number;
}

export class CashLedger {
  readonly segment = new Map<string, string>();
  readonly items = new Map<string, Item>();
  readonly payments: Payment[] = [];
  /** Flows by kind, for the cash-flow marts: [day, customer, cents]. */
  readonly documents: { day: number; customer: string; type: string; cents: number }[] = [];
  readonly writeOffs: { day: number; customer: string; cents: number }[] = [];
  readonly actions: { day: number; cents: number }[] = [];
  readonly refusals: number[] = [];
  readonly firstDay: number;
  readonly lastDay: number;

  constructor(dir: string) {
    for (const c of readCsv(dir, 'customers')) this.segment.set(c.customer_id!, c.segment || 'unknown');
    const docs = readCsv(dir, 'invoices');
    const byId = new Map(docs.map((d) => [d.document_id!, d]));
    const headOf = (d: Rec): Rec => {
      const t = d.corrects_document_id ? byId.get(d.corrects_document_id) : undefined;
      return t && !t.corrects_document_id && t.document_id !== d.document_id ? t : d;
    };
    for (const d of docs) {
      if (headOf(d) !== d) continue;
      this.items.set(d.document_id!, {
        id: d.document_id!, customer: d.customer_id!, type: d.document_type!, date: dayOf(d.invoice_date!), due: dayOf(d.due_date!),
        settled: d.settled_date ? dayOf(d.settled_date) : undefined, moves: [], receipts: [],
      });
    }
    const itemOf = (docId: string): Item | undefined => {
      const d = byId.get(docId);
      return d ? this.items.get(headOf(d).document_id!) : undefined;
    };
    for (const d of docs) {
      const item = itemOf(d.document_id!)!;
      const cents = toCents(d.amount!);
      item.moves.push({ day: Math.max(dayOf(d.invoice_date!), item.date), cents });
      this.documents.push({ day: dayOf(d.invoice_date!), customer: d.customer_id!, type: d.document_type!, cents });
    }
    const payDay = new Map<string, number>();
    for (const p of readCsv(dir, 'payments')) {
      const pay = { id: p.payment_id!, customer: p.customer_id!, day: dayOf(p.payment_date!), cents: toCents(p.amount!) };
      this.payments.push(pay);
      payDay.set(pay.id, pay.day);
    }
    for (const a of readCsv(dir, 'payment_allocations')) {
      const item = itemOf(a.document_id!);
      const paid = payDay.get(a.payment_id!);
      if (!item || paid === undefined) continue;
      const r = { day: Math.max(paid, item.date), cents: toCents(a.amount!) };
      item.receipts.push(r);
      item.moves.push({ day: r.day, cents: -r.cents });
    }
    for (const w of readCsv(dir, 'write_offs')) {
      const cents = toCents(w.amount!);
      this.writeOffs.push({ day: dayOf(w.write_off_date!), customer: w.customer_id!, cents });
      const item = itemOf(w.document_id!);
      if (item) item.moves.push({ day: Math.max(dayOf(w.write_off_date!), item.date), cents: -cents });
    }
    for (const a of readCsv(dir, 'collection_actions')) this.actions.push({ day: dayOf(a.action_date!), cents: toCents(a.cost!) });
    for (const d of readCsv(dir, 'credit_decisions')) if (d.decision === 'refused') this.refusals.push(dayOf(d.decision_date!));
    const days = [...this.documents.map((d) => d.day), ...this.payments.map((p) => p.day), ...this.writeOffs.map((w) => w.day)];
    this.firstDay = Math.min(...days);
    this.lastDay = Math.max(...days);
  }

  segmentOf(customer: string): string {
    return this.segment.get(customer) ?? 'unknown';
  }

  /** Month ends from the first to the last dated event: the as-of dates of the marts. */
  monthEnds(): number[] {
    const out: number[] = [];
    for (let m = monthIndex(this.firstDay); m <= monthIndex(this.lastDay); m++) out.push(monthEndOf(m));
    return out;
  }

  open(item: Item, d: number): number {
    if (item.settled !== undefined && d >= item.settled) return 0;
    return item.moves.reduce((s, m) => (m.day <= d ? s + m.cents : s), 0);
  }

  /** AR(D): open items, minus payments to D, plus the parts of them allocated (effective) by D: unapplied cash included. */
  arAt(d: number): number {
    let ar = 0;
    for (const item of this.items.values()) {
      ar += this.open(item, d);
      for (const r of item.receipts) if (r.day <= d) ar += r.cents;
    }
    for (const p of this.payments) if (p.day <= d) ar -= p.cents;
    return ar;
  }

  /** Overdue AR(D): open documents whose due date is before D. */
  overdueAt(d: number): number {
    let s = 0;
    for (const item of this.items.values()) if (item.due < d) s += this.open(item, d);
    return s;
  }
}
