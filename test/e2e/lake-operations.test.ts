import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

/**
 * stderr without the progress lines a slow first run prints in a log (`ingest <file>: 30%`, after
 * two seconds, as on a loaded machine): the re-run that only reads its manifest never has any.
 */
const withoutProgress = (stderr: string) => stderr.split('\n').filter((l) => !/^ingest .*: \d+%$/.test(l)).join('\n');

// Issue 15: no command listed batches, showed rejected rows or retired a wrong batch; re-running an
// ingest whose first run broke the reject limit exited 0 ("already ingested"); a mistyped --lake
// built an empty lake and said ok.
const work = mkdtempSync(join(tmpdir(), 'creditlake-lakeops-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const lake = join(work, 'lake');

const CUSTOMERS = 'customer_id,name,country,segment,size_class,currency,payment_terms_days\nC1,One,NL,enterprise,large,EUR,30\nC2,Two,NL,smb,small,EUR,30\n';
const INVOICES = 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI1,C1,invoice,2024-01-05,2024-02-04,1000.00,EUR\nI2,C2,invoice,2024-02-10,2024-03-11,500.00,EUR\n';
// A wrong export: an amount off by a factor 100 and a line with a bad amount.
const WRONG = 'document_id,customer_id,document_type,invoice_date,due_date,amount,currency\nI3,C1,invoice,2024-03-01,2024-03-31,99999.00,EUR\nI4,C2,invoice,2024-03-02,2024-04-01,"12,5",EUR\n';

const invoiceTotal = async () => (await cli(work, 'query', 'SELECT count(*) AS n, sum(amount) AS total FROM invoices', '--lake', lake, '--format', 'csv')).stdout;
const batchList = async () => JSON.parse((await cli(work, 'batches', '--lake', lake, '--json')).stdout) as { batch_id: string; table: string; source_file: string; rows_loaded: number; rows_rejected: number; retired: unknown }[];

beforeAll(async () => {
  writeFileSync(join(work, 'customers.csv'), CUSTOMERS);
  writeFileSync(join(work, 'invoices.csv'), INVOICES);
  writeFileSync(join(work, 'invoices-wrong.csv'), WRONG);
  expect((await cli(work, 'ingest', 'customers.csv', '--table', 'customers', '--lake', lake)).code).toBe(0);
  expect((await cli(work, 'ingest', 'invoices.csv', '--table', 'invoices', '--lake', lake)).code).toBe(0);
});

describe('lake operations', () => {
  it('build on a lake with no batches (or a mistyped --lake) says so and exits 1, creating nothing', async () => {
    const typo = await cli(work, 'build', '--lake', 'lakee');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/no batches in lakee \(no such folder\)/);
    expect(existsSync(join(work, 'lakee'))).toBe(false);
    mkdirSync(join(work, 'empty'));
    const empty = await cli(work, 'build', '--lake', 'empty');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no batches in empty: ingest files first/);
    expect(existsSync(join(work, 'empty', 'warehouse.duckdb'))).toBe(false);
  });

  it('a re-run of an ingest that broke the reject limit fails again, with the same exit code', async () => {
    const first = await cli(work, 'ingest', 'invoices-wrong.csv', '--table', 'invoices', '--lake', lake);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/1 loaded, 1 rejected — reject rate 50\.0% exceeds the limit 0\.0%/);
    const again = await cli(work, 'ingest', 'invoices-wrong.csv', '--table', 'invoices', '--lake', lake);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already ingested as batch \S+ .*\(1 loaded, 1 rejected\) — reject rate 50\.0% exceeds the limit 0\.0%/);
    expect(withoutProgress(again.stderr)).toBe(withoutProgress(first.stderr));
    // Within a limit it accepts, the same file is simply already there.
    const tolerated = await cli(work, 'ingest', 'invoices-wrong.csv', '--table', 'invoices', '--lake', lake, '--max-reject-rate', '50%');
    expect(tolerated.code).toBe(0);
    expect(tolerated.stdout).toMatch(/nothing to do/);
  });

  it('a re-run of a --mapping ingest or an fx-rates feed that broke the limit fails again the same way', async () => {
    // An Exact Online open-items export with one unreadable amount among three lines.
    writeFileSync(join(work, 'exact-open.csv'), [
      'AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef',
      '1001;Klant B.V.;20240117;15-01-2024;14-02-2024;EUR;1.234,56;0,00;Levering;24000117;70;PO-1',
      '1001;Klant B.V.;20240131;31-01-2024;01-03-2024;EUR;veel;0,00;Levering;24000131;70;PO-2',
      '1002;Ander B.V.;20240201;01-02-2024;02-03-2024;EUR;99,00;0,00;Levering;24000201;70;PO-3',
    ].join('\r\n') + '\r\n');
    const mapped = ['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-02-16', 'exact-open.csv', '--lake', join(work, 'lake-mapped')];
    const first = await cli(work, ...mapped);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/2 loaded, 1 rejected .*of 3 source rows — reject rate 33\.3% exceeds the limit 0\.0%/);
    const again = await cli(work, ...mapped);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already ingested with mapping exact-online-receivables as batch \S+ on \S+ \(2 loaded, 1 rejected of 3 source rows\) — reject rate 33\.3% exceeds the limit 0\.0%/);
    expect(withoutProgress(again.stderr)).toBe(withoutProgress(first.stderr));
    const tolerated = await cli(work, ...mapped, '--max-reject-rate', '40%');
    expect(tolerated.code).toBe(0);
    expect(tolerated.stdout).toMatch(/nothing to do/);

    writeFileSync(join(work, 'rates.csv'), 'rate_date,currency,rate\n2024-01-02,USD,1.0956\n2024-01-02,GBP,-1\n');
    const fx = ['ingest', '--feed', 'fx-rates', 'rates.csv', '--lake', join(work, 'lake-fx')];
    const fxFirst = await cli(work, ...fx);
    expect(fxFirst.code).toBe(1);
    const fxAgain = await cli(work, ...fx);
    expect(fxAgain.code).toBe(1);
    expect(fxAgain.stdout).toMatch(/already ingested as batch \S+ on \S+ \(1 loaded, 1 rejected\) — reject rate 50\.0% exceeds the limit 0\.0%/);
    expect(withoutProgress(fxAgain.stderr)).toBe(withoutProgress(fxFirst.stderr));
    expect((await cli(work, ...fx, '--max-reject-rate', '0.5')).code).toBe(0);
  });

  it('lists batches with source file, hash, rows loaded and rejected, and time', async () => {
    const list = await cli(work, 'batches', '--lake', lake);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^table\s+batch_id\s+source_file\s+sha256\s+rows_loaded\s+rows_rejected\s+ingested_at\s+status/);
    expect(list.stdout).toMatch(/invoices\s+\S+\s+invoices-wrong\.csv\s+[0-9a-f]{12}\s+1\s+1\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+active/);
    expect(list.stdout).toMatch(/\(3 rows\)/);
    const onlyCustomers = await cli(work, 'batches', 'customers', '--lake', lake, '--json');
    expect(JSON.parse(onlyCustomers.stdout).map((b: { table: string }) => b.table)).toEqual(['customers']);
    expect((await cli(work, 'batches', 'nope', '--lake', lake)).code).toBe(2);
  });

  it('shows rejected rows with their reasons, per table or batch', async () => {
    const wrong = (await batchList()).find((b) => b.source_file === 'invoices-wrong.csv')!;
    const all = await cli(work, 'rejects', '--lake', lake, '--format', 'csv');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^table,batch_id,source_file,line,column_name,reason,detail,raw_line\r\n/);
    expect(all.stdout).toContain(`invoices,${wrong.batch_id},invoices-wrong.csv,3,amount,`);
    const one = await cli(work, 'rejects', '--batch', wrong.batch_id.slice(0, 20), '--lake', lake);
    expect(one.stdout).toMatch(/\(1 row\)/);
    const none = await cli(work, 'rejects', 'customers', '--lake', lake, '--json');
    expect(none.stdout).toBe('[]\n');
    expect(none.stderr).toMatch(/no rejected rows/);
  });

  it('retires a wrong batch reversibly, recorded, at the next build', async () => {
    expect((await cli(work, 'build', '--lake', lake, '--select', '+ar_open_items')).code).toBe(0);
    expect(await invoiceTotal()).toBe('n,total\r\n3,101499.00\r\n');
    const wrong = (await batchList()).find((b) => b.source_file === 'invoices-wrong.csv')!;

    const retire = await cli(work, 'batches', 'retire', wrong.batch_id, '--reason', 'amounts in cents', '--lake', lake);
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stdout).toMatch(/retired invoices batch .* next `creditlake build`/);
    expect((await batchList()).find((b) => b.batch_id === wrong.batch_id)!.retired).toMatchObject({ reason: 'amounts in cents' });
    expect((await cli(work, 'build', '--lake', lake, '--select', '+ar_open_items')).code).toBe(0);
    expect(await invoiceTotal()).toBe('n,total\r\n2,1500.00\r\n');
    // Still recognised: the same file is not loaded a second time behind the retirement's back.
    expect((await cli(work, 'ingest', 'invoices-wrong.csv', '--table', 'invoices', '--lake', lake, '--max-reject-rate', '1')).stdout).toMatch(/already ingested/);

    const restore = await cli(work, 'batches', 'restore', wrong.batch_id, '--lake', lake);
    expect(restore.code).toBe(0);
    expect((await cli(work, 'build', '--lake', lake, '--select', '+ar_open_items')).code).toBe(0);
    expect(await invoiceTotal()).toBe('n,total\r\n3,101499.00\r\n');

    const ops = readdirSync(join(lake, 'operations')).map((f) => JSON.parse(readFileSync(join(lake, 'operations', f), 'utf8')));
    expect(ops.map((o) => [o.op, o.batch_id])).toEqual([['retire', wrong.batch_id], ['restore', wrong.batch_id]]);
  });

  it('retiring every batch of a table leaves it empty, not read by glob', async () => {
    const customers = (await batchList()).find((b) => b.table === 'customers')!;
    expect((await cli(work, 'batches', 'retire', customers.batch_id, '--lake', lake)).code).toBe(0);
    expect((await cli(work, 'build', '--lake', lake, '--select', '+ar_open_items')).code).toBe(0);
    expect((await cli(work, 'query', 'SELECT count(*) AS n FROM customers', '--lake', lake, '--format', 'csv')).stdout).toBe('n\r\n0\r\n');
    expect((await cli(work, 'batches', 'restore', customers.batch_id, '--lake', lake)).code).toBe(0);
  });

  it('refuses to retire while a build of the lake runs', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      mkdirSync(join(lake, '_tmp'), { recursive: true });
      writeFileSync(join(lake, '_tmp', `warehouse-${other.pid}-${Date.now()}.duckdb`), '');
      const id = (await batchList())[0]!.batch_id;
      const r = await cli(work, 'batches', 'retire', id, '--lake', lake);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`a build of this lake is running \\(pid ${other.pid}`));
      expect((await batchList()).every((b) => !b.retired)).toBe(true);
    } finally {
      other.kill();
      rmSync(join(lake, '_tmp'), { recursive: true, force: true });
    }
  });
  it('exports rejected rows in the source layout; corrected, they ingest', async () => {
    const exportLake = join(work, 'lake-export');
    // The file's own column order, an extra column the table does not know, a quoted comma, and three
    // bad lines: an amount with a decimal comma and a due date before the invoice date (checks), a
    // date the reader refuses.
    writeFileSync(join(work, 'invoices-apr.csv'), [
      'currency,document_id,customer_id,document_type,invoice_date,due_date,amount,note',
      'EUR,I10,C1,invoice,2024-04-01,2024-05-01,100.00,ok',
      'EUR,I11,C2,invoice,2024-04-02,2024-05-02,"1,50","klant, zegt: te laat"',
      'EUR,I12,C1,invoice,2024-04-03,2024-03-03,300.00,',
      'EUR,I13,C2,invoice,2024-04-31,2024-05-31,400.00,',
    ].join('\n') + '\n');
    const first = await cli(work, 'ingest', 'invoices-apr.csv', '--table', 'invoices', '--lake', exportLake, '--max-reject-rate', '1');
    expect(first.stdout).toMatch(/1 loaded, 3 rejected/);
    const apr = (JSON.parse((await cli(work, 'batches', '--lake', exportLake, '--json')).stdout) as { batch_id: string; source_file: string }[]).find((b) => b.source_file === 'invoices-apr.csv')!;
    const exp = await cli(work, 'rejects', 'invoices', '--batch', apr.batch_id, '--export', 'fix.csv', '--lake', exportLake);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toMatch(/wrote 3 rejected line\(s\) of invoices in the source layout to .*fix\.csv/);
    const exported = readFileSync(join(work, 'fix.csv'), 'utf8').split('\n');
    expect(exported[0]).toBe('currency,document_id,customer_id,document_type,invoice_date,due_date,amount,note');
    // Each line as the file had it: quotes, and the column the table does not know (note).
    expect(exported.slice(1, 3)).toEqual(['EUR,I11,C2,invoice,2024-04-02,2024-05-02,"1,50","klant, zegt: te laat"', 'EUR,I12,C1,invoice,2024-04-03,2024-03-03,300.00,']);
    expect(exported[3]).toMatch(/^EUR,I13,C2,invoice,2024-04-31,2024-05-31,400\.00,/);
    // Corrected by the user, the same file ingests in full.
    writeFileSync(join(work, 'fix.csv'), readFileSync(join(work, 'fix.csv'), 'utf8').replace('"1,50"', '1.50').replace('2024-03-03', '2024-05-03').replace('2024-04-31', '2024-04-30'));
    const again = await cli(work, 'ingest', 'fix.csv', '--table', 'invoices', '--lake', exportLake);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/3 loaded, 0 rejected/);
    expect((await cli(work, 'rejects', '--export', 'x.csv', '--format', 'csv', '--lake', exportLake)).code).toBe(2);
    expect((await cli(work, 'rejects', '--export', 'x.csv', '--lake', exportLake)).code).toBe(0);
  });
});
