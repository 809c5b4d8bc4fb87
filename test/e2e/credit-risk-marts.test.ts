import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { ingestCreditReports } from '../../src/feeds/credit-report/ingest.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { generateLedger, type GenerateSummary } from '../../src/generator/index.js';
import { parseCsv } from '../../src/reference/csv.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

/**
 * End to end: generated ledger + credit reports → ingest (ERP tables with --table, credit reports
 * with --feed credit-report) → build → the credit-risk marts, checked against figures this test
 * computes itself from the generated CSVs (plain TypeScript, not the model SQL).
 */
type Col =
  | 'kvk_number' | 'vat_number' | 'company_key' | 'event_type' | 'event_date' | 'common_band' | 'report_date' | 'provider'
  | 'sbi_code' | 'id_type' | 'id_value' | 'customer_id' | 'payment_id' | 'payment_date' | 'document_id' | 'invoice_date'
  | 'settled_date' | 'amount' | 'write_off_date';
/** A CSV row; every column this test reads is present in the generated files (checked in read()). */
type Rec = Readonly<Record<Col, string>>;
const ERP = ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions'];
const CREDIT = ['companies', 'company_identifiers', 'credit_reports', 'insolvency_events'];
const GRACE_DAYS = 100; // config credit_risk.monitoring_grace_days default

let root: string;
let lake: string;
let gen: GenerateSummary;
const csv: Record<string, Rec[]> = {};

function read(name: string): Rec[] {
  const recs = parseCsv(readFileSync(join(root, 'data', `${name}.csv`), 'utf8'));
  const header = recs[0]!.fields;
  return recs.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i] ?? ''])) as Rec);
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const cents = (s: string) => Math.round(Number(s) * 100);
const addMonths = (iso: string, n: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)).toISOString().slice(0, 10);
};
const sectionOf = (code: string) => {
  const div = Number(code.slice(0, 2));
  const ranges: [string, number, number][] = [
    ['A', 1, 3], ['B', 5, 9], ['C', 10, 33], ['D', 35, 35], ['E', 36, 39], ['F', 41, 43], ['G', 45, 47], ['H', 49, 53], ['I', 55, 56],
    ['J', 58, 63], ['K', 64, 66], ['L', 68, 68], ['M', 69, 75], ['N', 77, 82], ['O', 84, 84], ['P', 85, 85], ['Q', 86, 88], ['R', 90, 93],
    ['S', 94, 96], ['T', 97, 98], ['U', 99, 99],
  ];
  return ranges.find(([, a, b]) => div >= a && div <= b)?.[0] ?? 'unknown';
};

interface Monitored { key: string; section: string; first: string; last: string; bk?: string; exit?: string }

/** Every company with a report: section, first and last report, bankruptcy and exit dates. */
function monitoredCompanies(): Monitored[] {
    const reportsBy = new Map<string, string[]>();
  for (const r of csv.credit_reports!) (reportsBy.get(r.company_key) ?? reportsBy.set(r.company_key, []).get(r.company_key)!).push(r.report_date);
  const events = csv.insolvency_events!;
  const companies = csv.companies!.filter((c) => reportsBy.has(c.company_key)).map((c) => {
    const dates = reportsBy.get(c.company_key)!.sort();
    const bk = events.filter((e) => e.company_key === c.company_key && e.event_type === 'bankruptcy').map((e) => e.event_date).sort()[0];
    const diss = events.filter((e) => e.company_key === c.company_key && e.event_type === 'dissolution').map((e) => e.event_date).sort()[0];
    const exit = [bk, diss].filter(Boolean).sort()[0];
    return { key: c.company_key, section: c.sbi_code ? sectionOf(c.sbi_code) : 'unknown', first: dates[0]!, last: dates[dates.length - 1]!, bk, exit };
  });
  return companies;
}

const monitoredAt = (c: Monitored, start: string) => c.first < start && day(start) - day(c.last) <= GRACE_DAYS && (!c.exit || c.exit >= start);

async function query(sql: string) {
  return withDuckDB({ path: join(lake, 'warehouse.duckdb') }, async (db) => (await db.query(sql)).rows);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'credit-risk-e2e-'));
  lake = join(root, 'lake');
  gen = await generateLedger({ customers: 300, months: 24, seed: 'credit-e2e', outDir: join(root, 'data') });
  for (const t of ERP) {
    const r = await ingestFiles({ lakeRoot: lake, table: t, files: [join(root, 'data', `${t}.csv`)], threads: 1 });
    expect(r.ok, `${t}: ${r.files[0]!.message}`).toBe(true);
  }
  const cr = await ingestCreditReports({ lakeRoot: lake, files: CREDIT.map((t) => join(root, 'data', `${t}.csv`)) });
  expect(cr.ok, JSON.stringify(cr.files.map((f) => f.message))).toBe(true);
  expect(cr.rowsRejected).toBe(0);
  const build = await buildWarehouse({ lakeRoot: lake, config: defaultConfig() });
  expect(build.tests.filter((t) => !t.ok).map((t) => t.name)).toEqual([]);
  for (const t of [...ERP, ...CREDIT]) csv[t] = read(t);
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generated credit reports are consistent with the ledger', () => {
  it('the customers that stop paying are the ones that go bankrupt, and their scores fall first', () => {
    const byKvk = new Map(csv.companies!.map((c) => [c.kvk_number, c.company_key]));
    const bankrupt = new Map(csv.insolvency_events!.filter((e) => e.event_type === 'bankruptcy').map((e) => [e.company_key, e.event_date]));
    const distressed = new Set(gen.distressed.map((d) => byKvk.get(d.kvk_number ?? '')));
    const customerKeys = new Set(csv.customers!.map((c) => byKvk.get(c.kvk_number)));
    const bankruptCustomers = [...bankrupt.keys()].filter((k) => customerKeys.has(k));
    expect(bankruptCustomers.length).toBeGreaterThan(0);
    for (const k of bankruptCustomers) expect(distressed.has(k), k).toBe(true);
    // Prospects that never became customers are monitored too, and some of them fail.
    expect(csv.companies!.length).toBeGreaterThan(csv.customers!.length);

    // Mean common band in the 90 days before the bankruptcy is worse than a year before it.
    let before = 0, yearBefore = 0, n = 0;
    for (const [k, d] of bankrupt) {
      const reps = csv.credit_reports!.filter((r) => r.company_key === k && r.common_band !== '');
      const near = reps.filter((r) => day(d) - day(r.report_date) > 0 && day(d) - day(r.report_date) <= 90);
      const far = reps.filter((r) => day(d) - day(r.report_date) >= 300 && day(d) - day(r.report_date) <= 420);
      if (!near.length || !far.length) continue;
      before += near.reduce((a, r) => a + Number(r.common_band), 0) / near.length;
      yearBefore += far.reduce((a, r) => a + Number(r.common_band), 0) / far.length;
      n++;
    }
    expect(n).toBeGreaterThan(0);
    expect(before / n).toBeGreaterThan(yearBefore / n + 1);
  });
});

describe('bankruptcy_rates_by_industry, recomputed independently', () => {
  it('monitored companies, bankruptcies and rates per month, quarter and year match', async () => {
    const companies = monitoredCompanies();
    const rows = await query(`SELECT period_type, CAST(period_start AS VARCHAR) AS s, sbi_section, monitored_at_start, bankruptcies, rate_per_1000
      FROM bankruptcy_rates_by_industry WHERE sbi_division = 'ALL' ORDER BY 1, 2, 3`);
    expect(rows.length).toBeGreaterThan(100);
    let withBankruptcies = 0;
    for (const r of rows) {
      const start = String(r.s);
      const end = addMonths(start, r.period_type === 'month' ? 1 : r.period_type === 'quarter' ? 3 : 12);
      const set = companies.filter(
        (c) => (r.sbi_section === 'ALL' || c.section === r.sbi_section) && monitoredAt(c, start),
      );
      const bankrupt = set.filter((c) => c.bk && c.bk >= start && c.bk < end).length;
      expect(Number(r.monitored_at_start), `${r.period_type} ${start} ${r.sbi_section}`).toBe(set.length);
      expect(Number(r.bankruptcies), `${r.period_type} ${start} ${r.sbi_section}`).toBe(bankrupt);
      if (set.length) expect(r.rate_per_1000 as number).toBeCloseTo((1000 * bankrupt) / set.length, 9);
      else expect(r.rate_per_1000).toBeNull();
      if (bankrupt) withBankruptcies++;
    }
    expect(withBankruptcies).toBeGreaterThan(3);
  });

  it('open AR at the bankruptcy date and what was written off afterwards match the ledger', async () => {
    const keyOfCustomer = new Map<string, string>();
    // A customer is the company with its KvK number, else with its VAT number (foreign customers).
    const byId = new Map(csv.company_identifiers!.map((i) => [`${i.id_type}:${i.id_value}`, i.company_key]));
    for (const c of csv.customers!) {
      const key = byId.get(`kvk:${c.kvk_number}`) ?? byId.get(`vat:${c.vat_number}`);
      if (key) keyOfCustomer.set(c.customer_id, key);
    }
    const payDate = new Map(csv.payments!.map((p) => [p.payment_id, p.payment_date]));
    const rows = await query(`SELECT period_start, bankruptcies, CAST(open_ar_at_bankruptcy AS VARCHAR) AS ar, CAST(written_off AS VARCHAR) AS wo
      FROM bankruptcy_rates_by_industry WHERE period_type = 'month' AND sbi_section = 'ALL' AND bankruptcies > 0`);
    const companies = monitoredCompanies();
    let checked = 0;
    for (const r of rows) {
      const start = String(r.period_start);
      const end = addMonths(start, 1);
      let ar = 0, wo = 0;
      for (const b of companies) {
        const d = b.bk;
        if (!d || d < start || d >= end || !monitoredAt(b, start)) continue;
        const custs = [...keyOfCustomer].filter(([, k]) => k === b.key).map(([c]) => c);
        for (const cust of custs) {
          for (const inv of csv.invoices!.filter((i) => i.customer_id === cust && i.invoice_date <= d && (!i.settled_date || i.settled_date > d))) {
            const paid = csv.payment_allocations!.filter((a) => a.document_id === inv.document_id && payDate.get(a.payment_id)! <= d).reduce((s, a) => s + cents(a.amount), 0);
            const written = csv.write_offs!.filter((w) => w.document_id === inv.document_id && w.write_off_date <= d).reduce((s, w) => s + cents(w.amount), 0);
            ar += cents(inv.amount) - paid - written;
          }
          wo += csv.write_offs!.filter((w) => w.customer_id === cust && w.write_off_date >= d).reduce((s, w) => s + cents(w.amount), 0);
        }
      }
      expect(cents(String(r.ar)), `open AR ${start}`).toBe(ar);
      expect(cents(String(r.wo)), `written off ${start}`).toBe(wo);
      if (ar > 0) checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('customer marts', () => {
  it('customer_risk shows the latest report of each customer at a month end', async () => {
    const asOf = (await query(`SELECT CAST(max(as_of_date) AS VARCHAR) AS d FROM customer_risk`))[0]!.d as string;
    const rows = await query(`SELECT customer_id, company_key, provider, CAST(report_date AS VARCHAR) AS report_date, common_band
      FROM customer_risk WHERE as_of_date = DATE '${asOf}' AND company_key IS NOT NULL ORDER BY customer_id LIMIT 60`);
    expect(rows.length).toBe(60);
    for (const r of rows) {
      const latest = csv.credit_reports!.filter((x) => x.company_key === r.company_key && x.report_date <= asOf)
        .sort((a, b) => (a.report_date + a.provider < b.report_date + b.provider ? 1 : -1))[0]!;
      expect([r.provider, r.report_date, r.common_band]).toEqual([latest.provider, latest.report_date, latest.common_band === '' ? null : Number(latest.common_band)]);
    }
  });

  it('every customer gets an explained priority; insolvent customers are restricted; segments add up', async () => {
    const asOf = (await query(`SELECT CAST(max(as_of_date) AS VARCHAR) AS d FROM customer_priority`))[0]!.d as string;
    const bad = await query(`SELECT customer_id FROM customer_priority WHERE insolvency_flag AND priority <> 'restrict'`);
    expect(bad).toEqual([]);
    const noReason = await query(`SELECT count(*) AS n FROM customer_priority WHERE reason IS NULL OR reason = ''`);
    expect(Number(noReason[0]!.n)).toBe(0);
    const seg = await query(`SELECT sum(customers) AS n, CAST(sum(revenue_t12m) AS VARCHAR) AS rev FROM segment_priority WHERE as_of_date = DATE '${asOf}'`);
    const cust = await query(`SELECT count(*) AS n, CAST(sum(revenue_t12m) AS VARCHAR) AS rev FROM customer_priority WHERE as_of_date = DATE '${asOf}'`);
    expect(seg[0]).toEqual(cust[0]);
    // 12-month revenue recomputed from the invoices
    const from = addMonths(asOf.slice(0, 8) + '01', -11);
    const revenue = csv.invoices!.filter((i) => i.invoice_date >= from && i.invoice_date <= asOf).reduce((a, i) => a + cents(i.amount), 0);
    const active = await query(`SELECT CAST(sum(revenue_t12m) AS VARCHAR) AS rev FROM customer_priority WHERE as_of_date = DATE '${asOf}'`);
    expect(cents(String(active[0]!.rev))).toBe(revenue);
    const priorities = await query(`SELECT DISTINCT priority FROM customer_priority ORDER BY 1`);
    expect(priorities.map((p) => p.priority)).toEqual(['grow', 'keep', 'restrict', 'watch']);
  });

  it("write_offs_monthly by score_band: each customer's write-offs land in its latest report's band", async () => {
    const labels = ['very low risk', 'low risk', 'moderate risk', 'high risk', 'very high risk'];
    const byId = new Map(csv.company_identifiers!.map((i) => [`${i.id_type}:${i.id_value}`, i.company_key]));
    const latest = new Map<string, Rec>();
    for (const r of csv.credit_reports!) {
      const l = latest.get(r.company_key);
      if (!l || r.report_date + r.provider > l.report_date + l.provider) latest.set(r.company_key, r);
    }
    const bandOf = new Map<string, string>();
    for (const c of csv.customers!) {
      const key = byId.get(`kvk:${c.kvk_number}`) ?? byId.get(`vat:${c.vat_number}`);
      const band = key ? latest.get(key)?.common_band : undefined;
      bandOf.set(c.customer_id, band ? labels[Number(band) - 1]! : 'not rated');
    }
    const expected = new Map<string, number>();
    for (const w of csv.write_offs!) {
      const b = bandOf.get(w.customer_id) ?? 'not rated';
      expected.set(b, (expected.get(b) ?? 0) + cents(w.amount));
    }
    const rows = await query(`SELECT group_value, CAST(sum(written_off) AS VARCHAR) AS wo FROM write_offs_monthly
      WHERE group_by = 'score_band' GROUP BY group_value HAVING sum(written_off) <> 0 ORDER BY group_value`);
    expect(new Map(rows.map((r) => [String(r.group_value), cents(String(r.wo))]))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(1);
  });

  it('risk_alerts carries every insolvency event of a customer', async () => {
    const customerKeys = new Set((await query(`SELECT company_key FROM int_customer_companies`)).map((r) => r.company_key));
    const expected = csv.insolvency_events!.filter((e) => customerKeys.has(e.company_key)).length;
    const got = await query(`SELECT count(*) AS n FROM risk_alerts WHERE reason = 'insolvency_event'`);
    expect(Number(got[0]!.n)).toBe(expected);
    expect(expected).toBeGreaterThan(0);
  });
});
