import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { committedDataKeys, listManifests } from '../../src/lake/commit-batch.js';
import { compactTable } from '../../src/lake/compact.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { canonicalTable } from '../../src/schema/index.js';
import { FaultyStore, InjectedFault } from '../support/faulty-store.js';

/**
 * Issue 13: many daily drops leave many small raw files; `creditlake compact` rewrites them into one
 * per table. Proven through the CLI on a small generated ledger ingested as many small files, one of
 * them a correction that must keep winning: every mart byte-identical before and after, retire and
 * restore of an original batch still exact after compaction, a re-ingest still recognised, and a
 * compaction killed before its commit record changes nothing.
 */
const work = mkdtempSync(join(tmpdir(), 'creditlake-compact-'));
const lake = join(work, 'lake');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  const r = await cli(work, ...argv);
  expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
};

/** Bytes of every published mart (the build marker names each mart's file). */
function martBytes(): Map<string, string> {
  const marker = JSON.parse(readFileSync(join(lake, 'marts', '_build.json'), 'utf8')) as { marts: Record<string, string> };
  return new Map(Object.entries(marker.marts).map(([m, rel]) => [m, readFileSync(join(lake, rel)).toString('base64')]));
}

// Data tests leave the marts as they are: skipped to keep this file cheap.
const build = async () => {
  await run('build', '--lake', lake, '--no-tests');
  return martBytes();
};
/** The invoices staging model (where the latest version wins), as the last build left it. */
const staged = async () => (await run('query', 'SELECT * FROM stg_invoices ORDER BY document_id', '--lake', lake, '--format', 'csv', '--max-rows', '0')).stdout;
/** The same, rebuilt alone (a retire takes effect at the next build). */
const stagedInvoices = async () => {
  await run('build', '--lake', lake, '--no-tests', '--select', 'stg_invoices');
  return staged();
};

/** Splits a CSV into `n` files of about equal lines, each with the header. */
function split(file: string, n: number, stem: string): string[] {
  const [head, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const size = Math.ceil(rows.length / n);
  return Array.from({ length: n }, (_, i) => {
    const name = `${stem}-${i + 1}.csv`;
    writeFileSync(join(work, name), [head, ...rows.slice(i * size, (i + 1) * size)].join('\n') + '\n');
    return name;
  });
}

let correction: string;
let before: Map<string, string>;
let stagedBefore: string;
let retiredBefore: string;

beforeAll(async () => {
  await run('generate', '--customers', '6', '--months', '3', '--out', 'ledger', '--disputes', '0.1');
  const L = (t: string) => join(work, 'ledger', `${t}.csv`);
  for (const t of ['customers', 'collection_actions', 'credit_decisions', 'disputes', 'write_offs', 'payment_allocations']) {
    await run('ingest', L(t), '--table', t, '--lake', lake);
  }
  for (const f of split(L('invoices'), 3, 'invoices')) await run('ingest', f, '--table', 'invoices', '--lake', lake);
  for (const f of split(L('payments'), 2, 'payments')) await run('ingest', f, '--table', 'payments', '--lake', lake);
  // A corrected re-export of one invoice, ingested last: this later version must keep winning.
  const [head, first] = readFileSync(L('invoices'), 'utf8').split('\n');
  const cols = head!.split(',');
  const vals = first!.split(',');
  const amount = cols.indexOf('amount');
  vals[amount] = (Number(vals[amount]) + 100).toFixed(2);
  correction = 'invoices-correction.csv';
  writeFileSync(join(work, correction), `${head}\n${vals.join(',')}\n`);
  await run('ingest', correction, '--table', 'invoices', '--lake', lake);
  await run('ingest', '--feed', 'credit-report', L('companies'), L('company_identifiers'), L('credit_reports'), '--lake', lake, '--max-reject-rate', '1');

  before = await build();
  stagedBefore = await staged();
  await run('batches', 'retire', await batchOf(correction), '--lake', lake);
  retiredBefore = await stagedInvoices();
  await run('batches', 'restore', await batchOf(correction), '--lake', lake);
}, 600_000);

async function batchOf(source: string): Promise<string> {
  const listed = JSON.parse((await run('batches', '--lake', lake, '--json')).stdout) as { batch_id: string; source_file: string }[];
  const b = listed.find((x) => x.source_file === source);
  if (!b) throw new Error(`no batch of ${source}`);
  return b.batch_id;
}

describe('creditlake compact', () => {
  it('a compaction killed before its commit record changes nothing', async () => {
    const store = new LocalLakeStore(lake);
    const invoices = canonicalTable('invoices');
    const keys = await committedDataKeys(store, 'invoices');
    expect(keys).toHaveLength(4);
    const killed = new FaultyStore(store, 2);
    await expect(compactTable({ store: killed, table: invoices })).rejects.toBeInstanceOf(InjectedFault);
    expect(killed.log[1]).toMatch(/^writeText manifests\/invoices\//);
    expect(await committedDataKeys(store, 'invoices')).toEqual(keys);
  });

  it('rewrites the small files into one per table; marts byte-identical; retire, restore and re-ingest still exact', async () => {
    const r = await run('compact', '--lake', lake, '--json');
    const results = JSON.parse(r.stdout) as { table: string; files_before: number; files_after: number; rows: number; batches: number }[];
    const inv = results.find((x) => x.table === 'invoices')!;
    expect([inv.files_before, inv.files_after, inv.batches]).toEqual([4, 1, 4]);
    expect(results.find((x) => x.table === 'payments')!.files_after).toBe(1);
    // One file per table now, holding every row.
    const store = new LocalLakeStore(lake);
    expect(await committedDataKeys(store, 'invoices')).toHaveLength(1);
    const invoiceRows = (await listManifests(store, 'invoices')).filter((m) => !m.compacted_sha256).reduce((n, m) => n + m.rows_loaded, 0);
    expect(inv.rows).toBe(invoiceRows);
    // A second compaction has nothing to do.
    const again = JSON.parse((await run('compact', '--lake', lake, '--json')).stdout) as { batch_id?: string }[];
    expect(again.every((x) => x.batch_id === undefined)).toBe(true);

    const after = await build();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const differ = [...before].filter(([m, bytes]) => after.get(m) !== bytes).map(([m]) => m);
    expect(differ, 'marts whose bytes changed with compaction').toEqual([]);
    expect(await staged()).toBe(stagedBefore);

    // Re-ingesting a file already in the lake is still recognised.
    const re = await cli(work, 'ingest', 'invoices-2.csv', '--table', 'invoices', '--lake', lake);
    expect(re.code).toBe(0);
    expect(re.stdout).toMatch(/already ingested|nothing to do/);

    // Retiring the original correction batch, whose row now sits in the compacted file, takes it out
    // exactly as it did before compaction; a compaction batch itself is refused.
    const compaction = (await listManifests(store, 'invoices')).find((m) => m.compacted_sha256)!;
    const refused = await cli(work, 'batches', 'retire', compaction.batch_id, '--lake', lake);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/is a compaction of 4 batches/);
    await run('batches', 'retire', await batchOf(correction), '--lake', lake);
    const retiredAfter = await stagedInvoices();
    expect(retiredAfter).toBe(retiredBefore);
    // and the retire changed the invoice (the earlier version wins again), or this proves nothing
    expect(retiredAfter).not.toBe(stagedBefore);
  }, 600_000);
});

