/**
 * KPI suite A end to end: generate a ledger (60 customers × 12 months), ingest it, build, and check a
 * sample of every mart against values recomputed here from the generated CSVs in integer cents
 * (test/support/kpi-ledger-model.ts), never from the model SQL.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { generateLedger } from '../../src/generator/index.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { buildWarehouse, type BuildReport } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import type { Row } from '../../src/warehouse/engine.js';
import { KPI_A_MARTS } from '../helpers/kpi-ledger.js';
import { cents, dayNo, LedgerModel, money, monthEndOf, monthOf, type Item } from '../support/kpi-ledger-model.js';

let L: LedgerModel;
let report: BuildReport;
let q: (sql: string) => Promise<Row[]>;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'creditlake-kpi-a-'));
  const outDir = join(root, 'data');
  const lakeRoot = join(root, 'lake');
  await generateLedger({ customers: 60, months: 12, seed: '7', outDir });
  for (const table of CANONICAL_TABLES) {
    const file = join(outDir, `${table.name}.csv`);
    if (!existsSync(file)) continue;
    const res = await ingestFiles({ lakeRoot, table, files: [file], threads: 1 });
    expect(res.ok, `${table.name}: ${res.files[0]?.message}`).toBe(true);
  }
  report = await buildWarehouse({ lakeRoot, config: { ...defaultConfig(), duckdb: { threads: 1 } }, select: KPI_A_MARTS });
  q = (sql) => withDuckDB({ path: report.warehouse, readOnly: true, threads: 1 }, async (db) => (await db.query(sql)).rows);
  L = new LedgerModel(outDir);
}, 240_000);

const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
const GROUPINGS = ['ALL', 'segment', 'sbi_section'];

describe('KPI suite A on a generated ledger', () => {
  it('builds every mart with every data test passing, on a ledger with write-offs, credit notes and actions', () => {
    expect(report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(L.writeOffs.length).toBeGreaterThan(0);
    expect(L.invoices.some((d) => d.document_type === 'credit_note')).toBe(true);
    expect(L.actions.length).toBeGreaterThan(100);
  });

  it('ar_rollforward: ar_end is AR at the month end, movements are the month’s documents, cash and write-offs', async () => {
    const rows = await q(`SELECT * FROM ar_rollforward WHERE group_by IN ('ALL', 'segment', 'sbi_section')`);
    expect(rows).toHaveLength(L.monthEnds.length * (1 + new Set(L.customers.map((c) => c.segment)).size + new Set(L.customers.map((c) => L.group(c.customer_id!, 'sbi_section'))).size));
    const items = [...L.items.values()];
    for (const r of rows) {
      const by = String(r.group_by);
      const inGroup = (customer: string) => L.group(customer, by) === r.group_value;
      const end = String(r.month_end);
      const prev = L.monthEnds[L.monthEnds.indexOf(end) - 1];
      const ar = (d: string | undefined) => (d ? sum(items.filter((i) => inGroup(i.customer)), (i) => L.open(i, d)) : 0);
      const inMonth = (d: string) => monthOf(d) === r.month;
      const docMoves = (type: string) =>
        sum(L.documents().filter((i) => inGroup(i.customer)), (i) =>
          sum(i.moves.filter((m) => m.kind === 'document' && inMonth(m.date) && m.type === type), (m) => m.cents));
      const receipts = sum(L.paymentItems().filter((p) => inGroup(p.customer) && inMonth(p.date)), (p) => p.amount);
      // Cash one group's payment applied to another group's document moves AR between them.
      const transfers =
        sum(L.paymentItems().filter((p) => !inGroup(p.customer)), (p) => sum(p.applied.filter((a) => inGroup(a.toCustomer) && inMonth(a.date)), (a) => a.cents)) -
        sum(L.paymentItems().filter((p) => inGroup(p.customer)), (p) => sum(p.applied.filter((a) => !inGroup(a.toCustomer) && inMonth(a.date)), (a) => a.cents));
      const writtenOff = -sum(L.documents().filter((i) => inGroup(i.customer)), (i) => sum(i.moves.filter((m) => m.kind === 'write_off' && inMonth(m.date)), (m) => m.cents));
      const where = `${r.month} ${by}=${r.group_value}`;
      expect(r.ar_end, where).toBe(money(ar(end)));
      expect(r.ar_begin, where).toBe(money(ar(prev)));
      expect(r.invoiced, where).toBe(money(docMoves('invoice')));
      expect(r.credit_notes, where).toBe(money(docMoves('credit_note')));
      expect(r.written_off, where).toBe(money(writtenOff));
      expect(r.collected, where).toBe(money(receipts + transfers));
      expect(r.unapplied_cash_end, where).toBe(money(sum(L.paymentItems().filter((p) => inGroup(p.customer)), (p) => L.open(p, end))));
    }
  });

  it('payment_behaviour: ALL and segment rows for every month, and a sample of customers', async () => {
    const settled = L.documents()
      .filter((i) => i.type === 'invoice' && i.amount > 0)
      .map((i) => ({ i, s: L.settlement(i) }))
      .filter((x): x is { i: Item; s: string } => x.s !== undefined && x.s <= L.monthEnds[L.monthEnds.length - 1]!)
      // only invoices paid (by payment or settled date) count; credit-note and write-off closures apart
      .filter((x) => L.paid(x.i));
    expect(settled.length).toBeGreaterThan(200);
    const rows = await q(`SELECT * FROM payment_behaviour WHERE group_by IN ('ALL', 'segment') OR (group_by = 'customer' AND group_value IN ('C000001', 'C000007', 'C000023', 'C000042'))`);
    expect(rows.filter((r) => r.group_by === 'customer').length).toBeGreaterThan(10);
    for (const r of rows) {
      const mine = settled.filter(({ i, s }) => monthOf(s) === r.month && (r.group_by === 'customer' ? i.customer === r.group_value : L.group(i.customer, String(r.group_by)) === r.group_value));
      const where = `${r.month} ${r.group_by}=${r.group_value}`;
      expect(r.invoices_settled, where).toBe(String(mine.length));
      expect(r.amount_settled, where).toBe(money(sum(mine, (x) => x.i.amount)));
      if (!mine.length) {
        expect(r.mean_days_to_pay, where).toBeNull();
        continue;
      }
      const toPay = (x: (typeof mine)[number]) => dayNo(x.s) - dayNo(x.i.date);
      const late = (x: (typeof mine)[number]) => Math.max(0, dayNo(x.s) - dayNo(x.i.due));
      const amount = sum(mine, (x) => x.i.amount);
      expect(r.mean_days_to_pay as number, where).toBeCloseTo(sum(mine, toPay) / mine.length, 9);
      expect(r.weighted_days_to_pay as number, where).toBeCloseTo(sum(mine, (x) => toPay(x) * x.i.amount) / amount, 9);
      expect(r.mean_days_late as number, where).toBeCloseTo(sum(mine, late) / mine.length, 9);
      expect(r.weighted_days_late as number, where).toBeCloseTo(sum(mine, (x) => late(x) * x.i.amount) / amount, 9);
      expect(r.invoices_paid_late, where).toBe(String(mine.filter((x) => late(x) > 0).length));
      expect(r.amount_paid_late, where).toBe(money(sum(mine.filter((x) => late(x) > 0), (x) => x.i.amount)));
    }
  });

  it('ar_ratio_monthly: every invoice month at every later month end', async () => {
    const rows = await q(`SELECT * FROM ar_ratio_monthly`);
    expect(rows).toHaveLength((L.monthEnds.length * (L.monthEnds.length + 1)) / 2);
    for (const r of rows) {
      const cohort = L.documents().filter((i) => i.type === 'invoice' && monthOf(i.date) === r.invoice_month);
      const d = String(r.as_of_date);
      const where = `${r.invoice_month} at ${d}`;
      const moved = (kind: string) => -sum(cohort, (i) => sum(i.moves.filter((m) => m.kind === kind && !m.own && m.date <= d), (m) => m.cents));
      expect(r.invoices, where).toBe(String(cohort.length));
      expect(r.sales, where).toBe(money(sum(cohort, (i) => i.amount)));
      expect(r.paid, where).toBe(money(moved('allocation')));
      expect(r.credited, where).toBe(money(moved('document')));
      expect(r.written_off, where).toBe(money(moved('write_off')));
      expect(r.unpaid, where).toBe(money(sum(cohort, (i) => L.open(i, d))));
    }
  });

  it('open_invoice_counts: every bucket at every month end, for ALL', async () => {
    const edges = [0, 14, 30, 60, 90];
    const label = (dpd: number) => (dpd <= 0 ? 'not due' : dpd > 90 ? '>90' : `${edges[edges.findIndex((e) => dpd <= e) - 1]! + 1}-${edges.find((e) => dpd <= e)}`);
    const rows = await q(`SELECT * FROM open_invoice_counts WHERE group_by = 'ALL'`);
    expect(rows).toHaveLength(L.monthEnds.length * 6);
    for (const r of rows) {
      const d = String(r.as_of_date);
      const open = L.documents()
        .filter((i) => i.type === 'invoice')
        .map((i) => ({ i, amount: L.open(i, d) }))
        .filter((x) => x.amount > 0 && label(dayNo(d) - dayNo(x.i.due)) === r.bucket);
      expect(r.open_count, `${d} ${r.bucket}`).toBe(String(open.length));
      expect(r.open_amount, `${d} ${r.bucket}`).toBe(money(sum(open, (x) => x.amount)));
    }
  });

  it('collection_activity_daily and collection_costs_monthly: every non-empty day and every month', async () => {
    const daily = await q(`SELECT * FROM collection_activity_daily WHERE actions > 0`);
    const key = (a: Record<string, unknown>) => `${a.action_date}|${a.action_type}|${a.channel}`;
    const expected = new Map<string, { n: number; cost: number; customers: Set<string>; docs: Set<string> }>();
    for (const a of L.actions) {
      const e = expected.get(key(a)) ?? { n: 0, cost: 0, customers: new Set(), docs: new Set() };
      e.n++;
      e.cost += cents(a.cost!);
      e.customers.add(a.customer_id!);
      if (a.document_id) e.docs.add(a.document_id);
      expected.set(key(a), e);
    }
    expect(daily).toHaveLength(expected.size);
    for (const r of daily) {
      const e = expected.get(key(r))!;
      expect([r.actions, r.cost, r.customers, r.documents], key(r)).toEqual([String(e.n), money(e.cost), String(e.customers.size), String(e.docs.size)]);
      expect(r.action_group).toBe(['reminder', 'dunning_letter', 'phone_call'].includes(String(r.action_type)) ? r.action_type : 'other');
    }
    const days = dayNo(L.actions.map((a) => a.action_date!).sort().at(-1)!) - dayNo(L.actions.map((a) => a.action_date!).sort()[0]!) + 1;
    const [{ n }] = (await q(`SELECT count(*) AS n FROM collection_activity_daily`)) as [{ n: string }];
    expect(Number(n)).toBe(days * new Set(L.actions.map((a) => `${a.action_type}|${a.channel}`)).size);

    const category = (t: string) => (t === 'collection_agency' ? 'agency' : t === 'legal' ? 'legal' : 'internal');
    for (const r of await q(`SELECT * FROM collection_costs_monthly`)) {
      const mine = L.actions.filter((a) => monthOf(a.action_date!) === r.month && category(a.action_type!) === r.cost_category);
      expect([r.actions, r.cost], `${r.month} ${r.cost_category}`).toEqual([String(mine.length), money(sum(mine, (a) => cents(a.cost!)))]);
    }
  });

  it('write_offs_monthly: amounts, cost of the debt and bad-debt ratios for ALL and every SBI section', async () => {
    const rows = await q(`SELECT * FROM write_offs_monthly WHERE group_by IN ('ALL', 'sbi_section')`);
    expect(rows.filter((r) => r.written_off !== '0.00' && r.collection_costs !== '0.00').length).toBeGreaterThan(2);
    const firstWriteOff = new Map<string, string>();
    for (const w of [...L.writeOffs].sort((a, b) => a.write_off_date!.localeCompare(b.write_off_date!))) if (!firstWriteOff.has(w.document_id!)) firstWriteOff.set(w.document_id!, w.write_off_date!);
    for (const r of rows) {
      const inGroup = (c: string) => L.group(c, String(r.group_by)) === r.group_value;
      const months12 = new Set(L.monthEnds.filter((e) => e <= String(r.month_end)).slice(-12).map(monthOf));
      const wo = (inWindow: (m: string) => boolean) => sum(L.writeOffs.filter((w) => inGroup(w.customer_id!) && inWindow(monthOf(w.write_off_date!))), (w) => cents(w.amount!));
      const sales = (inWindow: (m: string) => boolean) => sum(L.invoices.filter((d) => inGroup(d.customer_id!) && inWindow(monthOf(d.invoice_date!))), (d) => cents(d.amount!));
      const firstHere = L.writeOffs.filter((w) => inGroup(w.customer_id!) && firstWriteOff.get(w.document_id!) === w.write_off_date && monthOf(w.write_off_date!) === r.month);
      const docsHere = new Set(firstHere.map((w) => w.document_id!));
      const costs = sum(L.actions.filter((a) => a.document_id && docsHere.has(a.document_id)), (a) => cents(a.cost!));
      const where = `${r.month} ${r.group_by}=${r.group_value}`;
      const month = (m: string) => m === r.month;
      expect([r.written_off, r.documents_written_off, r.collection_costs, r.total_cost, r.credit_sales], where).toEqual([
        money(wo(month)), String(docsHere.size), money(costs), money(wo(month) + costs), money(sales(month)),
      ]);
      expect([r.written_off_12m, r.credit_sales_12m], where).toEqual([money(wo((m) => months12.has(m))), money(sales((m) => months12.has(m)))]);
      const ratio12 = wo((m) => months12.has(m)) / sales((m) => months12.has(m));
      if (sales((m) => months12.has(m)) !== 0) expect(r.bad_debt_ratio_12m as number, where).toBeCloseTo(ratio12, 12);
      expect(r.over_ceiling, where).toBe(sales((m) => months12.has(m)) !== 0 && ratio12 > 0.005);
    }
  });

  it('credit_decisions_monthly: every month and applicant type', async () => {
    const decided = await q(`SELECT * FROM credit_decisions_monthly`);
    expect(decided.filter((r) => r.applicant_type === 'ALL' && r.refused !== '0').length).toBeGreaterThan(2);
    for (const r of decided) {
      const mine = L.decisions.filter((d) => monthOf(d.decision_date!) === r.month && (r.applicant_type === 'ALL' || (d.customer_id ? 'customer' : 'applicant') === r.applicant_type));
      const n = (o: string) => mine.filter((d) => d.decision === o).length;
      expect([r.decisions, r.accepted, r.limited, r.refused, r.granted_limit], `${r.month} ${r.applicant_type}`).toEqual([
        String(mine.length), String(n('accepted')), String(n('limited')), String(n('refused')), money(sum(mine, (d) => cents(d.granted_limit!))),
      ]);
      if (mine.length) expect(r.acceptance_rate as number).toBeCloseTo((n('accepted') + n('limited')) / mine.length, 12);
    }
  });

  it('concentration: top 20%, top 10 and HHI at every month end', async () => {
    const months = await q(`SELECT * FROM concentration`);
    expect(months).toHaveLength(L.monthEnds.length);
    for (const r of months) {
      const end = String(r.month_end);
      const window = new Set(L.monthEnds.filter((e) => e <= end && e > monthEndOf(`${Number(end.slice(0, 4)) - 1}${end.slice(4, 8)}01`)).map(monthOf));
      const revenue = new Map<string, number>();
      for (const d of L.invoices) if (window.has(monthOf(d.invoice_date!))) revenue.set(d.customer_id!, (revenue.get(d.customer_id!) ?? 0) + cents(d.amount!));
      const ar = new Map<string, number>();
      for (const i of L.items.values()) ar.set(i.customer, (ar.get(i.customer) ?? 0) + L.open(i, end));
      for (const [m, prefix] of [[revenue, 'revenue'], [ar, 'open_ar']] as const) {
        const sizes = [...m.values()].filter((v) => v > 0).sort((a, b) => b - a);
        const total = sum(sizes, (v) => v);
        const top = Math.ceil((sizes.length * 2) / 10);
        const where = `${r.month} ${prefix}`;
        expect(r[prefix === 'revenue' ? 'revenue_t12m' : 'open_ar'], where).toBe(money(total));
        expect(r[`customers_with_${prefix}`], where).toBe(String(sizes.length));
        expect(r[`top_customers_${prefix}`], where).toBe(String(top));
        expect(r[`top_fraction_${prefix}_share`] as number, where).toBeCloseTo(sum(sizes.slice(0, top), (v) => v) / total, 12);
        expect(r[`top_n_${prefix}_share`] as number, where).toBeCloseTo(sum(sizes.slice(0, 10), (v) => v) / total, 12);
        expect(r[`hhi_${prefix}`] as number, where).toBeCloseTo(sum(sizes, (v) => ((100 * v) / total) ** 2), 6);
      }
    }
  });

  it('credit_limit_utilisation: every customer at the last month end', async () => {
    const end = L.monthEnds.at(-1)!;
    const rows = await q(`SELECT * FROM credit_limit_utilisation WHERE as_of_date = DATE '${end}'`);
    const limits = new Map(L.customers.map((c) => [c.customer_id!, c.credit_limit ?? '']));
    const expected = new Map<string, { ar: number; items: number }>();
    for (const i of L.items.values()) {
      const v = L.open(i, end);
      if (v === 0) continue;
      const e = expected.get(i.customer) ?? { ar: 0, items: 0 };
      expected.set(i.customer, { ar: e.ar + v, items: e.items + 1 });
    }
    expect(rows).toHaveLength(expected.size);
    for (const r of rows) {
      const e = expected.get(String(r.customer_id))!;
      const limit = limits.get(String(r.customer_id));
      expect([r.open_ar, r.open_items], String(r.customer_id)).toEqual([money(e.ar), String(e.items)]);
      if (limit) {
        expect(r.credit_limit).toBe(money(cents(limit)));
        expect(r.over_limit).toBe(e.ar > cents(limit));
        if (cents(limit) > 0) expect(r.utilisation as number).toBeCloseTo(e.ar / cents(limit), 12);
      } else expect(r.over_limit).toBeNull();
    }
  });
});

