import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// Issue 15 item 6: nothing ran the pipeline locally the way the landing bucket does on AWS.
const BIN = resolve(import.meta.dirname, '../../bin/creditlake.js');
const work = mkdtempSync(join(tmpdir(), 'creditlake-watch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CUSTOMERS = 'customer_id,name,country,segment,size_class,currency,payment_terms_days\nC1,One,NL,enterprise,large,EUR,30\n';
const INVOICES = 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI1,C1,invoice,2024-01-05,2024-02-04,1000.00,EUR\n';
const BAD = 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI9,C1,invoice,2024-13-45,2024-02-04,abc,EUR\n';

function drop(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

describe('creditlake watch <folder>', () => {
  const landing = join(work, 'landing');
  const lake = join(work, 'lake');

  it('ingests each file by where it lies, files it in done/ or failed/ with a reason, then builds', async () => {
    drop(landing, 'customers/customers-2024.csv', CUSTOMERS);
    drop(landing, 'invoices/invoices-jan.csv', INVOICES);
    drop(landing, 'invoices/invoices-broken.csv', BAD);
    drop(landing, 'receipts/stray.csv', INVOICES);
    drop(landing, 'fx-rates/eurofxref.csv', 'Date,USD,GBP,\n2024-01-05,1.0950,0.86030,\n');
    const r = await cli(work, 'watch', 'landing', '--once', '--lake', lake);
    expect(r.code).toBe(1); // two files failed
    expect(r.stdout).toMatch(/customers\/customers-2024\.csv: 1 loaded, 0 rejected .*→ done\//);
    expect(r.stdout).toMatch(/invoices\/invoices-broken\.csv: FAILED \(exit 1\)/);
    expect(r.stdout).toMatch(/receipts\/stray\.csv: FAILED unknown folder receipts\//);
    expect(r.stdout).toMatch(/build ok/);
    expect(existsSync(join(landing, 'done', 'fx-rates', 'eurofxref.csv'))).toBe(true);
    expect(existsSync(join(landing, 'done', 'customers', 'customers-2024.csv'))).toBe(true);
    expect(existsSync(join(landing, 'done', 'invoices', 'invoices-jan.csv'))).toBe(true);
    expect(readFileSync(join(landing, 'failed', 'invoices', 'invoices-broken.csv.reason.txt'), 'utf8')).toMatch(/reject rate 100\.0%/);
    expect(existsSync(join(landing, 'failed', 'receipts', 'stray.csv.reason.txt'))).toBe(true);
    expect(readdirSync(join(landing, 'invoices'))).toEqual([]);
    const q = await cli(work, 'query', 'SELECT count(*) AS n FROM invoices', '--lake', lake, '--format', 'csv');
    expect(q.stdout).toBe('n\r\n1\r\n');
  });

  it('never ingests a file twice, also across restarts', async () => {
    drop(landing, 'customers/customers-again.csv', CUSTOMERS);
    const r = await cli(work, 'watch', 'landing', '--once', '--lake', lake);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/customers-again\.csv: already ingested .*→ done\//);
    expect(r.stdout).not.toMatch(/build /); // nothing new: no build
    const batches = JSON.parse((await cli(work, 'batches', '--lake', lake, '--json')).stdout);
    expect(batches).toHaveLength(4);
  });

  it('keeps watching, builds after a quiet window, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'watch', landing, '--quiet-seconds', '1', '--poll-ms', '200', '--lake', lake], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(re);
    };
    await waitFor(/watching /);
    drop(landing, 'invoices/invoices-feb.csv', INVOICES.replace('I1,', 'I2,'));
    await waitFor(/invoices-feb\.csv: 1 loaded/);
    await waitFor(/build ok/);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(code).toBe(0);
    expect(out).toMatch(/stopped/);
    expect(out).not.toMatch(/\n\s+at /);
    const q = await cli(work, 'query', 'SELECT count(*) AS n FROM invoices', '--lake', lake, '--format', 'csv');
    expect(q.stdout).toBe('n\r\n2\r\n');
  }, 120_000);
});
