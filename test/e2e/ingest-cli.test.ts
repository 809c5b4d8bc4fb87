import { DuckDBInstance } from '@duckdb/node-api';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';

const FIX = resolve(__dirname, '../fixtures/ingest');
const work = mkdtempSync(join(tmpdir(), 'ingest-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = cliIn(FIX);

async function count(sql: string): Promise<number> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    return Number((await conn.runAndReadAll(sql)).getRows()[0]![0]);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** Every file in the lake with its size and mtime: "changes nothing" means this is identical. */
function snapshot(lake: string): string[] {
  const store = new LocalLakeStore(lake);
  return readdirSync(lake, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const p = join(e.parentPath, e.name);
      const s = statSync(p);
      return `${p.slice(store.root.length)} ${s.size} ${s.mtimeMs}`;
    })
    .sort();
}

describe('creditlake ingest', () => {
  it('loads good rows, quarantines bad ones, prints reasons with file/line/column and exits 1 over the limit', async () => {
    const lake = join(work, 'lake-bad');
    const r = await cli(['ingest', 'bad-invoices.csv', '--table', 'invoices', '--lake', lake]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('bad-invoices.csv: 2 loaded, 11 rejected');
    expect(r.out).toMatch(/more than 2 decimals \[amount\]: e\.g\. bad-invoices\.csv line 8, column amount: "12\.345"/);
    expect(r.out).toMatch(/due_date before invoice_date \[due_date\]: e\.g\. bad-invoices\.csv line 5/);
    expect(r.err).toMatch(/1 file\(s\) failed/);
    expect(await count(`SELECT count(*) FROM '${lake}/raw/invoices/ingest_date=*/*.parquet'`)).toBe(2);
    expect(await count(`SELECT count(DISTINCT line) FROM '${lake}/quarantine/invoices/*.parquet'`)).toBe(11);
  });

  it('exits 0 when the reject rate is within --max-reject-rate', async () => {
    const lake = join(work, 'lake-rate');
    expect((await cli(['ingest', 'bad-invoices.csv', '--table', 'invoices', '--lake', lake, '--max-reject-rate', '0.9'])).code).toBe(0);
    expect((await cli(['ingest', 'missing-columns.csv', '--table', 'invoices', '--lake', lake, '--max-reject-rate', '90%'])).code).toBe(1);
  });

  it('re-ingesting the same file changes nothing and says so', async () => {
    const lake = join(work, 'lake-again');
    const file = join(work, 'again.csv');
    copyFileSync(join(FIX, 'good-invoices.csv'), file);
    const first = await cli(['ingest', file, '--table', 'invoices', '--lake', lake, '--json']);
    expect(first.code).toBe(0);
    const j = JSON.parse(first.out);
    expect(j.files[0]).toMatchObject({ status: 'loaded', rowsRead: 3, rowsLoaded: 3, rowsRejected: 0 });
    const before = snapshot(lake);
    const rowsBefore = await count(`SELECT count(*) FROM '${lake}/raw/invoices/ingest_date=*/*.parquet'`);

    const again = await cli(['ingest', file, '--table', 'invoices', '--lake', lake]);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`already ingested as batch ${j.files[0].batchId} on ${j.files[0].ingestDate}`);
    expect(snapshot(lake)).toEqual(before);
    expect(await count(`SELECT count(*) FROM '${lake}/raw/invoices/ingest_date=*/*.parquet'`)).toBe(rowsBefore);
    const manifest = JSON.parse(readFileSync(join(lake, j.files[0].manifestKey), 'utf8'));
    expect(manifest).toMatchObject({ batch_id: j.files[0].batchId, rows_read: 3, rows_loaded: 3, rows_rejected: 0, source_file: 'again.csv' });
  });

  it('reports an empty file clearly and exits 1; a header-only file loads 0 rows and exits 0', async () => {
    const lake = join(work, 'lake-empty');
    const empty = await cli(['ingest', 'empty.csv', '--table', 'invoices', '--lake', lake]);
    expect(empty.code).toBe(1);
    expect(empty.out).toContain('empty.csv: file is empty (expected a header line)');
    const hdr = await cli(['ingest', 'header-only.csv', '--table', 'invoices', '--lake', lake]);
    expect(hdr.code).toBe(0);
    expect(hdr.out).toContain('0 loaded, 0 rejected (header only: no data rows)');
  });

  it('exits 2 on usage errors: unknown table, missing file, no --table, bad rate', async () => {
    const lake = join(work, 'lake-usage');
    const unknown = await cli(['ingest', 'good-invoices.csv', '--table', 'nope', '--lake', lake]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown table "nope"/);
    const missing = await cli(['ingest', 'no-such.csv', '--table', 'invoices', '--lake', lake]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file: .*no-such\.csv/);
    expect((await cli(['ingest', 'good-invoices.csv', '--lake', lake])).code).toBe(2);
    expect((await cli(['ingest', 'good-invoices.csv', '--table', 'invoices', '--max-reject-rate', '2', '--lake', lake])).code).toBe(2);
    expect((await cli(['ingest', '--table', 'invoices', '--lake', lake])).code).toBe(2);
  });
});

describe('creditlake ingest --help', () => {
  it('names every canonical CSV the credit-report feed takes', async () => {
    const r = await cli(['ingest', '--help']);
    expect(r.code).toBe(0);
    const feed = r.out.slice(r.out.indexOf('--feed credit-report    '));
    for (const t of ['companies', 'company_identifiers', 'credit_reports', 'insolvency_events']) {
      expect(feed.slice(0, feed.indexOf('--max-reject-rate'))).toMatch(new RegExp(`\\b${t}\\b`));
    }
  });
});
