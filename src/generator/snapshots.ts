/**
 * Weekly open-item exports ("openstaande posten") of the generated ledger, in the layouts the AFAS
 * and Exact Online presets read: what was open on each export date, replayed from the customer's
 * rows (not from the simulation's state), so an export lists exactly what the event history leaves
 * open on its date. Amounts are in the document's currency, Dutch number and date formats.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoOf, type Day } from './calendar.js';
import type { CustomerLedger } from './rows.js';

export const SNAPSHOT_LAYOUTS = ['afas', 'exact', 'both'] as const;
export type SnapshotLayout = (typeof SNAPSHOT_LAYOUTS)[number];

export interface OpenLine {
  document_id: string;
  invoice_date: string;
  due_date: string;
  currency: string;
  /** The document's own amount (a receipt's for unapplied cash), cents, negative for credits. */
  original: number;
  /** Open on the snapshot date, cents. */
  open: number;
  /** An unallocated receipt (listed as a negative open item, as both ERPs do). */
  unapplied: boolean;
}

const cents = (s: string): number => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a 2-decimal amount: ${s}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
};

interface Move {
  date: string;
  cents: number;
  kind: 'doc' | 'alloc' | 'wo';
}

/**
 * Open items of one customer at each of `dates` (ISO, ascending): documents by their movements
 * (linked credit notes, allocations at their payment's date, write-offs; cash allocated after a
 * write-off first reinstates the written-off debt, as a recovery, so a document never goes below
 * zero for it) and receipts by their unallocated rest.
 */
export function openItemsAt(ledger: CustomerLedger, dates: readonly string[]): OpenLine[][] {
  const docs = new Map(ledger.invoices.map((d) => [d.document_id, d]));
  const headOf = (id: string): string => {
    const d = docs.get(id);
    const t = d?.corrects_document_id ? docs.get(d.corrects_document_id) : undefined;
    return t && !t.corrects_document_id ? t.document_id : id;
  };
  const moves = new Map<string, Move[]>();
  const add = (id: string, date: string, c: number, kind: Move['kind']) => {
    const head = docs.get(id)!;
    const list = moves.get(id) ?? [];
    list.push({ date: date < head.invoice_date ? head.invoice_date : date, cents: c, kind });
    moves.set(id, list);
  };
  for (const d of ledger.invoices) add(headOf(d.document_id), d.invoice_date, cents(d.amount), 'doc');
  const pays = new Map(ledger.payments.map((p) => [p.payment_id, p]));
  const applied = new Map<string, number>();
  for (const a of ledger.allocations) {
    add(headOf(a.document_id), pays.get(a.payment_id)!.payment_date, -cents(a.amount), 'alloc');
    applied.set(a.payment_id, (applied.get(a.payment_id) ?? 0) + cents(a.amount));
  }
  for (const w of ledger.writeOffs) add(headOf(w.document_id), w.write_off_date, -cents(w.amount), 'wo');
  for (const list of moves.values()) list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));

  return dates.map((s) => {
    const out: OpenLine[] = [];
    for (const [id, list] of moves) {
      const d = docs.get(id)!;
      if (d.invoice_date > s) continue;
      let balance = 0;
      let written = 0;
      let recovered = 0;
      for (let i = 0; i < list.length && list[i]!.date <= s; ) {
        const day = list[i]!.date;
        let allocated = false;
        for (; i < list.length && list[i]!.date === day; i++) {
          const m = list[i]!;
          balance += m.cents;
          if (m.kind === 'wo') written -= m.cents;
          if (m.kind === 'alloc') allocated = true;
        }
        if (balance < 0 && allocated && written > recovered) {
          const r = Math.min(written - recovered, -balance);
          balance += r;
          recovered += r;
        }
      }
      if (balance !== 0) {
        out.push({ document_id: id, invoice_date: d.invoice_date, due_date: d.due_date, currency: d.currency, original: cents(d.amount), open: balance, unapplied: false });
      }
    }
    for (const p of ledger.payments) {
      if (p.payment_date > s) continue;
      const rest = cents(p.amount) - (applied.get(p.payment_id) ?? 0);
      if (rest !== 0) {
        out.push({ document_id: p.payment_id, invoice_date: p.payment_date, due_date: p.payment_date, currency: p.currency, original: -cents(p.amount), open: -rest, unapplied: true });
      }
    }
    return out;
  });
}

/** 1234567 → "12.345,67"; −5 → "-0,05" (Dutch grouping and decimal comma). */
export function dutchMoney(c: number): string {
  const abs = Math.abs(c);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${c < 0 ? '-' : ''}${whole},${String(abs % 100).padStart(2, '0')}`;
}
const dutchDate = (iso: string) => `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)}`;
/** A field quoted when it holds the delimiter or a quote (both ERPs quote that way). */
const field = (v: string) => (/[;"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export const AFAS_HEADER = 'DebtorId;DebtorName;ChOfCommNr;VatNr;CountryId;PayCon;Blocked;CreditLimit;CurrencyId;InvoiceNr;InvoiceDate;DueDate;AmountInvoice;AmountOpen';
export const EXACT_HEADER = 'AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef';

/** Debtor attributes an AFAS export repeats on every line; the limit in the debtor's currency. */
export interface Debtor {
  customer_id: string;
  name: string;
  kvk_number: string | null;
  vat_number: string | null;
  country: string;
  payment_terms_days: number;
  credit_limit_cents: number | null;
}

export function afasLine(c: Debtor, l: OpenLine): string {
  return [
    c.customer_id, field(c.name), c.kvk_number ?? '', c.vat_number ?? '', c.country, String(c.payment_terms_days), 'Nee',
    c.credit_limit_cents === null ? '' : dutchMoney(c.credit_limit_cents), l.currency, l.document_id,
    dutchDate(l.invoice_date), dutchDate(l.due_date), dutchMoney(l.original), dutchMoney(l.open),
  ].join(';');
}

export function exactLine(c: Debtor, l: OpenLine): string {
  const entry = Number(l.document_id.replace(/\D/g, '')) || 0;
  // sales journal 70 for documents, bank journal 20 for unallocated receipts
  const description = l.unapplied ? 'Ontvangst niet afgeletterd' : l.original < 0 ? 'Creditnota' : 'Factuur';
  return [
    c.customer_id, field(c.name), l.document_id, dutchDate(l.invoice_date), dutchDate(l.due_date), l.currency,
    dutchMoney(l.open), '0,00', description, String(entry), l.unapplied ? '20' : '70', '',
  ].join(';');
}

/** Windows-1252 bytes of text (Exact Online's CSV encoding); the euro sign is 0x80. */
export function windows1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c === 0x20ac ? 0x80 : c < 256 && (c < 0x80 || c > 0x9f) ? c : 0x3f;
  }
  return out;
}

/**
 * The weekly export files of a ledger, one per layout and snapshot date, appended to customer by
 * customer (buffered) and named as the presets date them: `afas_YYYYMMDD.csv`, `exact-YYYY-MM-DD.csv`.
 */
export class SnapshotWriter {
  readonly files: string[] = [];
  rows = 0;
  private readonly buffers = new Map<string, { afas: boolean; lines: string[] }>();
  private buffered = 0;

  constructor(
    private readonly dir: string,
    readonly dates: readonly string[],
    private readonly layout: SnapshotLayout,
  ) {
    for (const sub of this.layouts()) {
      mkdirSync(join(dir, sub.folder), { recursive: true });
      for (const d of dates) {
        const path = join(dir, sub.folder, sub.name(d));
        // AFAS: UTF-8 with a byte-order mark, LF; Exact: Windows-1252, CRLF
        if (sub.folder === 'afas') writeFileSync(path, `\uFEFF${AFAS_HEADER}\n`);
        else writeFileSync(path, windows1252(`${EXACT_HEADER}\r\n`));
        this.files.push(path);
        this.buffers.set(path, { afas: sub.folder === 'afas', lines: [] });
      }
    }
  }

  private layouts() {
    const afas = { folder: 'afas', name: (d: string) => `afas_${d.replace(/-/g, '')}.csv` };
    const exact = { folder: 'exact-online', name: (d: string) => `exact-${d}.csv` };
    return this.layout === 'afas' ? [afas] : this.layout === 'exact' ? [exact] : [afas, exact];
  }

  /** The administration a customer is in: with `both`, even customers in AFAS, odd ones in Exact. */
  layoutOf(index: number): 'afas' | 'exact' {
    return this.layout === 'both' ? (index % 2 === 0 ? 'afas' : 'exact') : this.layout;
  }

  add(index: number, debtor: Debtor, open: OpenLine[][]): void {
    const layout = this.layoutOf(index);
    const sub = this.layouts().find((l) => (layout === 'afas' ? l.folder === 'afas' : l.folder === 'exact-online'))!;
    this.dates.forEach((d, k) => {
      const buf = this.buffers.get(join(this.dir, sub.folder, sub.name(d)))!.lines;
      for (const l of open[k]!) {
        const text = layout === 'afas' ? afasLine(debtor, l) : exactLine(debtor, l);
        buf.push(text);
        this.buffered += text.length;
        this.rows++;
      }
    });
    if (this.buffered > 8_000_000) this.flush();
  }

  flush(): void {
    for (const [path, { afas, lines }] of this.buffers) {
      if (lines.length === 0) continue;
      if (afas) appendFileSync(path, lines.join('\n') + '\n');
      else appendFileSync(path, windows1252(lines.join('\r\n') + '\r\n'));
      lines.length = 0;
    }
    this.buffered = 0;
  }
}

/** Weekly snapshot dates: the end date and the `weeks − 1` same weekdays before it, not before `from`. */
export function snapshotDates(end: Day, weeks: number, from: Day): string[] {
  const out: string[] = [];
  for (let k = weeks - 1; k >= 0; k--) if (end - 7 * k >= from) out.push(isoOf(end - 7 * k));
  return out;
}
