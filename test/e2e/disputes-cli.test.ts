/**
 * Issue 11, "disputes and delivery channel are dropped", through the CLI on small hand-made files:
 * canonical disputes and invoices with a delivery channel ingest with row-level rejects, the IBM
 * layout keeps Disputed and PaperlessBill (an unsettled disputed invoice is an open dispute), and a
 * dispute of an unknown document fails the build's data test by name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, CUSTOMERS_HEADER, queryRows, workFolder, writeCsv } from '../support/run-cli.js';

const INVOICES = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id,delivery_channel';
const DISPUTES = 'dispute_id,document_id,customer_id,opened_date,resolved_date,reason,disputed_amount,outcome';

describe('disputes and delivery channel: ingest (hand-made ledger)', () => {
  const work = workFolder('disputes-ingest');
  let invoices: Awaited<ReturnType<typeof cli>>;
  let disputes: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    writeCsv(work, 'customers', CUSTOMERS_HEADER, [['C1', 'Alpha BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '30']]);
    expect((await cli(work, 'ingest', join(work, 'customers.csv'), '--table', 'customers')).code).toBe(0);
    writeCsv(work, 'invoices', INVOICES, [
      ['I1', 'C1', 'invoice', '2024-01-05', '2024-02-04', 'EUR', '500.00', '', '', 'paper'],
      ['I2', 'C1', 'invoice', '2024-01-06', '2024-02-05', 'EUR', '300.00', '', '', 'e-invoice'],
      ['I3', 'C1', 'invoice', '2024-01-07', '2024-02-06', 'EUR', '200.00', '', '', ''],
      ['I4', 'C1', 'invoice', '2024-01-08', '2024-02-07', 'EUR', '100.00', '', '', 'fax'],
    ]);
    invoices = await cli(work, 'ingest', join(work, 'invoices.csv'), '--table', 'invoices', '--max-reject-rate', '50%');
    writeCsv(work, 'disputes', DISPUTES, [
      ['D1', 'I1', 'C1', '2024-01-20', '2024-03-01', 'price', '100.00', 'credited'],
      ['D2', 'I2', 'C1', '2024-01-20', '', 'quantity', '300.00', ''],
      ['D3', 'I3', 'C1', '2024-02-10', '2024-02-01', 'quality', '50.00', ''],
      ['D4', 'I3', 'C1', '2024-02-10', '', 'quality', '0.00', ''],
      ['D5', 'I3', 'C1', '2024-02-10', '', 'quality', '20.00', 'lost'],
    ]);
    disputes = await cli(work, 'ingest', join(work, 'disputes.csv'), '--table', 'disputes', '--max-reject-rate', '80%');
  }, 240_000);

  it('loads delivery channels and rejects one outside paper, email, e-invoice, portal with line and value', async () => {
    expect(invoices.code, invoices.stderr).toBe(0);
    expect(invoices.stdout + invoices.stderr).toMatch(/3 loaded, 1 rejected/);
    expect(invoices.stdout + invoices.stderr).toMatch(/unknown value \[delivery_channel\].*line 5.*"fax"/);
  });

  it('loads disputes and rejects a resolution before the opening, a zero amount and an unknown outcome', async () => {
    expect(disputes.code, disputes.stderr).toBe(0);
    const out = disputes.stdout + disputes.stderr;
    expect(out).toMatch(/2 loaded, 3 rejected/);
    expect(out).toMatch(/resolved_date before opened_date.*line 4.*2024-02-01 < 2024-02-10/);
    expect(out).toMatch(/disputed amount not positive.*line 5/);
    expect(out).toMatch(/unknown value \[outcome\].*line 6.*"lost"/);
  });

  it('builds with the disputes and channels in the warehouse; a dispute of an unknown document fails disputes_consistent', async () => {
    const b = await cli(work, 'build');
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(await queryRows(work, 'SELECT document_id, delivery_channel FROM invoices ORDER BY 1')).toEqual([
      { document_id: 'I1', delivery_channel: 'paper' },
      { document_id: 'I2', delivery_channel: 'e-invoice' },
      { document_id: 'I3', delivery_channel: null },
    ]);
    expect(await queryRows(work, 'SELECT dispute_id, CAST(resolved_date AS VARCHAR) AS resolved, outcome FROM disputes ORDER BY 1')).toEqual([
      { dispute_id: 'D1', resolved: '2024-03-01', outcome: 'credited' },
      { dispute_id: 'D2', resolved: null, outcome: null },
    ]);
    writeCsv(work, 'disputes-orphan', DISPUTES, [['D9', 'I9', 'C1', '2024-02-10', '', 'price', '10.00', '']]);
    expect((await cli(work, 'ingest', join(work, 'disputes-orphan.csv'), '--table', 'disputes')).code).toBe(0);
    const bad = await cli(work, 'build');
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/disputes_consistent failed[\s\S]*D9\s+I9\s+document I9 does not exist/);
  }, 240_000);

  it('describes the new columns in creditlake tables', async () => {
    const t = await cli(work, 'tables', 'disputes');
    expect(t.stdout).toMatch(/opened_date\s+DATE NOT NULL\s+Date the customer raised the dispute/);
    const i = await cli(work, 'tables', 'invoices');
    expect(i.stdout).toMatch(/delivery_channel\s+VARCHAR\s+How the document reached the customer/);
  });
});

describe('IBM layout: Disputed and PaperlessBill (hand-made rows)', () => {
  const work = workFolder('disputes-ibm');
  it('makes a dispute per disputed invoice, open while the invoice is unsettled', async () => {
    const file = join(work, 'ar.csv');
    writeFileSync(file, [
      'countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate',
      '391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0',
      '406,8976-AMJEO,3/3/2012,0007900770,1/26/2013,2/25/2013,61.74,Yes,3/3/2013,Electronic,36,6',
      '406,8976-AMJEO,3/3/2012,0007900771,2/26/2013,3/28/2013,20.00,Yes,,Electronic,,',
    ].join('\n') + '\n');
    const r = await cli(work, 'ingest', '--mapping', 'ibm-ledger', file);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await cli(work, 'build')).code).toBe(0);
    expect(await queryRows(work, `SELECT dispute_id, CAST(opened_date AS VARCHAR) AS opened, CAST(resolved_date AS VARCHAR) AS resolved,
      reason, CAST(disputed_amount AS VARCHAR) AS amount, outcome FROM disputes ORDER BY 1`)).toEqual([
      { dispute_id: 'DSP-0007900770', opened: '2013-01-26', resolved: '2013-03-03', reason: 'unspecified', amount: '61.74', outcome: 'paid' },
      { dispute_id: 'DSP-0007900771', opened: '2013-02-26', resolved: null, reason: 'unspecified', amount: '20.00', outcome: null },
    ]);
    expect(await queryRows(work, 'SELECT document_id, delivery_channel FROM invoices ORDER BY 1')).toEqual([
      { document_id: '0000611365', delivery_channel: 'paper' },
      { document_id: '0007900770', delivery_channel: 'email' },
      { document_id: '0007900771', delivery_channel: 'email' },
    ]);
  }, 240_000);
});

/*
 * The marts. C1: I1 500 (paper) disputed for 100 on price from 20 Jan, resolved 1 Mar by CN1 −100,
 * the rest paid 10 Mar (35 days late); I2 300 (e-invoice) disputed in full on quantity from 20 Jan,
 * never resolved nor paid; I3 200 (channel unknown) paid on 1 Feb, never disputed. Data end 10 Mar.
 */
describe('disputes in the marts (hand-made ledger)', () => {
  const work = workFolder('disputes-marts');
  beforeAll(async () => {
    const files: [string, string, string, string[][]][] = [
      ['customers', 'customers', CUSTOMERS_HEADER, [['C1', 'Alpha BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '30']]],
      ['invoices', 'invoices', INVOICES, [
        ['I1', 'C1', 'invoice', '2024-01-05', '2024-02-04', 'EUR', '500.00', '', '', 'paper'],
        ['I2', 'C1', 'invoice', '2024-01-06', '2024-02-05', 'EUR', '300.00', '', '', 'e-invoice'],
        ['I3', 'C1', 'invoice', '2024-01-07', '2024-02-06', 'EUR', '200.00', '', '', ''],
        ['CN1', 'C1', 'credit_note', '2024-03-01', '2024-03-01', 'EUR', '-100.00', '', 'I1', 'paper'],
      ]],
      ['payments', 'payments', 'payment_id,customer_id,payment_date,amount,currency', [['P1', 'C1', '2024-03-10', '400.00', 'EUR'], ['P3', 'C1', '2024-02-01', '200.00', 'EUR']]],
      ['payment_allocations', 'payment_allocations', 'payment_id,document_id,amount', [['P1', 'I1', '400.00'], ['P3', 'I3', '200.00']]],
      ['disputes', 'disputes', DISPUTES, [
        ['D1', 'I1', 'C1', '2024-01-20', '2024-03-01', 'price', '100.00', 'credited'],
        ['D2', 'I2', 'C1', '2024-01-20', '', 'quantity', '300.00', ''],
      ]],
    ];
    for (const [name, table, header, rows] of files) {
      const r = await cli(work, 'ingest', writeCsv(work, name, header, rows), '--table', table);
      expect(r.code, r.stderr).toBe(0);
    }
    const b = await cli(work, 'build');
    expect(b.code, b.stdout + b.stderr).toBe(0);
  }, 240_000);

  it('marks open items in dispute with the disputed part of their open amount', async () => {
    expect(await queryRows(work, `SELECT CAST(as_of_date AS VARCHAR) AS d, document_id, CAST(open_amount AS VARCHAR) AS open_amount,
        is_disputed, CAST(disputed_amount AS VARCHAR) AS disputed FROM ar_open_items ORDER BY 1, 2`)).toEqual([
      { d: '2024-01-31', document_id: 'I1', open_amount: '500.00', is_disputed: true, disputed: '100.00' },
      { d: '2024-01-31', document_id: 'I2', open_amount: '300.00', is_disputed: true, disputed: '300.00' },
      { d: '2024-01-31', document_id: 'I3', open_amount: '200.00', is_disputed: false, disputed: '0.00' },
      { d: '2024-02-29', document_id: 'I1', open_amount: '500.00', is_disputed: true, disputed: '100.00' },
      { d: '2024-02-29', document_id: 'I2', open_amount: '300.00', is_disputed: true, disputed: '300.00' },
      { d: '2024-03-31', document_id: 'I2', open_amount: '300.00', is_disputed: true, disputed: '300.00' },
    ]);
  });

  it('shows disputed AR per aging bucket beside the open amount', async () => {
    expect(await queryRows(work, `SELECT CAST(as_of_date AS VARCHAR) AS d, bucket, CAST(open_amount AS VARCHAR) AS open_amount, open_count,
        CAST(disputed_amount AS VARCHAR) AS disputed, disputed_count FROM ar_aging WHERE group_by = 'ALL' AND open_count > 0 ORDER BY 1, bucket_order`)).toEqual([
      { d: '2024-01-31', bucket: 'not due', open_amount: '1000.00', open_count: '3', disputed: '400.00', disputed_count: '2' },
      { d: '2024-02-29', bucket: '15-30', open_amount: '800.00', open_count: '2', disputed: '400.00', disputed_count: '2' },
      { d: '2024-03-31', bucket: '31-60', open_amount: '300.00', open_count: '1', disputed: '300.00', disputed_count: '1' },
    ]);
  });

  it('counts disputes per month and reason: opened, resolved, days to resolve, open at month end', async () => {
    expect(await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, reason, disputes_opened AS opened, CAST(amount_opened AS VARCHAR) AS amount_opened,
        disputes_resolved AS resolved, CAST(amount_resolved AS VARCHAR) AS amount_resolved, resolved_by_credit AS credited,
        mean_days_to_resolve AS mean_days, max_days_to_resolve AS max_days, open_disputes AS open, CAST(open_disputed_amount AS VARCHAR) AS open_amount, is_complete
        FROM disputes_monthly ORDER BY 1, 2`)).toEqual([
      { m: '2024-01-01', reason: 'ALL', opened: '2', amount_opened: '400.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '2', open_amount: '400.00', is_complete: true },
      { m: '2024-01-01', reason: 'price', opened: '1', amount_opened: '100.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '1', open_amount: '100.00', is_complete: true },
      { m: '2024-01-01', reason: 'quantity', opened: '1', amount_opened: '300.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '1', open_amount: '300.00', is_complete: true },
      { m: '2024-02-01', reason: 'ALL', opened: '0', amount_opened: '0.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '2', open_amount: '400.00', is_complete: true },
      { m: '2024-02-01', reason: 'price', opened: '0', amount_opened: '0.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '1', open_amount: '100.00', is_complete: true },
      { m: '2024-02-01', reason: 'quantity', opened: '0', amount_opened: '0.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '1', open_amount: '300.00', is_complete: true },
      { m: '2024-03-01', reason: 'ALL', opened: '0', amount_opened: '0.00', resolved: '1', amount_resolved: '100.00', credited: '1', mean_days: 41, max_days: 41, open: '1', open_amount: '300.00', is_complete: false },
      { m: '2024-03-01', reason: 'price', opened: '0', amount_opened: '0.00', resolved: '1', amount_resolved: '100.00', credited: '1', mean_days: 41, max_days: 41, open: '0', open_amount: '0.00', is_complete: false },
      { m: '2024-03-01', reason: 'quantity', opened: '0', amount_opened: '0.00', resolved: '0', amount_resolved: '0.00', credited: '0', mean_days: null, max_days: null, open: '1', open_amount: '300.00', is_complete: false },
    ]);
  });

  it('splits payment behaviour by dispute status and by delivery channel, each adding up to ALL', async () => {
    const rows = await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, group_by, group_value, invoices_settled AS n, mean_days_late AS late
      FROM payment_behaviour WHERE group_by IN ('ALL', 'dispute_status', 'delivery_channel') AND month >= DATE '2024-02-01' ORDER BY 1, 2, 3`);
    expect(rows).toEqual([
      { m: '2024-02-01', group_by: 'ALL', group_value: 'ALL', n: '1', late: 0 },
      { m: '2024-02-01', group_by: 'delivery_channel', group_value: 'e-invoice', n: '0', late: null },
      { m: '2024-02-01', group_by: 'delivery_channel', group_value: 'paper', n: '0', late: null },
      { m: '2024-02-01', group_by: 'delivery_channel', group_value: 'unknown', n: '1', late: 0 },
      { m: '2024-02-01', group_by: 'dispute_status', group_value: 'disputed', n: '0', late: null },
      { m: '2024-02-01', group_by: 'dispute_status', group_value: 'not disputed', n: '1', late: 0 },
      { m: '2024-03-01', group_by: 'ALL', group_value: 'ALL', n: '1', late: 35 },
      { m: '2024-03-01', group_by: 'delivery_channel', group_value: 'e-invoice', n: '0', late: null },
      { m: '2024-03-01', group_by: 'delivery_channel', group_value: 'paper', n: '1', late: 35 },
      { m: '2024-03-01', group_by: 'delivery_channel', group_value: 'unknown', n: '0', late: null },
      { m: '2024-03-01', group_by: 'dispute_status', group_value: 'disputed', n: '1', late: 35 },
      { m: '2024-03-01', group_by: 'dispute_status', group_value: 'not disputed', n: '0', late: null },
    ]);
  });
});
