import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, configWith, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/** Days past due at 31 Jan 2024 → due date. */
const dueFor = (days: number) => new Date(Date.UTC(2024, 0, 31 - days)).toISOString().slice(0, 10);
const EDGE_DAYS = [0, 1, 14, 15, 30, 31, 60, 61, 90, 91];

const edgeLedger: FixtureLedger = {
  customers: [customer('C1')],
  // invoice dated 10 days before its due date (all before the as-of date), amount 100 × (i + 1)
  invoices: EDGE_DAYS.map((d, i) => {
    const due = dueFor(d);
    const issued = new Date(Date.parse(`${due}T00:00:00Z`) - 10 * 86_400_000).toISOString().slice(0, 10);
    return invoice(`E${d}`, 'C1', issued, due, `${(i + 1) * 100}.00`);
  }),
};

describe('aging buckets at their edges', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    // a month-end export: the data runs to 31 January, not to the last invoice date
    f = await buildFixture(edgeLedger, configWith({ extract_date: '2024-01-31' }));
  });

  it('puts 0 days in not due, 14 in 1-14, 15 in 15-30, 90 in 61-90 and 91 in >90', async () => {
    const rows = await f.query(
      `SELECT document_id, days_past_due, bucket FROM ar_open_items WHERE as_of_date = DATE '2024-01-31' ORDER BY days_past_due`,
    );
    expect(rows.map((r) => [r.days_past_due, r.bucket])).toEqual([
      [0, 'not due'], [1, '1-14'], [14, '1-14'], [15, '15-30'], [30, '15-30'],
      [31, '31-60'], [60, '31-60'], [61, '61-90'], [90, '61-90'], [91, '>90'],
    ]);
  });

  it('ar_aging sums amount and count per bucket, dense, with ALL totals', async () => {
    const rows = await f.query(
      `SELECT bucket, open_amount, open_count FROM ar_aging WHERE as_of_date = DATE '2024-01-31' AND segment = 'ALL' ORDER BY bucket_order`,
    );
    expect(rows).toEqual([
      { bucket: 'not due', open_amount: '100.00', open_count: '1' },
      { bucket: '1-14', open_amount: '500.00', open_count: '2' },
      { bucket: '15-30', open_amount: '900.00', open_count: '2' },
      { bucket: '31-60', open_amount: '1300.00', open_count: '2' },
      { bucket: '61-90', open_amount: '1700.00', open_count: '2' },
      { bucket: '>90', open_amount: '1000.00', open_count: '1' },
      { bucket: 'unapplied cash', open_amount: '0.00', open_count: '0' },
      { bucket: 'credit balance', open_amount: '0.00', open_count: '0' },
    ]);
  });

  it('follows configured edges and the invoice_date basis', async () => {
    const g = await buildFixture(edgeLedger, configWith({ extract_date: '2024-01-31', aging: { bucket_edges: [30, 60], basis: 'invoice_date' } }));
    const rows = await g.query(
      `SELECT document_id, days_past_due, bucket, aging_basis FROM ar_open_items WHERE as_of_date = DATE '2024-01-31' ORDER BY days_past_due`,
    );
    // invoice_date basis: each invoice is 10 days older than it is overdue
    expect(rows.map((r) => [r.document_id, r.days_past_due, r.bucket])).toEqual([
      ['E0', 10, '1-30'], ['E1', 11, '1-30'], ['E14', 24, '1-30'], ['E15', 25, '1-30'], ['E30', 40, '31-60'],
      ['E31', 41, '31-60'], ['E60', 70, '>60'], ['E61', 71, '>60'], ['E90', 100, '>60'], ['E91', 101, '>60'],
    ]);
    expect(new Set(rows.map((r) => r.aging_basis))).toEqual(new Set(['invoice_date']));
  });
});

/*
 * C1 (enterprise): I10 1,000 (5 Jan, due 4 Feb), credit note CN10 −200 correcting it (10 Feb),
 *   P10 500 on 15 Feb of which 400 allocated to I10 (100 unapplied), prepayment P14 250 on 20 Feb
 *   allocated to I14 (1,000, dated 5 Mar, due 4 Apr).
 * C2 (smb): CN11 −300 correcting nothing (20 Jan); I12 800 settled on 20 Feb (no allocations);
 *   I13 600 (due 30 Jan) written off in full on 28 Feb.
 */
const movementLedger: FixtureLedger = {
  customers: [customer('C1', 'enterprise'), customer('C2', 'smb')],
  invoices: [
    invoice('I10', 'C1', '2024-01-05', '2024-02-04', '1000.00'),
    invoice('CN10', 'C1', '2024-02-10', '2024-02-10', '-200.00', { corrects_document_id: 'I10' }),
    invoice('I14', 'C1', '2024-03-05', '2024-04-04', '1000.00'),
    invoice('CN11', 'C2', '2024-01-20', '2024-01-20', '-300.00'),
    invoice('I12', 'C2', '2024-01-10', '2024-02-09', '800.00', { settled_date: '2024-02-20' }),
    invoice('I13', 'C2', '2024-01-15', '2024-01-30', '600.00'),
  ],
  payments: [payment('P10', 'C1', '2024-02-15', '500.00'), payment('P14', 'C1', '2024-02-20', '250.00')],
  payment_allocations: [allocation('P10', 'I10', '400.00'), allocation('P14', 'I14', '250.00')],
  write_offs: [{ document_id: 'I13', customer_id: 'C2', write_off_date: '2024-02-28', amount: '600.00', reason: 'bankruptcy' }],
};

describe('open items: credit notes, partial payments, unapplied cash, settled dates, write-offs', () => {
  let f: BuiltFixture;
  const at = (d: string) =>
    f.query(`SELECT document_id, document_type, segment, open_amount, bucket FROM ar_open_items WHERE as_of_date = DATE '${d}' ORDER BY document_id`);
  beforeAll(async () => {
    f = await buildFixture(movementLedger, configWith({ extract_date: '2024-03-31' }));
  });

  it('passes every data test, including the ledger reconciliation', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
  });

  it('31 Jan: documents open in full; a credit note without target stands open as a credit balance, not in an overdue bucket', async () => {
    expect(await at('2024-01-31')).toEqual([
      { document_id: 'CN11', document_type: 'credit_note', segment: 'smb', open_amount: '-300.00', bucket: 'credit balance' },
      { document_id: 'I10', document_type: 'invoice', segment: 'enterprise', open_amount: '1000.00', bucket: 'not due' },
      { document_id: 'I12', document_type: 'invoice', segment: 'smb', open_amount: '800.00', bucket: 'not due' },
      { document_id: 'I13', document_type: 'invoice', segment: 'smb', open_amount: '600.00', bucket: '1-14' },
    ]);
  });

  it('29 Feb: credit note and partial payment reduce I10; unapplied cash and the prepayment are own lines; settled and written-off items are closed', async () => {
    expect(await at('2024-02-29')).toEqual([
      { document_id: 'CN11', document_type: 'credit_note', segment: 'smb', open_amount: '-300.00', bucket: 'credit balance' },
      { document_id: 'I10', document_type: 'invoice', segment: 'enterprise', open_amount: '400.00', bucket: '15-30' },
      { document_id: 'P10', document_type: 'unapplied_cash', segment: 'enterprise', open_amount: '-100.00', bucket: 'unapplied cash' },
      { document_id: 'P14', document_type: 'unapplied_cash', segment: 'enterprise', open_amount: '-250.00', bucket: 'unapplied cash' },
    ]);
  });

  it('31 Mar: the prepayment applies once its invoice exists', async () => {
    expect(await at('2024-03-31')).toEqual([
      { document_id: 'CN11', document_type: 'credit_note', segment: 'smb', open_amount: '-300.00', bucket: 'credit balance' },
      { document_id: 'I10', document_type: 'invoice', segment: 'enterprise', open_amount: '400.00', bucket: '31-60' },
      { document_id: 'I14', document_type: 'invoice', segment: 'enterprise', open_amount: '750.00', bucket: 'not due' },
      { document_id: 'P10', document_type: 'unapplied_cash', segment: 'enterprise', open_amount: '-100.00', bucket: 'unapplied cash' },
    ]);
  });

  it('aging totals per segment and ALL equal the open items', async () => {
    const rows = await f.query(
      `SELECT as_of_date, segment, sum(open_amount) AS ar FROM ar_aging WHERE group_by IN ('segment', 'ALL') GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { as_of_date: '2024-01-31', segment: 'ALL', ar: '2100.00' },
      { as_of_date: '2024-01-31', segment: 'enterprise', ar: '1000.00' },
      { as_of_date: '2024-01-31', segment: 'smb', ar: '1100.00' },
      { as_of_date: '2024-02-29', segment: 'ALL', ar: '-250.00' },
      { as_of_date: '2024-02-29', segment: 'enterprise', ar: '50.00' },
      { as_of_date: '2024-02-29', segment: 'smb', ar: '-300.00' },
      { as_of_date: '2024-03-31', segment: 'ALL', ar: '750.00' },
      { as_of_date: '2024-03-31', segment: 'enterprise', ar: '1050.00' },
      { as_of_date: '2024-03-31', segment: 'smb', ar: '-300.00' },
    ]);
  });

  it('credit sales are invoices minus credit notes dated in the month', async () => {
    const rows = await f.query(`SELECT month, credit_sales FROM dso_monthly WHERE group_by = 'ALL' ORDER BY month`);
    expect(rows).toEqual([
      { month: '2024-01-01', credit_sales: '2100.00' },
      { month: '2024-02-01', credit_sales: '-200.00' },
      { month: '2024-03-01', credit_sales: '1000.00' },
    ]);
  });
});

describe('an empty lake', () => {
  it('builds empty, typed marts and passes the data tests', async () => {
    const f = await buildFixture({});
    expect(f.report.ok).toBe(true);
    const marts = f.report.models.filter((m) => ['ar_open_items', 'ar_aging', 'dso_monthly'].includes(m.name));
    expect(marts.map((m) => [m.name, m.materialised, m.rows]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['ar_aging', 'parquet', 0],
      ['ar_open_items', 'parquet', 0],
      ['dso_monthly', 'parquet', 0],
    ]);
    expect(await f.query('SELECT count(*) AS n FROM invoices')).toEqual([{ n: '0' }]);
  });
});
