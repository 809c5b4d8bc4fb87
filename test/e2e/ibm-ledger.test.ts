/**
 * The IBM "Late Payment Histories" ledger, a real export we did not write, end to end through the
 * CLI with its preset: ingest --mapping ibm-ledger → build → warehouse. Every expectation is computed
 * here from the raw CSV in plain TypeScript (integer cents, UTC day numbers), never from model SQL.
 */
import { loadCatalog } from '../../src/serve/catalog.js';
import { customerActions } from '../../src/serve/slices/customer.js';
import { defaultSettings } from '../../src/serve/settings.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { cli } from '../helpers/cli.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/ar-ibm/WA_Fn-UseC_-Accounts-Receivable.csv');

interface IbmRow {
  invoice: string;
  customer: string;
  invoiceDay: number;
  dueDay: number;
  settledDay: number;
  cents: number;
  daysToSettle: number;
  daysLate: number;
  disputed: boolean;
  paperless: string;
}

/** m/d/yyyy → days since 1970-01-01 (UTC). */
function mdy(s: string): number {
  const [m, d, y] = s.split('/').map(Number);
  return Date.UTC(y!, m! - 1, d!) / 86_400_000;
}
const cents = (s: string) => {
  const [i, f = ''] = s.split('.');
  return Number(i) * 100 + Number((f + '00').slice(0, 2));
};
const isoDay = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

function readIbm(): IbmRow[] {
  const [header, ...lines] = readFileSync(FIXTURE, 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  const at = (name: string) => cols.indexOf(name);
  return lines.map((l) => {
    const f = l.split(',');
    return {
      invoice: f[at('invoiceNumber')]!,
      customer: f[at('customerID')]!,
      invoiceDay: mdy(f[at('InvoiceDate')]!),
      dueDay: mdy(f[at('DueDate')]!),
      settledDay: mdy(f[at('SettledDate')]!),
      cents: cents(f[at('InvoiceAmount')]!),
      daysToSettle: Number(f[at('DaysToSettle')]),
      daysLate: Number(f[at('DaysLate')]),
      disputed: f[at('Disputed')] === 'Yes',
      paperless: f[at('PaperlessBill')]!,
    };
  });
}

function bucketOf(daysPastDue: number): string {
  if (daysPastDue <= 0) return 'not due';
  if (daysPastDue <= 14) return '1-14';
  if (daysPastDue <= 30) return '15-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '>90';
}

describe('IBM accounts-receivable ledger with the ibm-ledger preset', () => {
  const rows = readIbm();
  let lake: string;
  let engine: DuckDBEngine;
  let build: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-ibm-'));
    lake = join(dir, 'lake');
    const ingest = await cli(dir, 'ingest', '--lake', lake, '--mapping', 'ibm-ledger', FIXTURE);
    // stderr carries progress and the 'build next' note; nothing on it may be a warning or an error.
    expect(ingest.stderr).not.toMatch(/^(warning|error)\b/im);
    expect(ingest.stderr).toContain('no warehouse yet');
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toContain('2466 loaded, 0 rejected of 2466 source rows');
    build = await cli(dir, 'build', '--lake', lake);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    engine = await DuckDBEngine.open({ path: join(lake, 'warehouse.duckdb') });
    return async () => engine.close();
  });

  it('reads the file as the real export it is: 2,466 invoices of 100 customers', () => {
    expect(rows).toHaveLength(2466);
    expect(new Set(rows.map((r) => r.customer)).size).toBe(100);
  });

  it('lands every invoice with its amount, dates and settled date', async () => {
    const got = (await engine.query('SELECT document_id, customer_id, document_type, invoice_date, due_date, amount, settled_date FROM invoices')).rows;
    expect(got).toHaveLength(2466);
    const byId = new Map(got.map((r) => [String(r.document_id), r]));
    for (const r of rows) {
      const g = byId.get(r.invoice);
      expect(g, r.invoice).toBeDefined();
      expect(g!.customer_id).toBe(r.customer);
      expect(g!.document_type).toBe('invoice');
      expect(isoDay(String(g!.invoice_date))).toBe(r.invoiceDay);
      expect(isoDay(String(g!.due_date))).toBe(r.dueDay);
      expect(isoDay(String(g!.settled_date))).toBe(r.settledDay);
      expect(cents(String(g!.amount))).toBe(r.cents);
    }
  });

  it('derives one payment per invoice, on its settled date, allocated in full', async () => {
    const got = (
      await engine.query(`SELECT a.document_id, p.payment_date, p.amount AS paid, a.amount AS allocated, p.customer_id
        FROM payments p JOIN payment_allocations a USING (payment_id)`)
    ).rows;
    expect(got).toHaveLength(2466);
    const byDoc = new Map(got.map((r) => [String(r.document_id), r]));
    for (const r of rows) {
      const g = byDoc.get(r.invoice)!;
      expect(isoDay(String(g.payment_date))).toBe(r.settledDay);
      expect(cents(String(g.paid))).toBe(r.cents);
      expect(cents(String(g.allocated))).toBe(r.cents);
      expect(g.customer_id).toBe(r.customer);
    }
  });

  it("gives days to pay and days late equal to the file's own DaysToSettle and DaysLate, for every row", async () => {
    const got = (
      await engine.query(`SELECT i.document_id,
          date_diff('day', i.invoice_date, p.payment_date) AS days_to_pay,
          greatest(0, date_diff('day', i.due_date, p.payment_date)) AS days_late
        FROM invoices i JOIN payment_allocations a USING (document_id) JOIN payments p USING (payment_id)`)
    ).rows;
    const byDoc = new Map(got.map((r) => [String(r.document_id), r]));
    let checked = 0;
    for (const r of rows) {
      const g = byDoc.get(r.invoice)!;
      expect(Number(g.days_to_pay), r.invoice).toBe(r.daysToSettle);
      expect(Number(g.days_late), r.invoice).toBe(r.daysLate);
      checked++;
    }
    expect(checked).toBe(2466);
  });

  it('keeps PaperlessBill as delivery_channel (Paper = paper, Electronic = email)', async () => {
    const got = (await engine.query('SELECT document_id, delivery_channel FROM invoices')).rows;
    const byId = new Map(got.map((r) => [String(r.document_id), r.delivery_channel]));
    for (const r of rows) expect(byId.get(r.invoice), r.invoice).toBe(r.paperless === 'Paper' ? 'paper' : 'email');
    expect(new Set(rows.map((r) => r.paperless))).toEqual(new Set(['Paper', 'Electronic']));
  });

  it('turns Disputed = Yes into a dispute open from the invoice date to the settled date, for the invoice amount', async () => {
    const got = (await engine.query(`SELECT dispute_id, document_id, customer_id, opened_date, resolved_date, reason, disputed_amount, outcome FROM disputes`)).rows;
    const disputed = rows.filter((r) => r.disputed);
    expect(disputed).toHaveLength(561);
    expect(got).toHaveLength(disputed.length);
    const byDoc = new Map(got.map((r) => [String(r.document_id), r]));
    for (const r of disputed) {
      const g = byDoc.get(r.invoice)!;
      expect(g, r.invoice).toBeDefined();
      expect(g.dispute_id).toBe(`DSP-${r.invoice}`);
      expect(g.customer_id).toBe(r.customer);
      expect(isoDay(String(g.opened_date))).toBe(r.invoiceDay);
      expect(isoDay(String(g.resolved_date))).toBe(r.settledDay);
      expect(cents(String(g.disputed_amount))).toBe(r.cents);
      expect([g.reason, g.outcome]).toEqual(['unspecified', 'paid']);
    }
  });

  it("lists each dispute on its customer's page (customer_events and the customer_actions slice), open until resolved", async () => {
    const disputed = rows.filter((r) => r.disputed);
    const events = (await engine.query(`SELECT customer_id, event_date, event_id, document_id, amount, resolved_date, outcome FROM customer_events WHERE event_kind = 'dispute'`)).rows;
    expect(events).toHaveLength(disputed.length);
    const first = disputed[0]!;
    const e = events.find((x) => x.document_id === first.invoice)!;
    expect([e.customer_id, isoDay(String(e.event_date)), isoDay(String(e.resolved_date)), cents(String(e.amount)), e.outcome]).toEqual([first.customer, first.invoiceDay, first.settledDay, first.cents, 'paid']);
    // On a day between opening and resolution the customer page shows it open.
    const mid = new Date((first.invoiceDay + 1) * 86_400_000).toISOString().slice(0, 10);
    const catalog = await loadCatalog(engine);
    const res = await customerActions.run({ engine, catalog, settings: defaultSettings }, { customer_id: first.customer, as_of: mid, limit: 500 });
    const row = res.rows.find((r) => r.event === 'dispute' && r.document_id === first.invoice)!;
    expect(row).toBeDefined();
    expect([row.outcome, row.resolved_date]).toEqual(first.settledDay > first.invoiceDay + 1 ? ['open', null] : ['paid', row.resolved_date]);
  });

  // Issue 11: "the IBM ledger's last month (export stops on 2 December) shows the same jump" as a
  // partial month. The invoices stop on 2 December 2013; settlements run to 9 January 2014.
  it('knows its invoices stop on 2 December: December and January are not complete, the dashboards open on November', async () => {
    const lastInvoice = Math.max(...rows.map((r) => r.invoiceDay));
    const lastSettled = Math.max(...rows.map((r) => r.settledDay));
    const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
    expect([iso(lastInvoice), iso(lastSettled)]).toEqual(['2013-12-02', '2014-01-09']);
    expect(build.stdout).toContain('source freshness: disputes 2013-12-02, invoices 2013-12-02, payments 2014-01-09; data end 2014-01-09');
    expect(build.stderr).toMatch(/warning: invoices ends 2013-12-02, 38 days behind the freshest feed \(2014-01-09\)/);
    expect(build.stdout).toContain('partial month: December 2013 is not covered by every feed: invoices end 2013-12-02');
    expect(build.stdout).toContain('partial month: January 2014 has data for 9 of 31 days');
    const months = (await engine.query(`SELECT CAST(month AS VARCHAR) AS m, is_complete, is_latest_complete FROM kpi_summary WHERE month >= DATE '2013-10-01' ORDER BY month`)).rows;
    expect(months).toEqual([
      { m: '2013-10-01', is_complete: true, is_latest_complete: false },
      { m: '2013-11-01', is_complete: true, is_latest_complete: true },
      // two days of December's sales against a whole month's AR: the jump, now labelled
      { m: '2013-12-01', is_complete: false, is_latest_complete: false },
      { m: '2014-01-01', is_complete: false, is_latest_complete: false },
    ]);
    const flags = (await engine.query(`SELECT DISTINCT is_complete FROM ar_rollforward WHERE month = DATE '2013-12-01'`)).rows;
    expect(flags).toEqual([{ is_complete: false }]);
    // the weeks say the same: the week of Monday 2 December has one day of sales, the next weeks none
    // (before, every week up to the one ending Friday 3 January 2014 counted as complete)
    const weeks = (await engine.query(`SELECT CAST(week_start AS VARCHAR) AS w, bool_and(is_complete) AS every, bool_or(is_complete) AS some
      FROM cash_flow_weekly WHERE week_start >= DATE '2013-11-18' GROUP BY 1 ORDER BY 1`)).rows;
    expect(weeks.map((w) => [w.w, w.every, w.some])).toEqual([
      ['2013-11-18', true, true],
      ['2013-11-25', true, true],
      ['2013-12-02', false, false],
      ['2013-12-09', false, false],
      ['2013-12-16', false, false],
      ['2013-12-23', false, false],
      ['2013-12-30', false, false],
      ['2014-01-06', false, false],
    ]);
    const [cover] = (await engine.query(`SELECT DISTINCT CAST(covered_until AS VARCHAR) AS c, CAST(complete_until AS VARCHAR) AS u, CAST(data_end AS VARCHAR) AS e FROM int_month_ends`)).rows;
    expect(cover).toEqual({ c: '2013-12-02', u: '2013-12-02', e: '2014-01-09' });
  });

  for (const asOf of ['2012-12-31', '2013-06-30']) {
    it(`matches aging and DSO as of ${asOf} computed from the raw CSV`, async () => {
      const d = isoDay(asOf);
      const open = rows.filter((r) => r.invoiceDay <= d && r.settledDay > d);
      const expected = new Map<string, { cents: number; count: number }>();
      for (const r of open) {
        const b = bucketOf(d - r.dueDay);
        const e = expected.get(b) ?? { cents: 0, count: 0 };
        e.cents += r.cents;
        e.count++;
        expected.set(b, e);
      }
      const aging = (
        await engine.query(`SELECT bucket, open_amount, open_count FROM ar_aging
          WHERE as_of_date = DATE '${asOf}' AND group_by = 'ALL'`)
      ).rows;
      expect(aging.length).toBeGreaterThanOrEqual(6);
      for (const a of aging) {
        const e = expected.get(String(a.bucket)) ?? { cents: 0, count: 0 };
        expect(cents(String(a.open_amount)), `${asOf} ${a.bucket}`).toBe(e.cents);
        expect(Number(a.open_count), `${asOf} ${a.bucket}`).toBe(e.count);
      }
      const arCents = open.reduce((s, r) => s + r.cents, 0);
      const monthStart = isoDay(`${asOf.slice(0, 8)}01`);
      const salesCents = rows.filter((r) => r.invoiceDay >= monthStart && r.invoiceDay <= d).reduce((s, r) => s + r.cents, 0);
      const days = d - monthStart + 1;
      const dso = (
        await engine.query(`SELECT ar_end, credit_sales, dso_period_end FROM dso_monthly
          WHERE month_end = DATE '${asOf}' AND group_by = 'ALL'`)
      ).rows[0]!;
      expect(cents(String(dso.ar_end))).toBe(arCents);
      expect(cents(String(dso.credit_sales))).toBe(salesCents);
      expect(Number(dso.dso_period_end)).toBeCloseTo((arCents / salesCents) * days, 2);
    });
  }
});
