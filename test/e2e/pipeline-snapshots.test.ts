/**
 * Weekly open-item exports (AFAS and Exact Online presets) of the end-to-end ledger
 * (test/support/e2e-ledger.ts): what each export lists is checked against the event history replayed
 * here in plain TypeScript (test/support/ledger-replay.ts), and a lake built from the exports alone,
 * as a company without an event history has, against that replay too. Nothing here reuses the model SQL.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { cli } from '../helpers/cli.js';
import { END, JUNE_END, SNAPSHOT_WEEKS, generateE2eLedger, sum } from '../support/e2e-ledger.js';
import { cents, toMoney, type LedgerReplay, type Rates, type Rec } from '../support/ledger-replay.js';

describe('weekly open-item exports of the same ledger (AFAS and Exact Online presets)', () => {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-e2e-snap-'));
  const ledgerDir = join(work, 'ledger');
  const snapDir = join(work, 'snapshot-lake');
  let ledger: Record<string, Rec[]>;
  let L: LedgerReplay;
  let rates: Rates;
  let snapDb: DuckDBEngine;

  beforeAll(async () => {
    ({ ledger, rates, L } = await generateE2eLedger(work, ledgerDir));
    // A second lake from the open-item exports alone, as a company without an event history has.
    const snaps = join(ledgerDir, 'snapshots');
    const r1 = await cli(snapDir, 'ingest', '--feed', 'fx-rates', join(ledgerDir, 'eurofxref-hist.csv'));
    expect(r1.code, r1.stderr).toBe(0);
    for (const [preset, folder] of [['afas-debtor-open-items', 'afas'], ['exact-online-receivables', 'exact-online']] as const) {
      const files = readdirSync(join(snaps, folder)).sort().map((f) => join(snaps, folder, f));
      expect(files).toHaveLength(SNAPSHOT_WEEKS);
      const r = await cli(snapDir, 'ingest', '--mapping', preset, ...files);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/total: 10 files, \d+ loaded, 0 rejected/);
    }
    const b2 = await cli(snapDir, 'build');
    expect(b2.code, b2.stderr + b2.stdout).toBe(0);
    snapDb = await DuckDBEngine.open({ path: join(snapDir, 'lake', 'warehouse.duckdb'), readOnly: true });
    return async () => {
      await snapDb.close();
    };
  // a generated ledger and a lake from its exports: minutes on a loaded 2-core machine
  }, 480_000);

  /** The exports, read back independently: per date, document → open amount (cents) and its attributes. */
  const exported = () => {
    const out = new Map<string, Map<string, { open: number; original: number | null; currency: string; invoiceDate: string; layout: string }>>();
    const dutch = (v: string) => cents(v.replace(/\./g, '').replace(',', '.'));
    const iso = (v: string) => `${v.slice(6, 10)}-${v.slice(3, 5)}-${v.slice(0, 2)}`;
    for (const folder of ['afas', 'exact-online']) {
      for (const f of readdirSync(join(ledgerDir, 'snapshots', folder))) {
        const date = /(\d{4})-?(\d{2})-?(\d{2})/.exec(f)!.slice(1).join('-');
        const text = folder === 'afas' ? readFileSync(join(ledgerDir, 'snapshots', folder, f), 'utf8').replace(/^\uFEFF/, '') : readFileSync(join(ledgerDir, 'snapshots', folder, f), 'latin1');
        const [head, ...lines] = text.split(/\r?\n/).filter((l) => l !== '');
        const cols = head!.split(';');
        const m = out.get(date) ?? new Map();
        for (const line of lines) {
          // names may hold a quoted ';' (none in the generated names): split on the plain layout
          const v = Object.fromEntries(line.split(';').map((x, i) => [cols[i]!, x]));
          const id = v.InvoiceNr ?? v.InvoiceNumber!;
          m.set(id, {
            open: dutch(v.AmountOpen ?? v.Amount!), original: v.AmountInvoice ? dutch(v.AmountInvoice) : null, currency: v.CurrencyId ?? v.CurrencyCode!,
            invoiceDate: iso(v.InvoiceDate!), layout: folder,
          });
        }
        out.set(date, m);
      }
    }
    return out;
  };

  it('lists at each weekly date exactly what the event history leaves open, in the document currency', () => {
    const snaps = exported();
    expect([...snaps.keys()].sort()).toHaveLength(SNAPSHOT_WEEKS);
    expect([...snaps.keys()].sort().at(-1)).toBe(END);
    for (const [date, items] of snaps) {
      const open = L.openAt(date);
      const expected = new Map<string, number>();
      for (const l of open.filter((x) => x.kind === 'document')) expected.set(l.id, l.original);
      // unallocated receipts are listed too, negative, in the payment's currency
      for (const p of ledger.payments!.filter((x) => x.payment_date! <= date)) {
        const applied = sum(ledger.payment_allocations!.filter((a) => a.payment_id === p.payment_id && L.itemOf(L.docs.get(a.document_id!)!).invoice_date! <= date), (a) => cents(a.amount!));
        if (cents(p.amount!) !== applied) expected.set(p.payment_id!, applied - cents(p.amount!));
      }
      expect(new Map([...items].map(([id, v]) => [id, v.open])), date).toEqual(expected);
    }
    const layouts = new Set([...snaps.values()].flatMap((m) => [...m.values()].map((v) => `${v.layout} ${v.currency}`)));
    for (const l of ['afas EUR', 'exact-online EUR']) expect(layouts).toContain(l);
    expect([...layouts].filter((l) => !l.endsWith('EUR')).length).toBeGreaterThan(1);
  });

  it('the snapshot lake derives each document\'s open amount at every export date from consecutive exports (derived settlements)', async () => {
    const snaps = exported();
    const { rows } = await snapDb.query(
      `SELECT item_id, CAST(event_date AS VARCHAR) AS d, CAST(amount_original AS VARCHAR) AS a, movement, source_type FROM int_ar_item_events WHERE item_kind = 'document'`,
    );
    expect(rows.filter((r) => r.source_type === 'snapshot').length).toBeGreaterThan(100);
    for (const [date, items] of snaps) {
      const derived = new Map<string, number>();
      for (const r of rows) if (String(r.d) <= date) derived.set(String(r.item_id), (derived.get(String(r.item_id)) ?? 0) + cents(String(r.a)));
      const open = new Map([...derived].filter(([, v]) => v !== 0));
      expect(open, date).toEqual(new Map([...items].map(([id, v]) => [id, v.open])));
    }
  });

  it('the snapshot lake\'s AR equals the event history\'s at the last export, per document and at the closing rate', async () => {
    const { rows } = await snapDb.query(
      `SELECT document_id, CAST(open_amount_original AS VARCHAR) AS orig, CAST(open_amount AS VARCHAR) AS eur, currency FROM ar_open_items WHERE as_of_date = DATE '${JUNE_END}'`,
    );
    const fromEvents = L.openAt(END);
    const docs = fromEvents.filter((l) => l.kind === 'document');
    const snapRows = new Map(rows.map((r) => [String(r.document_id), r]));
    for (const l of docs) {
      expect([snapRows.get(l.id)?.orig, snapRows.get(l.id)?.eur], l.id).toEqual([toMoney(l.original), toMoney(l.amount)]);
    }
    // the rest of the snapshot lake's items are the unallocated receipts, listed as credits in their currency
    const payments = new Map(ledger.payments!.map((p) => [p.payment_id!, p]));
    const others = rows.filter((r) => !docs.some((l) => l.id === r.document_id));
    for (const r of others) {
      const p = payments.get(String(r.document_id))!;
      expect(p, String(r.document_id)).toBeDefined();
      expect(r.currency).toBe(p.currency);
      expect(String(r.eur)).toBe(toMoney(rates.toEur(cents(String(r.orig)), p.currency!, END)));
    }
    expect(rows.length).toBe(docs.length + others.length);
    expect(docs.length).toBeGreaterThan(100);
  });
});
