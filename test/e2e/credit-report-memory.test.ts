import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/creditlake.js');

// Issue 16 item 3: the 100M-invoice credit-report feed (3.8M companies, 11.2M identifiers, 40.1M
// reports) ran out of JavaScript heap: every identifier in a Map, one company row per company, the
// event ids, all in the V8 heap, which no duckdb.memory_limit bounds. The known state now lives in
// typed arrays outside the heap and in DuckDB, so the heap the feed needs does not grow with the
// feed. This runs the real command in a child process whose V8 heap is capped below what the old
// code needed here (it ran out at 96 MB on 38,400 companies and 111,953 identifiers; this feed has
// 80,000 companies, 240,000 identifiers and 160,000 reports).
const COMPANIES = 80_000;
const HEAP_MB = 80;

const work = mkdtempSync(join(tmpdir(), 'creditlake-feed-memory-'));
const kvk = (i: number) => String(10_000_000 + i * 7);

beforeAll(() => {
  const companies = ['company_key,name,country,kvk_number,branch_number,vat_number,duns_number,sbi_code,sbi_version,size_class,legal_form'];
  const ids = ['id_type,id_value,company_key'];
  const reports = ['report_id,company_key,provider,report_date,score,score_scale,rating,common_band,scorecard_version,credit_limit_advice,credit_limit_currency,payment_score,company_status'];
  const events = ['event_id,company_key,event_type,event_date,source,case_number'];
  for (let i = 0; i < COMPANIES; i++) {
    const key = `NL-KVK-${kvk(i)}`;
    companies.push(`${key},Bedrijf ${i} B.V.,NL,${kvk(i)},,NL${kvk(i)}0B01,,72111,SBI2008,small,BV`);
    // One new identifier (D-U-N-S) and one the lake knows from companies.csv.
    ids.push(`duns,${String(100_000_000 + i)},${key}`, `kvk,${kvk(i)},${key}`);
    for (const month of ['01', '07']) {
      reports.push(`creditsafe-${key}-2025-${month}-01,${key},creditsafe,2025-${month}-01,${51 + (i % 20)},creditsafe_0_100,B,2,cs-intl-2,${1000 + i}.00,EUR,,active`);
    }
    if (i % 100 === 0) events.push(`${key}-bankruptcy-2025-09-01,${key},bankruptcy,2025-09-01,CIR,F.13/25/${i}`);
  }
  // Half the report history delivered again, with one new report: every other line is quarantined.
  const again = [...reports.slice(0, COMPANIES + 1), `creditsafe-NL-KVK-${kvk(0)}-2025-11-01,NL-KVK-${kvk(0)},creditsafe,2025-11-01,70,creditsafe_0_100,B,2,cs-intl-2,900.00,EUR,,active`];
  for (const [name, lines] of [['companies', companies], ['company_identifiers', ids], ['credit_reports', reports], ['insolvency_events', events], ['credit_reports_again', again]] as const) {
    writeFileSync(join(work, `${name}.csv`), `${lines.join('\n')}\n`);
  }
  writeFileSync(join(work, 'creditlake.config.json'), JSON.stringify({ lake: 'lake', duckdb: { memory_limit: '1GB', threads: 1 } }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], heapMb: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, BIN, ...args], { cwd: work, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

describe('credit-report feed memory', () => {
  it(`ingests ${COMPANIES.toLocaleString('en')} companies, their identifiers and reports within a ${HEAP_MB} MB JavaScript heap`, async () => {
    const files = ['companies.csv', 'company_identifiers.csv', 'credit_reports.csv', 'insolvency_events.csv'];
    const r = await run(['ingest', '--feed', 'credit-report', ...files, '--json'], HEAP_MB);
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0);
    const res = JSON.parse(r.stdout) as { files: { rowsLoaded: number; rowsRejected: number }[] };
    expect(res.files.map((f) => [f.rowsLoaded, f.rowsRejected])).toEqual([
      [COMPANIES, 0],
      [2 * COMPANIES, 0],
      [2 * COMPANIES, 0],
      [COMPANIES / 100, 0],
    ]);
    // The rows the feed wrote: one identifier per kvk, VAT and D-U-N-S number, each resolving to its company.
    const lake = join(work, 'lake');
    const rows = await withDuckDB({ threads: 1 }, async (db) =>
      (await db.query(`SELECT
          (SELECT count(*) FROM read_parquet('${lake}/raw/companies/*/*.parquet')) AS companies,
          (SELECT count(*) FROM read_parquet('${lake}/raw/company_identifiers/*/*.parquet')) AS ids,
          (SELECT count(DISTINCT company_key) FROM read_parquet('${lake}/raw/company_identifiers/*/*.parquet')) AS keys,
          (SELECT count(*) FROM read_parquet('${lake}/raw/credit_reports/*/*.parquet')) AS reports`)).rows,
    );
    expect(rows[0]).toEqual({ companies: String(COMPANIES), ids: String(3 * COMPANIES), keys: String(COMPANIES), reports: String(2 * COMPANIES) });

    // A re-delivered history, checked against the whole feed read back from the lake's index: its
    // rejects go to the quarantine a piece at a time, never all in the heap.
    const again = await run(['ingest', '--feed', 'credit-report', 'credit_reports_again.csv', '--json', '--max-reject-rate', '1'], HEAP_MB);
    expect(again.code, again.stderr.slice(0, 2000)).toBe(0);
    const f = (JSON.parse(again.stdout) as { files: { rowsLoaded: number; rowsRejected: number; topReasons: { reason: string; rows: number; sample: { line: number } }[] }[] }).files[0]!;
    expect([f.rowsLoaded, f.rowsRejected]).toEqual([1, COMPANIES]);
    expect(f.topReasons.map((r) => [r.reason, r.rows, r.sample.line])).toEqual([['duplicate report', COMPANIES, 2]]);
    const quarantined = await withDuckDB({ threads: 1 }, async (db) =>
      (await db.query(`SELECT count(*) AS n, min(line) AS first, max(line) AS last FROM read_parquet('${lake}/quarantine/credit_reports/*.parquet')`)).rows[0],
    );
    expect(quarantined).toEqual({ n: String(COMPANIES), first: '2', last: String(COMPANIES + 1) });
  }, 300_000);
});
