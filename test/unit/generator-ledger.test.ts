import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_TABLES, canonicalTable } from '../../src/schema/tables.js';
import { parseCsv } from '../../src/reference/csv.js';
import { distressedCustomers, generateLedger, type GenerateSummary } from '../../src/generator/index.js';

const WRITTEN = CANONICAL_TABLES.filter((t) => t.name !== 'open_item_snapshots' && t.name !== 'fx_rates' && t.name !== 'disputes');
const OPTS = { customers: 300, months: 24, seed: 'unit', endDate: '2026-10-31' } as const;
const root = mkdtempSync(join(tmpdir(), 'creditlake-gen-'));
let summary: GenerateSummary;
const tables: Record<string, Record<string, string>[]> = {};
const headers: Record<string, string[]> = {};

/** Money string → integer cents, without floats. */
function cents(s: string): number {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(s);
  if (!m) throw new Error(`not a 2-decimal amount: ${s}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}
const sumBy = <K>(rows: Record<string, string>[], key: (r: Record<string, string>) => K, val: (r: Record<string, string>) => number) => {
  const m = new Map<K, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + val(r));
  return m;
};
const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

beforeAll(async () => {
  summary = await generateLedger({ ...OPTS, outDir: join(root, 'a') });
  for (const t of WRITTEN) {
    const recs = parseCsv(readFileSync(join(root, 'a', `${t.name}.csv`), 'utf8'));
    headers[t.name] = recs[0]!.fields;
    tables[t.name] = recs.slice(1).map((r) => Object.fromEntries(headers[t.name]!.map((h, i) => [h, r.fields[i] ?? ''])));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generated ledger: layout', () => {
  it('writes one CSV per canonical table with the schema columns as header', () => {
    // open-item snapshots are an export layout of a ledger, not a part of it (written on request)
    expect(CANONICAL_TABLES.filter((t) => !WRITTEN.includes(t)).map((t) => t.name)).toEqual(['disputes', 'open_item_snapshots', 'fx_rates']);
    for (const t of WRITTEN) {
      expect(headers[t.name]).toEqual(t.columns.map((c) => c.name));
      expect(tables[t.name]!.length).toBe(summary.rows[t.name]);
    }
    expect(summary.rows.invoices).toBeGreaterThan(300 * 24);
  });

  it('every row passes its table schema (empty field = NULL)', () => {
    for (const t of WRITTEN) {
      const ints = t.columns.filter((c) => c.sqlType === 'INTEGER').map((c) => c.name);
      for (const r of tables[t.name]!) {
        const row = Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, v === '' ? null : ints.includes(k) ? Number(v) : v]),
        );
        const res = t.schema.safeParse(row);
        if (!res.success) throw new Error(`${t.name}: ${JSON.stringify(r)}: ${res.error.message}`);
      }
    }
  });

  it('money has exactly two decimals and keys are unique', () => {
    for (const t of WRITTEN) {
      const money = t.columns.filter((c) => c.sqlType === 'DECIMAL(18,2)').map((c) => c.name);
      const keys = new Set<string>();
      for (const r of tables[t.name]!) {
        for (const m of money) if (r[m] !== '') expect(r[m]).toMatch(/^-?\d+\.\d{2}$/);
        keys.add(t.key.map((k) => r[k]).join('\u0001'));
      }
      expect(keys.size, `${t.name} key ${t.key.join(',')}`).toBe(tables[t.name]!.length);
    }
    // document ids are unique across invoices and credit notes (key of the invoices table)
    expect(canonicalTable('invoices').key).toEqual(['document_id']);
  });

  it('is byte-identical for the same arguments and differs for another seed', async () => {
    const hash = (dir: string) => {
      const h = createHash('sha256');
      for (const t of WRITTEN) h.update(readFileSync(join(dir, `${t.name}.csv`)));
      return h.digest('hex');
    };
    await generateLedger({ ...OPTS, outDir: join(root, 'b') });
    await generateLedger({ ...OPTS, seed: 'other', outDir: join(root, 'c') });
    expect(hash(join(root, 'b'))).toBe(hash(join(root, 'a')));
    expect(hash(join(root, 'c'))).not.toBe(hash(join(root, 'a')));
  });
});

describe('generated ledger: invariants', () => {
  it('never over-allocates a payment or a document, and never settles more than an invoice', () => {
    const inv = tables.invoices!;
    const amount = new Map(inv.map((r) => [r.document_id!, cents(r.amount!)]));
    const allocByDoc = sumBy(tables.payment_allocations!, (r) => r.document_id!, (r) => cents(r.amount!));
    const allocByPay = sumBy(tables.payment_allocations!, (r) => r.payment_id!, (r) => cents(r.amount!));
    const credits = sumBy(inv.filter((r) => r.document_type === 'credit_note'), (r) => r.corrects_document_id!, (r) => -cents(r.amount!));
    const woff = sumBy(tables.write_offs!, (r) => r.document_id!, (r) => cents(r.amount!));
    for (const [doc, a] of allocByDoc) {
      expect(amount.has(doc)).toBe(true);
      expect(a).toBeGreaterThan(0);
      expect(a).toBeLessThanOrEqual(amount.get(doc)!);
    }
    for (const p of tables.payments!) expect(allocByPay.get(p.payment_id!) ?? 0).toBeLessThanOrEqual(cents(p.amount!));
    for (const r of inv.filter((x) => x.document_type === 'invoice')) {
      const d = r.document_id!;
      expect((allocByDoc.get(d) ?? 0) + (credits.get(d) ?? 0) + (woff.get(d) ?? 0)).toBeLessThanOrEqual(cents(r.amount!));
    }
  });

  it('dates nothing after the end date or before its document, and due dates follow invoice dates', () => {
    const end = summary.endDate;
    const docDate = new Map(tables.invoices!.map((r) => [r.document_id!, r.invoice_date!]));
    const payDate = new Map(tables.payments!.map((r) => [r.payment_id!, r.payment_date!]));
    for (const r of tables.invoices!) {
      expect(r.invoice_date! <= end && r.invoice_date! >= summary.startDate).toBe(true);
      expect(r.due_date! >= r.invoice_date!).toBe(true);
      if (r.corrects_document_id) expect(r.invoice_date! >= docDate.get(r.corrects_document_id)!).toBe(true);
    }
    for (const r of tables.payments!) expect(r.payment_date! <= end).toBe(true);
    for (const r of tables.payment_allocations!) expect(payDate.get(r.payment_id!)! >= docDate.get(r.document_id!)!).toBe(true);
    for (const r of tables.write_offs!) expect(r.write_off_date! <= end && r.write_off_date! >= docDate.get(r.document_id!)!).toBe(true);
    for (const r of tables.collection_actions!) {
      expect(r.action_date! <= end).toBe(true);
      if (r.document_id) expect(r.action_date! >= docDate.get(r.document_id)!).toBe(true);
    }
    for (const r of tables.credit_decisions!) expect(r.decision_date! <= end).toBe(true);
  });

  it('links documents, payments and actions to known customers', () => {
    const ids = new Set(tables.customers!.map((r) => r.customer_id!));
    for (const t of ['invoices', 'payments', 'write_offs', 'collection_actions']) {
      for (const r of tables[t]!) expect(ids.has(r.customer_id!)).toBe(true);
    }
    const custOf = new Map(tables.invoices!.map((r) => [r.document_id!, r.customer_id!]));
    const payCust = new Map(tables.payments!.map((r) => [r.payment_id!, r.customer_id!]));
    for (const r of tables.payment_allocations!) expect(custOf.get(r.document_id!)).toBe(payCust.get(r.payment_id!));
  });
});

describe('generated ledger: Dutch B2B behaviour is visible', () => {
  it('has segments, size classes, 14/30/60 terms, KvK/VAT numbers and SBI codes across sections', () => {
    const c = tables.customers!;
    expect(new Set(c.map((r) => r.segment))).toEqual(new Set(['small_business', 'mid_market', 'enterprise']));
    expect(new Set(c.map((r) => r.size_class))).toEqual(new Set(['micro', 'small', 'medium', 'large']));
    expect(new Set(c.map((r) => r.payment_terms_days))).toEqual(new Set(['14', '30', '60']));
    const nl = c.filter((r) => r.country === 'NL');
    expect(nl.length / c.length).toBeGreaterThan(0.85);
    for (const r of nl) expect(r.kvk_number).toMatch(/^\d{8}$/);
    expect(new Set(nl.map((r) => r.sbi_code!.slice(0, 2))).size).toBeGreaterThan(25);
    expect(c.some((r) => r.name!.includes(','))).toBe(true); // exercises CSV quoting
  });

  it('has credit notes that correct invoices of the same customer', () => {
    const inv = new Map(tables.invoices!.map((r) => [r.document_id!, r]));
    const cns = tables.invoices!.filter((r) => r.document_type === 'credit_note');
    const invoices = tables.invoices!.length - cns.length;
    expect(cns.length / invoices).toBeGreaterThan(0.01);
    expect(cns.length / invoices).toBeLessThan(0.06);
    for (const cn of cns) {
      expect(cents(cn.amount!)).toBeLessThan(0);
      const orig = inv.get(cn.corrects_document_id!)!;
      expect(orig.document_type).toBe('invoice');
      expect(orig.customer_id).toBe(cn.customer_id);
    }
  });

  it('has partial payments, batched payments and unapplied cash', () => {
    const paysPerDoc = sumBy(tables.payment_allocations!, (r) => r.document_id!, () => 1);
    expect([...paysPerDoc.values()].some((n) => n >= 2)).toBe(true);
    const docsPerPay = sumBy(tables.payment_allocations!, (r) => r.payment_id!, () => 1);
    expect([...docsPerPay.values()].some((n) => n >= 2)).toBe(true);
    const alloc = sumBy(tables.payment_allocations!, (r) => r.payment_id!, (r) => cents(r.amount!));
    const unapplied = tables.payments!.filter((p) => (alloc.get(p.payment_id!) ?? 0) < cents(p.amount!));
    expect(unapplied.length).toBeGreaterThan(0);
    expect(unapplied.some((p) => !alloc.has(p.payment_id!))).toBe(true); // wholly unapplied receipts too
  });

  it('dunning follows overdue invoices up the ladder, with costs that grow per step', () => {
    const a = tables.collection_actions!;
    const types = new Set(a.map((r) => r.action_type));
    for (const t of ['reminder', 'dunning_letter', 'phone_call', 'collection_agency']) expect(types.has(t)).toBe(true);
    const due = new Map(tables.invoices!.map((r) => [r.document_id!, r.due_date!]));
    for (const r of a) expect(r.action_date! > due.get(r.document_id!)!).toBe(true);
    const avg = (t: string) => {
      const xs = a.filter((r) => r.action_type === t).map((r) => cents(r.cost!));
      return xs.reduce((s, x) => s + x, 0) / xs.length;
    };
    expect(avg('reminder')).toBeLessThanOrEqual(200);
    expect(avg('dunning_letter')).toBeGreaterThan(avg('reminder'));
    expect(avg('phone_call')).toBeGreaterThan(avg('dunning_letter'));
    expect(avg('collection_agency')).toBeGreaterThanOrEqual(4_000);
    // an agency hand-off is preceded by a dunning letter for the same document
    const byDoc = new Map<string, string[]>();
    for (const r of a) byDoc.set(r.document_id!, [...(byDoc.get(r.document_id!) ?? []), r.action_type!]);
    for (const steps of byDoc.values()) if (steps.includes('collection_agency')) expect(steps).toContain('dunning_letter');
  });

  it('writes off only after long delinquency, with a reason', () => {
    const due = new Map(tables.invoices!.map((r) => [r.document_id!, r.due_date!]));
    expect(tables.write_offs!.length).toBeGreaterThan(0);
    for (const w of tables.write_offs!) {
      expect(daysBetween(due.get(w.document_id!)!, w.write_off_date!)).toBeGreaterThan(180);
      expect(['uncollectable', 'bankruptcy', 'dispute']).toContain(w.reason);
    }
  });

  it('has accepted, limited and refused credit decisions, including applicants that never became customers', () => {
    const d = tables.credit_decisions!;
    expect(new Set(d.map((r) => r.decision))).toEqual(new Set(['accepted', 'limited', 'refused']));
    const applicants = d.filter((r) => r.customer_id === '');
    expect(applicants.length).toBeGreaterThan(0);
    for (const r of applicants) expect(r.applicant).not.toBe('');
    for (const r of d) {
      if (r.decision === 'refused') expect(r.granted_limit).toBe('0.00');
      if (r.decision === 'limited') expect(cents(r.granted_limit!)).toBeLessThan(cents(r.requested_limit!));
    }
    expect(d.some((r) => r.customer_id !== '' && r.decision === 'refused')).toBe(true);
  });

  it('leaves open items at the end date', () => {
    const paid = sumBy(tables.payment_allocations!, (r) => r.document_id!, (r) => cents(r.amount!));
    const open = tables.invoices!.filter((r) => r.document_type === 'invoice' && (paid.get(r.document_id!) ?? 0) < cents(r.amount!));
    expect(open.length).toBeGreaterThan(0);
    expect(open.some((r) => r.due_date! < summary.endDate)).toBe(true); // overdue ones too
  });

  it('reports distressed customers, who pay nothing from their distress date on', () => {
    expect(summary.distressed.length).toBeGreaterThan(0);
    expect(summary.distressed.length / OPTS.customers).toBeLessThan(0.06);
    expect(distressedCustomers(OPTS)).toEqual(summary.distressed);
    for (const d of summary.distressed) {
      const late = tables.payments!.filter((p) => p.customer_id === d.customer_id && p.payment_date! >= d.distress_date);
      expect(late).toEqual([]);
    }
  });
});
