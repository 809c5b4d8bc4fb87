import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { cli, type CliRun } from '../helpers/cli.js';

// Issue 15: the README's exit-code table had no test of its own. This file reads the table and
// produces every row by a real invocation, asserting the code and that stderr names the cause; a
// row without a case here, or a case without a row, fails.
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

interface Row {
  code: number;
  cause: string;
}

function exitTable(): Row[] {
  const start = README.indexOf('### Exit codes');
  const section = README.slice(start, README.indexOf('\n| command |', start));
  return [...section.matchAll(/^\| `(\d)` \| (.+?) \| .+ \|$/gm)].map((m) => ({ code: Number(m[1]), cause: m[2]! }));
}

const work = mkdtempSync(join(tmpdir(), 'creditlake-exit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const lake = join(work, 'lake');
const run = (...argv: string[]) => cli(work, ...argv);
/** No line `creditlake <command>: …`, the form every failure takes. */
const NO_FAILURE = /^(?![\s\S]*^creditlake [a-z]+: )/m;

const CUSTOMERS = 'customer_id,name,country,segment,size_class,currency,payment_terms_days\nC1,One,NL,enterprise,large,EUR,30\n';
const INVOICES = 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI1,C1,invoice,2024-01-05,2024-02-04,1000.00,EUR\n';
// A dispute of a document the ledger does not have: the data test disputes_consistent fails.
const DISPUTES = 'dispute_id,document_id,customer_id,opened_date,disputed_amount,reason\nD1,I9,C1,2024-01-20,100.00,price\n';
const BAD = 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI2,C1,invoice,2024-02-05,2024-03-06,"12,5",EUR\n';

let build: CliRun;
beforeAll(async () => {
  writeFileSync(join(work, 'customers.csv'), CUSTOMERS);
  writeFileSync(join(work, 'invoices.csv'), INVOICES);
  writeFileSync(join(work, 'disputes.csv'), DISPUTES);
  writeFileSync(join(work, 'bad.csv'), BAD);
  for (const t of ['customers', 'invoices', 'disputes']) expect((await run('ingest', `${t}.csv`, '--table', t, '--lake', lake)).code).toBe(0);
  // The one build of this file: only what the failing data test reads is selected.
  build = await run('build', '--select', 'stg_disputes', '--lake', lake);
}, 600_000);

/** `query … | head`, in process: the reader goes away as soon as the first chunk is written. */
async function closedPipe(): Promise<CliRun> {
  let stderr = '';
  const stdout = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
  const err = new Writable({ write: (c, _e, cb) => ((stderr += String(c)), cb()) });
  const code = await main(['query', 'SELECT range AS n FROM range(200000)', '--lake', lake, '--format', 'csv'], { stdout, stderr: err, cwd: work, env: {} });
  return { code, stdout: '', stderr, out: '', err: stderr };
}

const cases: Record<string, { run: () => Promise<CliRun>; stderr: RegExp }> = {
  success: { run: () => run('batches', '--lake', lake), stderr: NO_FAILURE },
  '`--help` of any command, `--version`': {
    run: async () => {
      const help = await run('rejects', '--help');
      expect(help.stdout).toMatch(/^Usage: creditlake rejects/);
      const version = await run('--version');
      expect(version.code).toBe(0);
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      return help;
    },
    stderr: /^$/,
  },
  'a closed pipe: `query … \\| head` ends quietly': { run: closedPipe, stderr: /^$/ },
  'rejects over `--max-reject-rate` (default 0)': {
    run: () => run('ingest', 'bad.csv', '--table', 'invoices', '--lake', lake),
    stderr: /^creditlake ingest: 1 file\(s\) failed: bad\.csv \(reject rate 100\.0% over the limit 0\.0%\)$/m,
  },
  'a re-run of an ingest whose first run broke the limit': {
    run: async () => {
      const first = await run('ingest', 'bad.csv', '--table', 'invoices', '--lake', lake);
      const again = await run('ingest', 'bad.csv', '--table', 'invoices', '--lake', lake);
      expect(again.stderr).toBe(first.stderr);
      return again;
    },
    stderr: /creditlake ingest: 1 file\(s\) failed: bad\.csv \(reject rate 100\.0% over the limit 0\.0%\)/,
  },
  'a data test fails at `build`': { run: async () => build, stderr: /data test disputes_consistent failed \(1 rows\)[\s\S]*document I9 does not exist/ },
  'an SQL error in `query`': { run: () => run('query', 'SELECT * FROM no_such_table', '--lake', lake), stderr: /^creditlake query: Catalog Error: Table with name no_such_table does not exist/m },
  '`query` before any `build`': {
    run: async () => {
      mkdirSync(join(work, 'unbuilt'), { recursive: true });
      return run('query', 'SELECT 1', '--lake', 'unbuilt');
    },
    stderr: /^creditlake query: no warehouse at \S*unbuilt\S*; run `creditlake build` first/m,
  },
  '`build` on a lake with no batches': { run: () => run('build', '--lake', 'unbuilt'), stderr: /no batches in unbuilt/ },
  '`rejects --export` with nothing rejected': { run: () => run('rejects', 'customers', '--export', 'x.csv', '--lake', lake), stderr: /^no rejected rows to export$/m },
  '`batches retire` while a build of the lake runs': {
    run: async () => {
      const id = (JSON.parse((await run('batches', 'disputes', '--lake', lake, '--json')).stdout) as { batch_id: string }[])[0]!.batch_id;
      // A build in progress is a live process's warehouse under _tmp/ (vitest's own parent stands in).
      const marker = join(lake, '_tmp', `warehouse-${process.ppid}-${Date.now()}.duckdb`);
      mkdirSync(join(lake, '_tmp'), { recursive: true });
      writeFileSync(marker, '');
      try {
        return await run('batches', 'retire', id, '--lake', lake);
      } finally {
        rmSync(marker);
      }
    },
    stderr: new RegExp(`a build of this lake is running \\(pid ${process.ppid}`),
  },
  'no command, or an unknown one': {
    run: async () => {
      const none = await run();
      expect(none.code).toBe(2);
      expect(none.stdout).toMatch(/^creditlake: /);
      return run('injest', 'x.csv');
    },
    stderr: /^creditlake: unknown command "injest"\. Commands: /,
  },
  'an unknown option, or an option without its value': {
    run: async () => {
      const noValue = await run('query', '--format');
      expect(noValue.code).toBe(2);
      expect(noValue.stderr).toMatch(/^creditlake query: Option '--format <value>' argument missing/);
      return run('build', '--bogus', '--lake', lake);
    },
    stderr: /^creditlake build: Unknown option '--bogus'/,
  },
  'an option value out of range (`--format xml`, `--max-reject-rate 2`)': {
    run: async () => {
      const rate = await run('ingest', 'customers.csv', '--table', 'customers', '--max-reject-rate', '2', '--lake', lake);
      expect(rate.code).toBe(2);
      expect(rate.stderr).toMatch(/max-reject-rate/);
      return run('query', 'SELECT 1', '--format', 'xml', '--lake', lake);
    },
    stderr: /^creditlake query: --format must be one of table, csv, json/,
  },
  'a named input file or folder that does not exist': { run: () => run('ingest', 'nope.csv', '--table', 'invoices', '--lake', lake), stderr: /^creditlake ingest: no such file: \S*nope\.csv/ },
  'an invalid `creditlake.config.json`': {
    run: async () => {
      mkdirSync(join(work, 'badconfig'), { recursive: true });
      writeFileSync(join(work, 'badconfig', 'creditlake.config.json'), JSON.stringify({ duckdb: { threads: 'many' } }));
      return cli(join(work, 'badconfig'), 'batches');
    },
    stderr: /^creditlake batches: invalid config \S*creditlake\.config\.json:\n\s+duckdb\.threads: /m,
  },
  'an unknown `--select` model': { run: () => run('build', '--select', 'ar_agign', '--lake', lake), stderr: /--select ar_agign: no model named "ar_agign"/ },
  'a lake path that is a file': { run: () => run('ingest', 'customers.csv', '--table', 'customers', '--lake', 'customers.csv/lake'), stderr: /not a folder/ },
};

describe('the README exit-code table', () => {
  const rows = exitTable();

  it('has a case here for every row, and a row for every case', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    expect(rows.map((r) => r.cause).sort()).toEqual(Object.keys(cases).sort());
  });

  it.each(rows.map((r) => [r.code, r.cause] as const))('exit %i: %s', async (code, cause) => {
    const c = cases[cause];
    if (!c) return; // reported by the test above
    const r = await c.run();
    expect(r.code, `${cause}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(code);
    expect(r.stderr).toMatch(c.stderr);
  });
});
