import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

const FIX = join(import.meta.dirname, '../fixtures/credit-reports');

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, text: () => text };
}

async function cli(args: string[], cwd: string) {
  const out = sink();
  const err = sink();
  const code = await main(args, { stdout: out.stream, stderr: err.stream, cwd });
  return { code, out: out.text(), err: err.text() };
}

async function sql(lake: string, query: string) {
  return withDuckDB({}, async (db) => (await db.query(query.replaceAll('$LAKE', lake))).rows);
}

describe('creditlake ingest --feed credit-report', () => {
  let dir: string;
  let lake: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-ingest-'));
    lake = join(dir, 'lake');
    for (const f of ['creditsafe-reports.json', 'graydon-export.csv']) copyFileSync(join(FIX, f), join(dir, f));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads good reports and quarantines each bad one with its reason', async () => {
    const r = await cli(['ingest', '--feed', 'credit-report', 'creditsafe-reports.json', 'graydon-export.csv', '--lake', lake, '--max-reject-rate', '1', '--json'], dir);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out);
    const [cs, gr] = res.files;
    expect([cs.rowsRead, cs.rowsLoaded, cs.rowsRejected]).toEqual([8, 3, 5]);
    expect([gr.rowsRead, gr.rowsLoaded, gr.rowsRejected]).toEqual([5, 3, 2]);

    const q = await sql(lake, `SELECT source_file, line, reason, column_name, detail FROM read_parquet('$LAKE/quarantine/credit_reports/*.parquet') ORDER BY source_file, line`);
    const reasons = q.map((x) => `${x.source_file}:${x.reason}`);
    expect(reasons).toEqual([
      'creditsafe-reports.json:malformed JSON',
      'creditsafe-reports.json:unknown SBI code',
      'creditsafe-reports.json:score out of range',
      'creditsafe-reports.json:duplicate report',
      'creditsafe-reports.json:invalid KvK number',
      'graydon-export.csv:unknown rating',
      'graydon-export.csv:score out of range',
    ]);
    // Line numbers point into the file: the malformed element starts on line 36 of the fixture.
    expect(q[0]!.line).toBe('36');
    expect(q.find((x) => x.reason === 'unknown SBI code')!.detail).toMatch(/99\.99\.9/);
  });

  it('resolves one company across providers and keeps the score history', async () => {
    const ids = await sql(lake, `SELECT id_type, id_value, company_key FROM read_parquet('$LAKE/raw/company_identifiers/*/*.parquet') WHERE company_key = 'NL-KVK-10000001' ORDER BY id_type`);
    expect(ids.map((x) => `${x.id_type}:${x.id_value}`)).toEqual(['creditsafe:NL-X-10000001', 'graydon:G-501', 'kvk:10000001', 'vat:NL000000012B01']);
    const reports = await sql(lake, `SELECT company_key, provider, report_date, score, rating, common_band, company_status, CAST(credit_limit_advice AS VARCHAR) AS advice
      FROM read_parquet('$LAKE/raw/credit_reports/*/*.parquet') ORDER BY company_key, report_date, provider`);
    const byKey = (k: string) => reports.filter((x) => x.company_key === k);
    expect(byKey('NL-KVK-10000001').map((x) => `${x.provider}:${x.common_band}:${x.advice}`)).toEqual(['creditsafe:2:25000.00', 'graydon:2:20000.00']);
    expect(byKey('NL-KVK-10000002').map((x) => `${x.report_date}:${x.common_band}:${x.company_status}`)).toEqual(['2024-03-01:4:active', '2024-06-03:5:insolvent']);
    expect(byKey('NL-KVK-20000003')[0]).toMatchObject({ rating: 'D', common_band: 5, company_status: 'insolvent' });
    const events = await sql(lake, `SELECT company_key, event_type, event_date, source FROM read_parquet('$LAKE/raw/insolvency_events/*/*.parquet') ORDER BY company_key`);
    expect(events).toEqual([
      { company_key: 'NL-KVK-10000002', event_type: 'bankruptcy', event_date: '2024-05-28', source: 'creditsafe' },
      { company_key: 'NL-KVK-20000003', event_type: 'bankruptcy', event_date: '2024-03-02', source: 'graydon' },
    ]);
    const comp = await sql(lake, `SELECT company_key, sbi_code, sbi_version, size_class, branch_number FROM read_parquet('$LAKE/raw/companies/*/*.parquet') WHERE company_key = 'NL-KVK-10000002'`);
    expect(comp).toEqual([{ company_key: 'NL-KVK-10000002', sbi_code: '5610', sbi_version: 'SBI2008', size_class: null, branch_number: null }]);
  });

  it('is idempotent per file and appends (never overwrites) a later report', async () => {
    const before = readdirSync(join(lake, 'raw', 'credit_reports'), { recursive: true }).length;
    const again = await cli(['ingest', '--feed', 'credit-report', 'creditsafe-reports.json', '--lake', lake, '--max-reject-rate', '1'], dir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already ingested/);
    // Under the default limit (0) the file's 5 rejects of 8 fail a re-run as they would have failed the first.
    const strict = await cli(['ingest', '--feed', 'credit-report', 'creditsafe-reports.json', '--lake', lake], dir);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/already ingested as batch \S+ on \S+ \(3 loaded, 5 rejected\) — reject rate 62\.5% exceeds the limit 0\.0%/);
    expect(readdirSync(join(lake, 'raw', 'credit_reports'), { recursive: true }).length).toBe(before);

    writeFileSync(join(dir, 'later.ndjson'), [
      JSON.stringify({ companyId: 'NL-X-10000001', reportDate: '2024-04-01', companySummary: { businessName: 'Bakker Bouw B.V.', companyRegistrationNumber: '10000001' }, creditScore: { currentCreditRating: { providerValue: { value: 45 } } } }),
      JSON.stringify({ companyId: 'NL-X-10000001', reportDate: '2024-03-01', companySummary: { businessName: 'Bakker Bouw B.V.', companyRegistrationNumber: '10000001' }, creditScore: { currentCreditRating: { providerValue: { value: 70 } } } }),
      '{"companyId": "oops"',
    ].join('\n'));
    const later = await cli(['ingest', '--feed', 'credit-report', 'later.ndjson', '--lake', lake], dir);
    expect(later.code).toBe(1); // rejects over the default limit of 0
    expect(later.out).toMatch(/1 loaded, 2 rejected/);
    expect(later.out).toMatch(/duplicate report/);
    const hist = await sql(lake, `SELECT report_date, score FROM read_parquet('$LAKE/raw/credit_reports/*/*.parquet') WHERE company_key = 'NL-KVK-10000001' AND provider = 'creditsafe' ORDER BY report_date`);
    expect(hist).toEqual([{ report_date: '2024-03-01', score: 64 }, { report_date: '2024-04-01', score: 45 }]);
  });

  it('refuses an unknown feed and a file it cannot read', async () => {
    expect((await cli(['ingest', '--feed', 'nope', 'x.json', '--lake', lake], dir)).code).toBe(2);
    writeFileSync(join(dir, 'weird.csv'), 'a,b,c\n1,2,3\n');
    const r = await cli(['ingest', '--feed', 'credit-report', 'weird.csv', '--lake', lake], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/unrecognised credit-report CSV header/);
  });
});
