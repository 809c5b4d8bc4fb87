/**
 * Issue 11 item 6, refunds, through the CLI on small hand-made files. Before: a negative payment was
 * rejected ("payment amount not positive"), so a refund of a credit balance could not be recorded
 * and the credit balance stayed open for ever.
 *
 * C1: I1 500 overpaid by P1 600 (20 Jan) → credit balance −100, refunded by R1 −100 allocated to I1
 * (10 Feb). CN2 −200 correcting nothing → credit balance, refunded by R2 −200 allocated to CN2
 * (15 Feb). P3 300 unallocated (25 Jan) → unapplied cash −300, refunded by R3 −300 unallocated
 * (20 Feb). I4 400 paid by P4 400 on 1 Mar (keeps the customer's payment behaviour).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALLOCATIONS_HEADER, cli, CUSTOMERS_HEADER, INVOICES_HEADER, PAYMENTS_HEADER, queryRows, workFolder, writeCsv } from '../support/run-cli.js';

describe('refunds (negative payments) through the CLI (hand-made ledger)', () => {
  const work = workFolder('refunds');
  let payments: Awaited<ReturnType<typeof cli>>;
  let build: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    const files: [string, string, string[][]][] = [
      ['customers', CUSTOMERS_HEADER, [['C1', 'Alpha BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '30']]],
      ['invoices', INVOICES_HEADER, [
        ['I1', 'C1', 'invoice', '2024-01-05', '2024-02-04', 'EUR', '500.00', '', ''],
        ['CN2', 'C1', 'credit_note', '2024-01-15', '2024-01-15', 'EUR', '-200.00', '', ''],
        ['I4', 'C1', 'invoice', '2024-02-01', '2024-03-02', 'EUR', '400.00', '', ''],
      ]],
      ['payment_allocations', ALLOCATIONS_HEADER, [['P1', 'I1', '600.00'], ['R1', 'I1', '-100.00'], ['R2', 'CN2', '-200.00'], ['P4', 'I4', '400.00']]],
    ];
    for (const [table, header, rows] of files) {
      const r = await cli(work, 'ingest', writeCsv(work, table, header, rows), '--table', table);
      expect(r.code, r.stderr).toBe(0);
    }
    payments = await cli(work, 'ingest', writeCsv(work, 'payments', PAYMENTS_HEADER, [
      ['P1', 'C1', '2024-01-20', '600.00', 'EUR'],
      ['P3', 'C1', '2024-01-25', '300.00', 'EUR'],
      ['R1', 'C1', '2024-02-10', '-100.00', 'EUR'],
      ['R2', 'C1', '2024-02-15', '-200.00', 'EUR'],
      ['R3', 'C1', '2024-02-20', '-300.00', 'EUR'],
      ['P4', 'C1', '2024-03-01', '400.00', 'EUR'],
      ['Z1', 'C1', '2024-03-01', '0.00', 'EUR'],
    ]), '--table', 'payments', '--max-reject-rate', '20%');
    build = await cli(work, 'build');
  }, 240_000);

  it('loads a negative payment as a refund; only a zero payment is rejected', () => {
    expect(payments.code, payments.stderr).toBe(0);
    expect(payments.stdout + payments.stderr).toMatch(/6 loaded, 1 rejected/);
    expect(payments.stdout + payments.stderr).toMatch(/payment amount is zero.*line 8/);
    expect(build.code, build.stdout + build.stderr).toBe(0);
  });

  it('takes refunded credit balances to zero; nothing goes negative in the overdue buckets', async () => {
    expect(await queryRows(work, `SELECT CAST(as_of_date AS VARCHAR) AS d, document_id, CAST(open_amount AS VARCHAR) AS amount, bucket
        FROM ar_open_items ORDER BY 1, 2`)).toEqual([
      { d: '2024-01-31', document_id: 'CN2', amount: '-200.00', bucket: 'credit balance' },
      { d: '2024-01-31', document_id: 'I1', amount: '-100.00', bucket: 'credit balance' },
      { d: '2024-01-31', document_id: 'P3', amount: '-300.00', bucket: 'unapplied cash' },
      // The unallocated refund R3 stands against the overpayment P3 in the unapplied-cash bucket.
      { d: '2024-02-29', document_id: 'I4', amount: '400.00', bucket: 'not due' },
      { d: '2024-02-29', document_id: 'P3', amount: '-300.00', bucket: 'unapplied cash' },
      { d: '2024-02-29', document_id: 'R3', amount: '300.00', bucket: 'unapplied cash' },
      { d: '2024-03-31', document_id: 'P3', amount: '-300.00', bucket: 'unapplied cash' },
      { d: '2024-03-31', document_id: 'R3', amount: '300.00', bucket: 'unapplied cash' },
    ]);
    expect(await queryRows(work, `SELECT CAST(as_of_date AS VARCHAR) AS d, bucket, CAST(open_amount AS VARCHAR) AS amount FROM ar_aging
        WHERE group_by = 'ALL' AND open_count > 0 ORDER BY 1, bucket_order`)).toEqual([
      { d: '2024-01-31', bucket: 'unapplied cash', amount: '-300.00' },
      { d: '2024-01-31', bucket: 'credit balance', amount: '-300.00' },
      { d: '2024-02-29', bucket: 'not due', amount: '400.00' },
      { d: '2024-02-29', bucket: 'unapplied cash', amount: '0.00' },
      { d: '2024-03-31', bucket: 'unapplied cash', amount: '0.00' },
    ]);
  });

  it('counts refunds as cash paid out: cash received nets them, the roll-forward ties out', async () => {
    expect(await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, CAST(ar_begin AS VARCHAR) AS b, CAST(invoiced AS VARCHAR) AS inv,
        CAST(credit_notes AS VARCHAR) AS cn, CAST(collected AS VARCHAR) AS col, CAST(ar_end AS VARCHAR) AS e, CAST(cash_received AS VARCHAR) AS cash,
        CAST(unapplied_cash_end AS VARCHAR) AS unapplied FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY 1`)).toEqual([
      { m: '2024-01-01', b: '0.00', inv: '500.00', cn: '-200.00', col: '900.00', e: '-600.00', cash: '900.00', unapplied: '-300.00' },
      { m: '2024-02-01', b: '-600.00', inv: '400.00', cn: '0.00', col: '-600.00', e: '400.00', cash: '-600.00', unapplied: '0.00' },
      { m: '2024-03-01', b: '400.00', inv: '0.00', cn: '0.00', col: '400.00', e: '0.00', cash: '400.00', unapplied: '0.00' },
    ]);
    expect(await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, CAST(cash_received AS VARCHAR) AS cash FROM cash_flow_monthly WHERE group_by = 'ALL' ORDER BY 1`)).toEqual([
      { m: '2024-01-01', cash: '900.00' },
      { m: '2024-02-01', cash: '-600.00' },
      { m: '2024-03-01', cash: '400.00' },
    ]);
  });

  it('fails allocations_consistent when a refund is allocated beyond its amount', async () => {
    const w2 = workFolder('refunds-over');
    for (const [table, header, rows] of [
      ['customers', CUSTOMERS_HEADER, [['C1', 'Alpha BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '30']]],
      ['invoices', INVOICES_HEADER, [['CN2', 'C1', 'credit_note', '2024-01-15', '2024-01-15', 'EUR', '-200.00', '', '']]],
      ['payments', PAYMENTS_HEADER, [['R2', 'C1', '2024-02-15', '-100.00', 'EUR']]],
      ['payment_allocations', ALLOCATIONS_HEADER, [['R2', 'CN2', '-150.00']]],
    ] as [string, string, string[][]][]) {
      expect((await cli(w2, 'ingest', writeCsv(w2, table, header, rows), '--table', table)).code).toBe(0);
    }
    const b = await cli(w2, 'build');
    expect(b.code).toBe(1);
    expect(b.stdout + b.stderr).toMatch(/allocations_consistent failed[\s\S]*allocated -150\.00 of payment R2 of -100\.00/);
  }, 240_000);
});
