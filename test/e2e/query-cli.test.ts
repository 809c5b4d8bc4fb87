import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/creditlake.js');

// Issue 15: `query "SELECT * FROM ar_open_items"` on the demo lake (133,956 rows) failed with
// "Maximum call stack size exceeded"; the table format printed every row; two statements printed only
// the first result; `query … | head` printed an EPIPE stack trace and exited 1.
const work = mkdtempSync(join(tmpdir(), 'creditlake-query-'));
const lake = join(work, 'lake');
const MILLION =
  "SELECT range AS id, 'customer ' || range AS name, CAST(range AS DECIMAL(18,2)) / 100 AS amount, " +
  "DATE '2024-01-01' + CAST(range % 1000 AS INTEGER) AS d FROM range(1000000)";

beforeAll(async () => {
  mkdirSync(lake);
  // A warehouse with one view of the demo's open-items size; the query command only needs the file.
  await withDuckDB({ path: join(lake, 'warehouse.duckdb'), threads: 1 }, (db) =>
    db.execute(
      `CREATE VIEW open_items AS SELECT range AS n, 'DOC' || lpad(CAST(range AS VARCHAR), 6, '0') AS document_id, ` +
        `CAST(range AS DECIMAL(18,2)) AS amount FROM range(133956)`,
    ),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the real executable, as a shell pipeline would. */
function spawnCli(args: string[], opts: { heapMb?: number; cwd?: string } = {}) {
  const node = opts.heapMb ? [`--max-old-space-size=${opts.heapMb}`] : [];
  const child = spawn(process.execPath, [...node, BIN, ...args], { cwd: opts.cwd ?? work, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, exit, stderr: () => stderr };
}

describe('query output', () => {
  it('shows the first and last rows of a large result with a row-count footer', async () => {
    const r = await cli(work, 'query', 'SELECT * FROM open_items', '--lake', lake);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 20 + 1 + 20 + 1);
    expect(lines[2]).toMatch(/^\s*0\s+DOC000000\s+0\.00$/);
    expect(lines[22]).toMatch(/^\s*·\s+·\s+·$/);
    expect(lines[42]).toMatch(/^133955\s+DOC133955\s+133955\.00$/);
    expect(lines.at(-1)).toBe('(133,956 rows, 40 shown; --max-rows 0 shows all)');
  });

  it('takes --max-rows (0 for every row) and refuses a bad one as a usage error', async () => {
    const few = await cli(work, 'query', 'SELECT n FROM open_items', '--lake', lake, '--max-rows', '3');
    expect(few.stdout.split('\n').slice(2, 6).map((l) => l.trim())).toEqual(['0', '1', '·', '133955']);
    const all = await cli(work, 'query', 'SELECT n FROM open_items', '--lake', lake, '--max-rows', '0');
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(2 + 133_956 + 1);
    expect(all.stdout.trimEnd().split('\n').at(-1)).toBe('(133,956 rows)');
    const bad = await cli(work, 'query', 'SELECT 1', '--lake', lake, '--max-rows', '-1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-rows/);
  });

  it('prints the result of every statement, in each format', async () => {
    const sql = "SELECT 1 AS a; SET threads = 1; SELECT 'x,y' AS b, 2 AS c;";
    const table = await cli(work, 'query', sql, '--lake', lake);
    expect(table.stdout).toBe('a\n-\n1\n(1 row)\n\nb    c\n---  -\nx,y  2\n(1 row)\n');
    const csv = await cli(work, 'query', sql, '--lake', lake, '--format', 'csv');
    expect(csv.stdout).toBe('a\r\n1\r\n\r\nb,c\r\n"x,y",2\r\n');
    const json = await cli(work, 'query', sql, '--lake', lake, '--json');
    expect(json.stdout).toBe('[\n{"a":1}\n]\n[\n{"b":"x,y","c":2}\n]\n');
    expect(json.stdout.trimEnd().split('\n]\n').map((a) => JSON.parse(`${a.replace(/\n]$/, '')}\n]`))).toEqual([[{ a: 1 }], [{ b: 'x,y', c: 2 }]]);
  });

  it('prints the results before a failing statement, then the error, and exits 1', async () => {
    const r = await cli(work, 'query', 'SELECT 41 + 1 AS answer; SELECT no_such_column FROM open_items', '--lake', lake, '--format', 'csv');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('answer\r\n42\r\n');
    expect(r.stderr).toMatch(/no_such_column/);
  });

  it.each(['csv', 'json'])('streams 1M rows as %s in bounded memory (a 48 MB heap)', async (format) => {
    const run = spawnCli(['query', MILLION, '--lake', lake, '--format', format], { heapMb: 48 });
    let lines = 0;
    let last = '';
    let tail = '';
    run.child.stdout.setEncoding('utf8');
    run.child.stdout.on('data', (d: string) => {
      const text = tail + d;
      const parts = text.split('\n');
      tail = parts.pop()!;
      lines += parts.length;
      if (parts.length) last = parts.at(-1)!;
    });
    expect(await run.exit, run.stderr()).toBe(0);
    expect(run.stderr()).toBe('');
    if (format === 'csv') {
      expect(lines).toBe(1_000_001);
      expect(last).toBe('999999,customer 999999,9999.99,2026-09-26\r');
    } else {
      expect(lines).toBe(1_000_002);
      expect(last).toBe(']');
    }
  }, 300_000);
});

describe('a closed pipe ends a command quietly', () => {
  it('query … | head: exit 0, no stack trace', async () => {
    const run = spawnCli(['query', MILLION, '--lake', lake, '--format', 'csv']);
    const first = await new Promise<string>((res) => {
      let got = '';
      const onData = (d: Buffer) => {
        got += String(d);
        if (got.split('\n').length > 2) {
          run.child.stdout.off('data', onData);
          res(got);
        }
      };
      run.child.stdout.on('data', onData);
    });
    expect(first).toMatch(/^id,name,amount,d\r\n0,customer 0,0,2024-01-01\r\n/);
    run.child.stdout.destroy();
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe('');
  });

  it.each([['tables'], ['query', 'SELECT * FROM open_items']])('%s with its reader gone before it writes: exit 0, no stack trace', async (...args) => {
    const run = spawnCli([...args, '--lake', lake]);
    run.child.stdout.destroy();
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe('');
  });

  it('ingest with its reader gone still ingests, and exits 0 without a stack trace', async () => {
    const csv = join(work, 'customers.csv');
    writeFileSync(csv, 'customer_id,name,country,segment,size_class,currency,payment_terms_days\nC1,One,NL,enterprise,large,EUR,30\n');
    const run = spawnCli(['ingest', csv, '--table', 'customers', '--lake', join(work, 'ingested')]);
    run.child.stdout.destroy();
    expect(await run.exit).toBe(0);
    expect(run.stderr()).not.toMatch(/EPIPE|at .*\.js/);
    const again = await cli(work, 'ingest', csv, '--table', 'customers', '--lake', join(work, 'ingested'));
    expect(again.stdout).toMatch(/already ingested/);
  });
});
