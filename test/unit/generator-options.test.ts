/**
 * The generator's real-ledger options in isolation: the ECB-layout rate series (TARGET calendar,
 * newest first, read by the real fx-rates parser), the foreign-currency customers, and the weekly
 * open-item exports replayed from a customer's rows.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dayOf, isoOf } from '../../src/generator/calendar.js';
import { FxSeries, customerCurrency, isTargetClosed } from '../../src/generator/fx.js';
import { generateLedger } from '../../src/generator/index.js';
import { dutchMoney, openItemsAt, snapshotDates } from '../../src/generator/snapshots.js';
import type { CustomerLedger } from '../../src/generator/rows.js';
import { parseFxRates } from '../../src/feeds/fx-rates/parse.js';
import { parseCsv } from '../../src/reference/csv.js';

const root = mkdtempSync(join(tmpdir(), 'creditlake-genopt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ECB-layout rates', () => {
  it('knows the TARGET closing days: weekends, New Year, Good Friday, Easter Monday, 1 May, 25 and 26 December', () => {
    for (const d of ['2025-01-01', '2025-04-18', '2025-04-21', '2025-05-01', '2025-12-25', '2025-12-26', '2024-03-29', '2024-04-01', '2025-06-14', '2025-06-15']) {
      expect(isTargetClosed(dayOf(d)), d).toBe(true);
    }
    for (const d of ['2025-04-17', '2025-04-22', '2025-12-24', '2025-12-31', '2025-06-13']) expect(isTargetClosed(dayOf(d)), d).toBe(false);
  });

  it('writes a seeded series newest first that the fx-rates parser reads without a reject; a weekend takes Friday\'s rate', () => {
    const a = new FxSeries('s', dayOf('2024-01-01'), dayOf('2025-06-30'));
    const b = new FxSeries('s', dayOf('2024-01-01'), dayOf('2025-06-30'));
    expect(a.ecbCsv()).toBe(b.ecbCsv());
    expect(new FxSeries('t', dayOf('2024-01-01'), dayOf('2025-06-30')).ecbCsv()).not.toBe(a.ecbCsv());
    const lines = a.ecbCsv().trim().split('\n');
    expect(lines[0]).toBe('Date,USD,JPY,DKK,GBP,SEK,CHF,NOK,');
    expect(lines[1]!.startsWith('2025-06-30,')).toBe(true);
    expect(lines.at(-1)!.startsWith('2024-01-02,')).toBe(true);
    const parsed = parseFxRates(a.ecbCsv(), 'EUR');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.rejects).toEqual([]);
    expect(parsed.rows.length).toBe((lines.length - 1) * 7);
    expect(a.rateOn('USD', dayOf('2025-06-14'))).toBe(a.rateOn('USD', dayOf('2025-06-13')));
    // realistic levels after 18 months of a mean-reverting walk
    for (const [c, lo, hi] of [['USD', 0.95, 1.25], ['GBP', 0.75, 0.98], ['SEK', 10, 13], ['CHF', 0.82, 1.1]] as const) {
      const r = a.rateOn(c, dayOf('2025-06-30'));
      expect(r, c).toBeGreaterThan(lo);
      expect(r, c).toBeLessThan(hi);
    }
  });

  it('gives a share of the customers a foreign currency, every one of USD, GBP, SEK and CHF', () => {
    const drawn = Array.from({ length: 2000 }, (_, i) => customerCurrency('s', i, 0.2));
    const foreign = drawn.filter((c) => c !== null);
    expect(foreign.length / drawn.length).toBeGreaterThan(0.17);
    expect(foreign.length / drawn.length).toBeLessThan(0.23);
    expect(new Set(foreign)).toEqual(new Set(['USD', 'GBP', 'SEK', 'CHF']));
    expect(Array.from({ length: 100 }, (_, i) => customerCurrency('s', i, 0)).every((c) => c === null)).toBe(true);
  });
});

describe('generate --currencies', () => {
  it('invoices and receipts of foreign customers in their currency, half their limits too, collection costs in euros', async () => {
    const out = join(root, 'fx');
    const s = await generateLedger({ customers: 60, months: 6, seed: 'o', outDir: out, situations: { currencies: 0.3 } });
    expect(s.fxRates?.file).toBe(join(out, 'eurofxref-hist.csv'));
    const read = (t: string) => {
      const [h, ...rows] = parseCsv(readFileSync(join(out, `${t}.csv`), 'utf8'));
      return rows.map((r) => Object.fromEntries(h!.fields.map((k, i) => [k, r.fields[i] ?? ''])));
    };
    const customers = read('customers');
    const invoices = read('invoices');
    const currency = new Map<string, string>();
    for (const i of invoices) {
      expect(currency.get(i.customer_id!) ?? i.currency, i.document_id).toBe(i.currency);
      currency.set(i.customer_id!, i.currency!);
    }
    const abroad = customers.filter((c) => (currency.get(c.customer_id!) ?? 'EUR') !== 'EUR');
    expect(abroad.length).toBeGreaterThan(5);
    for (const c of abroad) {
      expect({ country: c.country, kvk: c.kvk_number }, c.customer_id).toEqual({
        country: { USD: 'US', GBP: 'GB', SEK: 'SE', CHF: 'CH' }[currency.get(c.customer_id!)!], kvk: '',
      });
      // the limit is kept in euros or in the customer's own currency (every other customer abroad)
      expect(['EUR', currency.get(c.customer_id!)], c.customer_id).toContain(c.currency);
    }
    const foreignLimits = abroad.filter((c) => c.currency !== 'EUR' && c.credit_limit !== '');
    expect(foreignLimits.length).toBeGreaterThan(1);
    expect(abroad.filter((c) => c.currency === 'EUR' && c.credit_limit !== '').length).toBeGreaterThan(1);
    // a customer at home keeps its limit in euros
    for (const c of customers.filter((x) => !abroad.includes(x))) expect(c.currency, c.customer_id).toBe('EUR');
    for (const p of read('payments')) expect(p.currency, p.payment_id).toBe(currency.get(p.customer_id!) ?? 'EUR');
  });
});

describe('generate --third-party-payments', () => {
  it("moves the payer of a share of the payments to the customer before; nothing else changes, and 0 changes nothing", async () => {
    const gen = async (name: string, share?: number) => {
      const out = join(root, name);
      await generateLedger({ customers: 40, months: 8, seed: 'tp', outDir: out, ...(share === undefined ? {} : { situations: { thirdPartyPayments: share } }) });
      return (t: string) => readFileSync(join(out, `${t}.csv`), 'utf8');
    };
    const base = await gen('tp-base');
    const zero = await gen('tp-zero', 0);
    const moved = await gen('tp-30', 0.3);
    for (const t of ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions']) {
      expect(zero(t), t).toBe(base(t));
      if (t !== 'payments') expect(moved(t), t).toBe(base(t));
    }
    const rows = (text: string) => {
      const [h, ...r] = parseCsv(text);
      return r.map((x) => Object.fromEntries(h!.fields.map((k, i) => [k, x.fields[i] ?? ''])));
    };
    const customers = rows(base('customers')).map((c) => c.customer_id!);
    const before = rows(base('payments'));
    const after = rows(moved('payments'));
    expect(after.map((p) => ({ ...p, customer_id: '' }))).toEqual(before.map((p) => ({ ...p, customer_id: '' })));
    const changed = after.filter((p, i) => p.customer_id !== before[i]!.customer_id);
    expect(changed.length / after.length).toBeGreaterThan(0.2);
    expect(changed.length / after.length).toBeLessThan(0.4);
    // the payer is the customer listed before the invoice customer
    for (const p of changed) {
      const own = before.find((b) => b.payment_id === p.payment_id)!.customer_id!;
      expect(p.customer_id, p.payment_id).toBe(customers[customers.indexOf(own) - 1]);
    }
    await expect(generateLedger({ customers: 5, months: 3, seed: 'tp', outDir: join(root, 'tp-snap'), situations: { thirdPartyPayments: 0.1 }, snapshots: { weeks: 2, layout: 'afas' } }))
      .rejects.toThrow(/cannot be combined with open-item snapshots/);
  });
});

describe('open-item exports', () => {
  const ledger: CustomerLedger = {
    customer: { customer_id: 'C1', name: 'Alfa B.V.', country: 'NL', segment: 'smb', size_class: 'small', currency: 'EUR', payment_terms_days: 30 } as CustomerLedger['customer'],
    invoices: [
      { document_id: 'I1', customer_id: 'C1', document_type: 'invoice', invoice_date: '2025-01-06', due_date: '2025-02-05', currency: 'EUR', amount: '1000.00' },
      { document_id: 'CN1', customer_id: 'C1', document_type: 'credit_note', invoice_date: '2025-01-10', due_date: '2025-01-10', currency: 'EUR', amount: '-200.00', corrects_document_id: 'I1' },
      { document_id: 'I2', customer_id: 'C1', document_type: 'invoice', invoice_date: '2025-01-08', due_date: '2025-02-07', currency: 'EUR', amount: '500.00' },
    ],
    payments: [
      { payment_id: 'P1', customer_id: 'C1', payment_date: '2025-01-15', amount: '850.00', currency: 'EUR' },
      { payment_id: 'P2', customer_id: 'C1', payment_date: '2025-02-10', amount: '100.00', currency: 'EUR' },
    ],
    // 800 closes I1, 50 goes to I2; P2 stays unallocated
    allocations: [{ payment_id: 'P1', document_id: 'I1', amount: '800.00' }, { payment_id: 'P1', document_id: 'I2', amount: '50.00' }],
    // the rest of I2 is written off, then 100 comes back (cash on the written-off invoice: a recovery, not a credit)
    writeOffs: [{ document_id: 'I2', customer_id: 'C1', write_off_date: '2025-02-03', amount: '450.00', reason: 'uncollectable' }],
    actions: [],
    decisions: [],
    disputes: [],
  };

  it('lists what the rows leave open on each date, receipts not allocated included', () => {
    const [d1, d2, d3] = openItemsAt(ledger, ['2025-01-09', '2025-01-31', '2025-02-14']);
    expect(d1!.map((l) => [l.document_id, l.open])).toEqual([['I1', 100_000], ['I2', 50_000]]);
    expect(d2!.map((l) => [l.document_id, l.open])).toEqual([['I2', 45_000]]);
    expect(d3!.map((l) => [l.document_id, l.open, l.unapplied])).toEqual([['P2', -10_000, true]]);
  });

  it('formats Dutch amounts and weekly dates', () => {
    expect([dutchMoney(123_456_78), dutchMoney(-5), dutchMoney(100_000)]).toEqual(['123.456,78', '-0,05', '1.000,00']);
    expect(snapshotDates(dayOf('2025-06-18'), 3, dayOf('2025-01-01'))).toEqual(['2025-06-04', '2025-06-11', '2025-06-18']);
    expect(snapshotDates(dayOf('2025-01-08'), 3, dayOf('2025-01-01'))).toEqual(['2025-01-01', '2025-01-08']);
    expect(isoOf(dayOf('2025-06-18'))).toBe('2025-06-18');
  });

  it('writes AFAS (UTF-8 with BOM) and Exact Online (Windows-1252, CRLF) files named by their date', async () => {
    const out = join(root, 'snap');
    const s = await generateLedger({ customers: 20, months: 3, seed: 'o', outDir: out, snapshots: { weeks: 3, layout: 'both' } });
    expect(readdirSync(join(out, 'snapshots', 'afas'))).toEqual(s.snapshots!.dates.map((d) => `afas_${d.replace(/-/g, '')}.csv`));
    expect(readdirSync(join(out, 'snapshots', 'exact-online'))).toEqual(s.snapshots!.dates.map((d) => `exact-${d}.csv`));
    const afas = readFileSync(join(out, 'snapshots', 'afas', readdirSync(join(out, 'snapshots', 'afas'))[0]!));
    expect([...afas.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const exact = readFileSync(join(out, 'snapshots', 'exact-online', readdirSync(join(out, 'snapshots', 'exact-online'))[0]!), 'latin1');
    expect(exact.split('\r\n')[0]).toBe('AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef');
    // customers are split over the two administrations: none in both
    const ids = (text: string) => new Set(text.split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.split(';')[0]));
    const inAfas = ids(afas.toString('utf8').replace(/^\uFEFF/, ''));
    for (const id of ids(exact)) expect(inAfas.has(id)).toBe(false);
    expect(s.snapshots!.rows).toBeGreaterThan(20);
  });
});
