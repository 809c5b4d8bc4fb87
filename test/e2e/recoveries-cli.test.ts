/**
 * Issue 11, "recoveries cannot be recorded" and "payment behaviour counts cancelled and written-off
 * invoices as settled", reproduced through the CLI on small hand-made files. Before: a negative
 * write-off was rejected, a recovery payment sent the written-off invoice to −500 in `>90`, the
 * bad-debt ratio stayed gross, and a written-off invoice counted as paid (21 days late here).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOCATIONS_HEADER, cli, CUSTOMERS_HEADER, INVOICES_HEADER, PAYMENTS_HEADER, queryRows, workFolder, writeCsv, WRITE_OFFS_HEADER,
} from '../support/run-cli.js';

/*
 * I1 (C1) 500, written off 15 Mar, recovered by P1 500 allocated to it on 10 Apr (no write-off row).
 * I2 (C2) 800, written off 20 Feb, recovery booked as a negative write-off −300 on 5 Apr and P2 300
 *   allocated to it the same day. I3 (C2) 1,000 invoiced 1 Apr. I4 (C1) 600 cancelled by CN4 −600.
 * A negative write-off without reason 'recovery' is rejected.
 */
describe('recoveries and payment behaviour through the CLI (hand-made ledger)', () => {
  const work = workFolder('recoveries');
  let writeOffIngest: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    const files: [string, string][] = [
      [writeCsv(work, 'customers', CUSTOMERS_HEADER, [
        ['C1', 'Alpha BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '30'],
        ['C2', 'Beta BV', '', '', 'NL', '4690', 'smb', 'small', '', 'EUR', '14'],
      ]), 'customers'],
      [writeCsv(work, 'invoices', INVOICES_HEADER, [
        ['I1', 'C1', 'invoice', '2024-01-05', '2024-02-04', 'EUR', '500.00', '', ''],
        ['I2', 'C2', 'invoice', '2024-01-10', '2024-01-24', 'EUR', '800.00', '', ''],
        ['I3', 'C2', 'invoice', '2024-04-01', '2024-04-15', 'EUR', '1000.00', '', ''],
        ['I4', 'C1', 'invoice', '2024-01-08', '2024-02-07', 'EUR', '600.00', '', ''],
        ['CN4', 'C1', 'credit_note', '2024-01-19', '2024-01-19', 'EUR', '-600.00', '', 'I4'],
      ]), 'invoices'],
      [writeCsv(work, 'payments', PAYMENTS_HEADER, [['P1', 'C1', '2024-04-10', '500.00', 'EUR'], ['P2', 'C2', '2024-04-05', '300.00', 'EUR']]), 'payments'],
      [writeCsv(work, 'payment_allocations', ALLOCATIONS_HEADER, [['P1', 'I1', '500.00'], ['P2', 'I2', '300.00']]), 'payment_allocations'],
    ];
    for (const [f, table] of files) {
      const r = await cli(work, 'ingest', f, '--table', table);
      expect(r.code, r.stderr).toBe(0);
    }
    const wo = writeCsv(work, 'write_offs', WRITE_OFFS_HEADER, [
      ['I1', 'C1', '2024-03-15', '500.00', 'uncollectable'],
      ['I2', 'C2', '2024-02-20', '800.00', 'bankruptcy'],
      ['I2', 'C2', '2024-04-05', '-300.00', 'recovery'],
      ['I3', 'C2', '2024-04-06', '-10.00', 'typo'],
    ]);
    writeOffIngest = await cli(work, 'ingest', wo, '--table', 'write_offs', '--max-reject-rate', '50%');
    const b = await cli(work, 'build');
    expect(b.code, b.stdout + b.stderr).toBe(0);
  }, 120_000);

  it('loads a negative write-off with reason recovery and rejects one without', () => {
    expect(writeOffIngest.code).toBe(0);
    expect(writeOffIngest.stdout + writeOffIngest.stderr).toMatch(/3 loaded, 1 rejected/);
    expect(writeOffIngest.stdout + writeOffIngest.stderr).toMatch(/negative write-off without reason 'recovery'.*line 5/);
  });

  it('never shows a recovered document as a negative open item', async () => {
    const rows = await queryRows(work, `SELECT CAST(as_of_date AS VARCHAR) AS d, document_id, CAST(open_amount AS VARCHAR) AS amount FROM ar_open_items ORDER BY 1, 2`);
    expect(rows).toEqual([
      { d: '2024-01-31', document_id: 'I1', amount: '500.00' },
      { d: '2024-01-31', document_id: 'I2', amount: '800.00' },
      { d: '2024-02-29', document_id: 'I1', amount: '500.00' },
      { d: '2024-04-30', document_id: 'I3', amount: '1000.00' },
    ]);
  });

  it('reports write-offs gross and net of recoveries, with both bad-debt ratios', async () => {
    const rows = await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, CAST(written_off AS VARCHAR) AS gross, CAST(recovered AS VARCHAR) AS recovered,
      CAST(net_written_off AS VARCHAR) AS net, bad_debt_ratio, bad_debt_ratio_net FROM write_offs_monthly WHERE group_by = 'ALL' AND month = DATE '2024-04-01'`);
    expect(rows).toEqual([{ m: '2024-04-01', gross: '0.00', recovered: '800.00', net: '-800.00', bad_debt_ratio: 0, bad_debt_ratio_net: -0.8 }]);
    const rf = await queryRows(work, `SELECT CAST(written_off AS VARCHAR) AS wo, CAST(ar_end AS VARCHAR) AS ar FROM ar_rollforward WHERE group_by = 'ALL' AND month = DATE '2024-04-01'`);
    expect(rf).toEqual([{ wo: '-800.00', ar: '1000.00' }]);
    const k = await queryRows(work, `SELECT CAST(written_off AS VARCHAR) AS wo, CAST(recovered AS VARCHAR) AS rec, CAST(net_written_off AS VARCHAR) AS net FROM kpi_summary WHERE month = DATE '2024-03-01'`);
    expect(k).toEqual([{ wo: '500.00', rec: '0.00', net: '500.00' }]);
  });

  it('does not count cancelled or written-off invoices as paid', async () => {
    const rows = await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, invoices_settled, invoices_closed_by_credit_note, invoices_closed_by_write_off
      FROM payment_behaviour WHERE group_by = 'ALL' ORDER BY month`);
    expect(rows).toEqual([
      { m: '2024-01-01', invoices_settled: '0', invoices_closed_by_credit_note: '1', invoices_closed_by_write_off: '0' },
      { m: '2024-02-01', invoices_settled: '0', invoices_closed_by_credit_note: '0', invoices_closed_by_write_off: '1' },
      { m: '2024-03-01', invoices_settled: '0', invoices_closed_by_credit_note: '0', invoices_closed_by_write_off: '1' },
      { m: '2024-04-01', invoices_settled: '0', invoices_closed_by_credit_note: '0', invoices_closed_by_write_off: '0' },
    ]);
  });
});
