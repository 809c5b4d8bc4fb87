import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { martHashes } from '../support/mart-hashes.js';
import { PARTITIONED_MODELS } from '../../src/warehouse/partitions.js';
import { cachedRelationSql } from '../../src/warehouse/duckdb/model-cache.js';
import { readLocalBuildMarker } from '../../src/lake/mart-generations.js';

// Issue 16 item 2: `build` after a delta recomputes only what the delta can affect, and gives exactly
// the marts a full refresh gives. One tiny generated ledger, through the CLI: the base without its
// last day, then a sequence of deltas; after each, the incremental build's marts are hashed against
// a `build --full-refresh` of a copy of the same lake.
const work = mkdtempSync(join(tmpdir(), 'creditlake-incremental-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const ledger = join(work, 'ledger');
const lake = join(work, 'lake');
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

interface Plan {
  mode: 'full' | 'incremental';
  reason?: string;
  changes: string[];
  carried: string[];
  reused?: string[];
  partial?: { model: string; affected: number; kept: number; computed: number }[];
  layered?: string[];
}
interface BuildJson {
  ok: boolean;
  incremental: Plan;
  selected: string[];
  tests: { name: string; ok: boolean }[];
}

async function sql(fn: (run: (s: string) => Promise<Record<string, unknown>[]>) => Promise<void>): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    await fn(async (s) => (await conn.runAndReadAll(s)).getRowObjectsJson() as Record<string, unknown>[]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const ingest = async (file: string, table: string) => {
  const r = await cli(work, 'ingest', file, '--table', table, '--lake', lake);
  expect(r.code, r.stderr).toBe(0);
};

async function build(...args: string[]): Promise<BuildJson> {
  const r = await cli(work, 'build', '--lake', lake, '--json', ...args);
  const report = JSON.parse(r.stdout) as BuildJson;
  expect(report.tests.filter((t) => !t.ok).map((t) => t.name)).toEqual([]);
  expect(r.code, r.stderr).toBe(0);
  return report;
}

/** The marts of a full refresh of a copy of the lake as it is now. */
async function fullRefreshHashes(step: string): Promise<Record<string, string>> {
  const copy = join(work, `full-${step}`);
  cpSync(lake, copy, { recursive: true });
  const r = await cli(work, 'build', '--lake', copy, '--full-refresh', '--no-tests', '--json');
  expect(r.code, r.stderr).toBe(0);
  // A full refresh computes everything again, the model cache included.
  expect((JSON.parse(r.stdout) as BuildJson).incremental).toMatchObject({ mode: 'full', reason: '--full-refresh', reused: [] });
  const hashes = await martHashes(copy);
  // A partitioned model recomputed for some customers holds the rows a full computation gives (as a
  // multiset: the kept rows come first), under the same fingerprint.
  // A layered entry (cache-layers.ts) is read as the build reads it: its base less the layer's keys, plus the layer's rows.
  const cached = (root: string, m: string) => readdirSync(join(root, '_cache', 'models', m)).filter((f) => /^[0-9a-f]{64}\.parquet$/.test(f));
  for (const m of Object.keys(PARTITIONED_MODELS)) {
    const mine = cached(lake, m);
    expect(mine, m).toEqual(cached(copy, m));
    expect(mine).toHaveLength(1);
    const fp = mine[0]!.slice(0, -'.parquet'.length);
    const [a, b] = [cachedRelationSql(lake, m, fp), cachedRelationSql(copy, m, fp)];
    expect(a && b, m).toBeTruthy();
    // What readers see: the model's view in the published warehouse (over the published files, layered or not).
    const published = readLocalBuildMarker(lake)?.model_files?.[m];
    await sql(async (run) => {
      await run(`ATTACH ${q(join(lake, 'warehouse.duckdb'))} AS w (READ_ONLY)`);
      await run(`SET VARIABLE lake = ${q(lake)}`);
      for (const mine of [a, ...(published ? [`w.main.${m}`] : [])]) {
        const [d] = await run(`SELECT (SELECT count(*) FROM ${mine}) AS n, (SELECT count(*) FROM ${b}) AS full_n,
          (SELECT count(*) FROM (SELECT * FROM ${mine} EXCEPT ALL SELECT * FROM ${b})) AS only_mine,
          (SELECT count(*) FROM (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${mine})) AS only_full`);
        expect(d, `${m} ${mine}`).toMatchObject({ n: d!.full_n, only_mine: '0', only_full: '0' });
      }
    });
  }
  rmSync(copy, { recursive: true, force: true });
  return hashes;
}

/** Partitioned models the build recomputed for the changed customers only. */
const partial = (r: BuildJson) => (r.incremental.partial ?? []).map((p) => p.model);

let lastDay = '';
let oldInvoice: Record<string, unknown> = {};

beforeAll(async () => {
  expect((await cli(work, 'generate', '--customers', '14', '--months', '7', '--seed', 'incremental', '--out', ledger)).code).toBe(0);
  mkdirSync(join(work, 'base'));
  mkdirSync(join(work, 'day'));
  await sql(async (run) => {
    const csv = (t: string) => `read_csv(${q(join(ledger, `${t}.csv`))}, all_varchar = true)`;
    lastDay = String((await run(`SELECT max(invoice_date) AS d FROM ${csv('invoices')}`))[0]!.d);
    const dated: Record<string, string> = {
      invoices: 'invoice_date',
      payments: 'payment_date',
      write_offs: 'write_off_date',
      collection_actions: 'action_date',
      credit_decisions: 'decision_date',
    };
    for (const t of ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions']) {
      const onDay =
        t === 'payment_allocations'
          ? `payment_id IN (SELECT payment_id FROM ${csv('payments')} WHERE payment_date = '${lastDay}')`
          : dated[t]
            ? `${dated[t]} = '${lastDay}'`
            : 'false';
      await run(`COPY (SELECT * FROM ${csv(t)} WHERE NOT (${onDay})) TO ${q(join(work, 'base', `${t}.csv`))} (HEADER)`);
      await run(`COPY (SELECT * FROM ${csv(t)} WHERE ${onDay}) TO ${q(join(work, 'day', `${t}.csv`))} (HEADER)`);
    }
    // The earliest invoice still (partly) open: a late payment settles it, a corrected re-export changes it.
    const [open] = await run(`SELECT * FROM (
        SELECT i.*, CAST(CAST(i.amount AS DECIMAL(18,2)) - COALESCE((SELECT sum(CAST(a.amount AS DECIMAL(18,2))) FROM ${csv('payment_allocations')} a WHERE a.document_id = i.document_id), 0) AS VARCHAR) AS open_amount
        FROM ${csv('invoices')} i WHERE i.document_type = 'invoice' AND i.invoice_date < '${lastDay}')
      WHERE CAST(open_amount AS DECIMAL(18,2)) > 0 ORDER BY invoice_date, document_id LIMIT 1`);
    oldInvoice = open!;
  });
  for (const t of ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions']) {
    await ingest(join(work, 'base', `${t}.csv`), t);
  }
  const feed = await cli(work, 'ingest', '--feed', 'credit-report', ...['companies', 'company_identifiers', 'credit_reports', 'insolvency_events'].map((f) => join(ledger, `${f}.csv`)), '--lake', lake);
  expect(feed.code, feed.stderr).toBe(0);
}, 480_000);

describe('incremental build', () => {
  it('the first build is a full refresh; a second with nothing new carries every mart over', async () => {
    const first = await build();
    expect(first.incremental).toMatchObject({ mode: 'full', reason: 'no previous build' });
    const before = await martHashes(lake);
    const again = await cli(work, 'build', '--lake', lake);
    expect(again.code, again.stderr).toBe(0);
    const marts = Object.keys(before).length;
    expect(marts).toBeGreaterThan(30);
    expect(again.stdout).toContain(`; ${marts} marts carried over`);
    expect(again.stdout).toMatch(/incremental: nothing changed since \S+;/);
    expect(again.stdout).toContain(`ok: 0 marts written, ${marts} carried over`);
    expect(await martHashes(lake)).toEqual(before);
  }, 480_000);

  it('collection actions of a day rebuild only the marts that read them, identical to a full refresh', async () => {
    await ingest(join(work, 'day', 'collection_actions.csv'), 'collection_actions');
    const r = await build();
    expect(r.incremental.mode).toBe('incremental');
    expect(r.incremental.changes).toEqual(['collection_actions: 1 new batch']);
    expect(r.selected).toEqual(expect.arrayContaining(['collection_activity_daily', 'collection_costs_monthly', 'customer_events', 'kpi_summary']));
    expect(r.incremental.carried).toEqual(expect.arrayContaining(['ar_aging', 'dso_monthly', 'ar_open_items', 'customer_risk', 'payment_behaviour']));
    expect(r.incremental.carried).not.toContain('collection_activity_daily');
    // What the rebuilt marts read of the ledger comes from the model cache, computed by the first build.
    expect(r.incremental.reused).toEqual(expect.arrayContaining(['stg_invoices', 'int_ar_item_events', 'int_cash_forecast_items']));
    expect(r.incremental.reused).not.toContain('stg_collection_actions');
    // Staged from the batch: the day's action ids ranked again, every other action's row kept.
    const staged = r.incremental.partial!.find((p) => p.model === 'stg_collection_actions')!;
    expect(staged.affected).toBe(staged.computed);
    expect(staged.kept).toBeGreaterThan(0);
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('actions'));
  }, 480_000);

  it('the rest of the new day (invoices, payments, allocations, write-offs, decisions)', async () => {
    for (const t of ['invoices', 'payments', 'payment_allocations', 'write_offs', 'credit_decisions']) await ingest(join(work, 'day', `${t}.csv`), t);
    const r = await build();
    expect(r.incremental.mode).toBe('incremental');
    expect(r.incremental.changes).toEqual(expect.arrayContaining(['invoices: 1 new batch', 'payments: 1 new batch']));
    // Reference data and the credit-report marts read nothing the day brought.
    expect(r.incremental.carried).toEqual(expect.arrayContaining(['ref_sbi_codes', 'customer_credit_reports']));
    expect(r.incremental.carried).not.toContain('ar_aging');
    expect(r.incremental.reused).toEqual(expect.arrayContaining(['stg_credit_reports', 'int_report_validity']));
    expect(r.incremental.reused).not.toContain('stg_invoices');
    // The item events and the invoices' settlements are recomputed for the customers the day reaches only.
    expect(partial(r)).toEqual(expect.arrayContaining(['int_ar_item_events', 'int_invoice_settlements']));
    // The new batches' keys are the staged rows recomputed, and the invoices valued again are those.
    expect(partial(r)).toEqual(expect.arrayContaining(['stg_invoices', 'stg_payments', 'stg_payment_allocations', 'int_invoices']));
    const stagedInvoices = r.incremental.partial!.find((p) => p.model === 'stg_invoices')!;
    expect(r.incremental.partial!.find((p) => p.model === 'int_invoices')).toMatchObject({ affected: stagedInvoices.affected, computed: stagedInvoices.computed });
    // The documents, payments and write-offs between staging and the item events: per document or
    // payment, from what staging recomputed (no diff of whole tables).
    expect(partial(r)).toEqual(expect.arrayContaining(['int_ar_documents', 'int_payments', 'int_write_offs']));
    expect(r.incremental.partial!.find((p) => p.model === 'int_ar_documents')!.affected).toBeGreaterThanOrEqual(stagedInvoices.affected);
    const settlements = r.incremental.partial!.find((p) => p.model === 'int_invoice_settlements')!;
    expect(settlements.kept).toBeGreaterThan(0);
    // Their cache entries are the recomputed keys' rows layered over the entries they kept rows of
    // (cache-layers.ts); fullRefreshHashes reads them, and their published views, against a full refresh's.
    expect(r.incremental.layered).toEqual(expect.arrayContaining(['stg_invoices', 'int_ar_documents', 'int_ar_item_events', 'int_invoice_settlements']));
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('day'));
  }, 480_000);

  it('a late payment for an old invoice', async () => {
    const inv = oldInvoice;
    writeFileSync(
      join(work, 'late-payments.csv'),
      'payment_id,customer_id,payment_date,amount,currency\n' + `PAYLATE01,${inv.customer_id},${lastDay},${inv.open_amount},${inv.currency}\n`,
    );
    writeFileSync(join(work, 'late-allocations.csv'), 'payment_id,document_id,amount\n' + `PAYLATE01,${inv.document_id},${inv.open_amount}\n`);
    await ingest(join(work, 'late-payments.csv'), 'payments');
    await ingest(join(work, 'late-allocations.csv'), 'payment_allocations');
    const r = await build();
    expect(r.incremental.changes).toEqual(['payment_allocations: 1 new batch', 'payments: 1 new batch']);
    // Nothing else moved the month ends: every partitioned model is recomputed for that customer only.
    expect(r.incremental.partial).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ model: 'int_ar_item_events', affected: 1 }),
        expect.objectContaining({ model: 'int_invoice_settlements', affected: 1 }),
        expect.objectContaining({ model: 'int_payment_runs', affected: 1 }),
        // The payment's flows: its customer's; then, partitioned by day, the payment's day only.
        expect.objectContaining({ model: 'int_cash_flows', affected: 1 }),
        expect.objectContaining({ model: 'int_cash_flow_days', affected: 1 }),
      ]),
    );
    // A layer over the previous build's layered entries (their base, and one layer holding both days' keys).
    expect(r.incremental.layered).toEqual(expect.arrayContaining(['int_ar_item_events', 'int_payments', 'stg_payments']));
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('late'));
  }, 480_000);

  it('a corrected re-export of an old invoice, then retiring that batch', async () => {
    const inv = oldInvoice;
    const corrected = (Number(inv.amount) + 250).toFixed(2);
    writeFileSync(
      join(work, 'corrected.csv'),
      'document_id,customer_id,document_type,invoice_date,due_date,currency,amount\n' +
        `${inv.document_id},${inv.customer_id},invoice,${inv.invoice_date},${inv.due_date},${inv.currency},${corrected}\n`,
    );
    await ingest(join(work, 'corrected.csv'), 'invoices');
    const r = await build();
    expect(r.incremental.changes).toEqual(['invoices: 1 new batch']);
    expect(r.incremental.partial).toEqual(
      expect.arrayContaining([
        // The re-exported invoice's id: its two versions ranked again, the newer one wins.
        expect.objectContaining({ model: 'stg_invoices', affected: 1, computed: 1 }),
        expect.objectContaining({ model: 'int_invoices', affected: 1 }),
        expect.objectContaining({ model: 'int_ar_item_events', affected: 1 }),
        expect.objectContaining({ model: 'int_invoice_settlements', affected: 1 }),
        expect.objectContaining({ model: 'int_customer_revenue_t12m', affected: 1 }),
        // The old invoice's day, months back: that day's cash flows only.
        expect.objectContaining({ model: 'int_cash_flow_days', affected: 1 }),
      ]),
    );
    const corrected1 = await martHashes(lake);
    expect(corrected1).toEqual(await fullRefreshHashes('corrected'));

    const batches = JSON.parse((await cli(work, 'batches', 'invoices', '--lake', lake, '--json')).stdout) as { batch_id: string; source_file: string }[];
    const batch = batches.find((b) => b.source_file.endsWith('corrected.csv'))!;
    expect((await cli(work, 'batches', 'retire', batch.batch_id, '--lake', lake)).code).toBe(0);
    const retired = await build();
    expect(retired.incremental.changes).toEqual(['invoices: 1 batch retired or compacted']);
    expect(partial(retired)).toEqual(expect.arrayContaining(['int_ar_item_events', 'int_invoice_settlements', 'int_customer_revenue_t12m']));
    // The retired batch's key: the version it held is gone, the earlier one is the row again.
    expect(retired.incremental.partial).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'stg_invoices', affected: 1, computed: 1 })]));
    const after = await martHashes(lake);
    expect(after).toEqual(await fullRefreshHashes('retired'));
    expect(after.ar_aging).not.toBe(corrected1.ar_aging);
  }, 480_000);

  it('a config change rebuilds the marts that use it; --full-refresh rebuilds everything', async () => {
    writeFileSync(join(work, 'creditlake.config.json'), JSON.stringify({ lake: 'lake', aging: { bucket_edges: [30, 60, 90, 120] } }));
    const r = await cli(work, 'build', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BuildJson;
    expect(report.incremental.changes).toEqual(['config changed']);
    expect(report.incremental.carried).toEqual(expect.arrayContaining(['collection_costs_monthly', 'ref_sbi_codes']));
    expect(report.incremental.carried).not.toContain('ar_aging');
    const copy = join(work, 'full-config');
    cpSync(lake, copy, { recursive: true });
    writeFileSync(join(work, 'copy.config.json'), JSON.stringify({ lake: 'full-config', aging: { bucket_edges: [30, 60, 90, 120] } }));
    expect((await cli(work, 'build', '--config', 'copy.config.json', '--full-refresh', '--no-tests')).code).toBe(0);
    expect(await martHashes(lake)).toEqual(await martHashes(copy));
    rmSync(copy, { recursive: true, force: true });

    const full = await cli(work, 'build', '--full-refresh');
    expect(full.stdout).toMatch(/full refresh: --full-refresh/);
    expect(full.stdout).toContain(`ok: ${Object.keys(await martHashes(lake)).length} marts written`);

    // A --select build computes what it selects, cache or not, and leaves the cache as it is.
    const cache = join(lake, '_cache', 'models');
    const entries = () => readdirSync(cache, { recursive: true }).map(String).sort();
    const before = entries();
    expect(before).toEqual(expect.arrayContaining([expect.stringMatching(/^int_ar_item_events\/[0-9a-f]{64}\.parquet$/)]));
    const selected = await build('--select', '+ar_aging');
    expect(selected.incremental.reused).toEqual([]);
    expect(entries()).toEqual(before);
  }, 480_000);

  it('compacting the payments: their staging is computed whole (the rows moved to another file), the marts as a full refresh', async () => {
    const c = await cli(work, 'compact', 'payments', '--lake', lake);
    expect(c.code, c.stderr).toBe(0);
    const r = await build();
    expect(r.incremental.changes).toEqual([expect.stringMatching(/^payments: 1 new batch, \d+ batches retired or compacted$/)]);
    const whole = (r as BuildJson & { incremental: { whole?: { model: string; reason: string }[] } }).incremental.whole ?? [];
    expect(whole).toEqual(expect.arrayContaining([{ model: 'stg_payments', reason: 'payments is read partly from compacted files' }]));
    expect(partial(r)).not.toContain('stg_payments');
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('compacted'));
  }, 480_000);

  it('a credit note that arrives before the invoice it corrects joins its item when the invoice comes', async () => {
    const inv = oldInvoice;
    const header = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,corrects_document_id\n';
    writeFileSync(join(work, 'early-credit.csv'), header + `CNEARLY01,${inv.customer_id},credit_note,${lastDay},${lastDay},${inv.currency},-40.00,INVLATE01\n`);
    await ingest(join(work, 'early-credit.csv'), 'invoices');
    const first = await build();
    // Its invoice unknown, the credit note is an item of its own.
    expect(first.incremental.partial).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'int_ar_documents', affected: 1, computed: 1 })]));
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('early-credit'));

    const due = new Date(Date.parse(`${lastDay}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
    writeFileSync(join(work, 'late-invoice.csv'), header + `INVLATE01,${inv.customer_id},invoice,${lastDay},${due},${inv.currency},100.00,\n`);
    await ingest(join(work, 'late-invoice.csv'), 'invoices');
    const r = await build();
    // fullRefreshHashes also compares int_ar_documents' rows: the credit note's item is now the invoice.
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('late-invoice'));
    // The invoice's row, and the credit note's (the row of another document changed it: correction-reach.ts).
    expect(r.incremental.partial).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'int_ar_documents', affected: 2, computed: 2 })]));
  }, 480_000);

  it("a payment by one customer applied to another customer's invoice reaches both", async () => {
    const inv = oldInvoice;
    let payer = '';
    await sql(async (run) => {
      const [row] = await run(`SELECT min(customer_id) AS c FROM read_csv(${q(join(ledger, 'customers.csv'))}, all_varchar = true) WHERE customer_id <> ${q(String(inv.customer_id))}`);
      payer = String(row!.c);
    });
    writeFileSync(join(work, 'cross-payments.csv'), 'payment_id,customer_id,payment_date,amount,currency\n' + `PAYCROSS1,${payer},${lastDay},10.00,${inv.currency}\n`);
    writeFileSync(join(work, 'cross-allocations.csv'), 'payment_id,document_id,amount\n' + `PAYCROSS1,${inv.document_id},10.00\n`);
    await ingest(join(work, 'cross-payments.csv'), 'payments');
    await ingest(join(work, 'cross-allocations.csv'), 'payment_allocations');
    const r = await cli(work, 'build', '--lake', lake, '--json');
    const report = JSON.parse(r.stdout) as BuildJson;
    // The invoice's events (its customer) and the payment's (the payer) are recomputed; nobody else's.
    expect(report.incremental.partial).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'int_ar_item_events', affected: 2 })]));
    // The cash applied to the invoice is its customer's (int_payment_customers), so cash flow per group
    // still ties to AR per group: every data test passes.
    expect(report.tests.filter((t) => !t.ok).map((t) => t.name)).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    expect(await martHashes(lake)).toEqual(await fullRefreshHashes('cross'));
  }, 480_000);
});
