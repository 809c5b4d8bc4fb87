/**
 * Payments by a third party through the CLI on small hand-made files: the payer (payments.customer_id)
 * is not the customer of the invoice the payment is applied to, and the two fall in different customer
 * groups. Before: int_cash_flows booked the whole receipt to the payer's groups while AR fell for the
 * invoice's customer, so cash_flow_monthly did not explain AR per group and the data test
 * cash_flow_monthly_ties_to_ar failed the build. The rule now: the part applied to an invoice is cash
 * for the invoice's customer, only the unapplied rest the payer's.
 *
 * Three customers, each alone in its segment, country and size class:
 *   P  parent       (enterprise, NL, large)  I-P1 400 on 15 Jan
 *   S  subsidiary   (smb, BE, small)          I-S1 1,000 on 10 Jan, I-S2 600 on 20 Jan, I-S3 200 on 1 Mar
 *   F  debt collector, no invoices of its own (public, DE, medium)
 * PP1 5 Feb, P pays 1,400: 400 on its own I-P1 and 1,000 on its subsidiary's I-S1 (across groups).
 * PF1 20 Feb, F pays 500 on behalf of S: 300 applied to I-S2, 200 left unapplied (F's unapplied cash).
 * PS1 15 Mar, S pays its own I-S3 200 (the ordinary case).
 * AR at the month ends: Jan S 1,600 P 400 F 0; Feb S 300 (I-S2) P 0 F −200; Mar the same.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ALLOCATIONS_HEADER, cli, CUSTOMERS_HEADER, INVOICES_HEADER, PAYMENTS_HEADER, queryRows, workFolder, writeCsv } from '../support/run-cli.js';

describe('payments by a third party across customer groups through the CLI (hand-made ledger)', () => {
  const work = workFolder('third-party');
  let build: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    const files: [string, string, string[][]][] = [
      ['customers', CUSTOMERS_HEADER, [
        ['P', 'Parent Holding BV', '', '', 'NL', '6420', 'enterprise', 'large', '', 'EUR', '30'],
        ['S', 'Subsidiary BVBA', '', '', 'BE', '4690', 'smb', 'small', '', 'EUR', '30'],
        ['F', 'Incasso Partners GmbH', '', '', 'DE', '8291', 'public', 'medium', '', 'EUR', '30'],
      ]],
      ['invoices', INVOICES_HEADER, [
        ['I-S1', 'S', 'invoice', '2024-01-10', '2024-02-09', 'EUR', '1000.00', '', ''],
        ['I-P1', 'P', 'invoice', '2024-01-15', '2024-02-14', 'EUR', '400.00', '', ''],
        ['I-S2', 'S', 'invoice', '2024-01-20', '2024-02-19', 'EUR', '600.00', '', ''],
        ['I-S3', 'S', 'invoice', '2024-03-01', '2024-03-31', 'EUR', '200.00', '', ''],
      ]],
      ['payments', PAYMENTS_HEADER, [
        ['PP1', 'P', '2024-02-05', '1400.00', 'EUR'],
        ['PF1', 'F', '2024-02-20', '500.00', 'EUR'],
        ['PS1', 'S', '2024-03-15', '200.00', 'EUR'],
      ]],
      ['payment_allocations', ALLOCATIONS_HEADER, [
        ['PP1', 'I-P1', '400.00'],
        ['PP1', 'I-S1', '1000.00'],
        ['PF1', 'I-S2', '300.00'],
        ['PS1', 'I-S3', '200.00'],
      ]],
    ];
    for (const [table, header, rows] of files) {
      const r = await cli(work, 'ingest', writeCsv(work, table, header, rows), '--table', table);
      expect(r.code, r.stderr).toBe(0);
    }
    build = await cli(work, 'build', '--json');
  }, 240_000);

  it('builds with every data test passing (cash_flow_monthly_ties_to_ar included)', () => {
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const report = JSON.parse(build.stdout) as { tests: { name: string; ok: boolean }[] };
    expect(report.tests.length).toBeGreaterThan(10);
    expect(report.tests.filter((t) => !t.ok).map((t) => t.name)).toEqual([]);
    expect(report.tests.map((t) => t.name)).toContain('cash_flow_monthly_ties_to_ar');
  });

  const monthly = (groupBy: string) =>
    queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, group_value AS g, CAST(cash_received AS VARCHAR) AS cash, CAST(payments_count AS INTEGER) AS n,
        CAST(invoiced AS VARCHAR) AS inv, CAST(net_change_ar AS VARCHAR) AS net, CAST(ar_begin AS VARCHAR) AS b, CAST(ar_end AS VARCHAR) AS e,
        CAST(ar_change_other AS VARCHAR) AS other
      FROM cash_flow_monthly WHERE group_by = '${groupBy}' AND group_value <> 'unknown' ORDER BY 1, 2`);

  it('books the applied part to the invoice customer, the unapplied rest to the payer: cash ties to AR per group', async () => {
    const expected = (names: [string, string, string]) => {
      const [p, s, f] = names;
      return [
        { m: '2024-01-01', g: p, cash: '0.00', n: 0, inv: '400.00', net: '400.00', b: '0.00', e: '400.00', other: '0.00' },
        { m: '2024-01-01', g: s, cash: '0.00', n: 0, inv: '1600.00', net: '1600.00', b: '0.00', e: '1600.00', other: '0.00' },
        { m: '2024-01-01', g: f, cash: '0.00', n: 0, inv: '0.00', net: '0.00', b: '0.00', e: '0.00', other: '0.00' },
        // P's 1,400: 400 for P, 1,000 for S. F's 500: 300 for S, the unapplied 200 stays F's (its AR −200).
        { m: '2024-02-01', g: p, cash: '400.00', n: 1, inv: '0.00', net: '-400.00', b: '400.00', e: '0.00', other: '0.00' },
        { m: '2024-02-01', g: s, cash: '1300.00', n: 2, inv: '0.00', net: '-1300.00', b: '1600.00', e: '300.00', other: '0.00' },
        { m: '2024-02-01', g: f, cash: '200.00', n: 1, inv: '0.00', net: '-200.00', b: '0.00', e: '-200.00', other: '0.00' },
        { m: '2024-03-01', g: p, cash: '0.00', n: 0, inv: '0.00', net: '0.00', b: '0.00', e: '0.00', other: '0.00' },
        { m: '2024-03-01', g: s, cash: '200.00', n: 1, inv: '200.00', net: '0.00', b: '300.00', e: '300.00', other: '0.00' },
        { m: '2024-03-01', g: f, cash: '0.00', n: 0, inv: '0.00', net: '0.00', b: '-200.00', e: '-200.00', other: '0.00' },
      ].sort((x, y) => (x.m + x.g < y.m + y.g ? -1 : 1));
    };
    expect(await monthly('segment')).toEqual(expected(['enterprise', 'smb', 'public']));
    expect(await monthly('country')).toEqual(expected(['NL', 'BE', 'DE']));
    expect(await monthly('size_class')).toEqual(expected(['large', 'small', 'medium']));
    // 'ALL' counts each payment once: PP1 and PF1 in February, PS1 in March.
    expect(await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, CAST(cash_received AS VARCHAR) AS cash, CAST(payments_count AS INTEGER) AS n,
        CAST(ar_end AS VARCHAR) AS e, CAST(ar_change_other AS VARCHAR) AS other FROM cash_flow_monthly WHERE group_by = 'ALL' ORDER BY 1`)).toEqual([
      { m: '2024-01-01', cash: '0.00', n: 0, e: '2000.00', other: '0.00' },
      { m: '2024-02-01', cash: '1900.00', n: 2, e: '100.00', other: '0.00' },
      { m: '2024-03-01', cash: '200.00', n: 1, e: '100.00', other: '0.00' },
    ]);
  });

  it('gives the same cash per group in cash_flow_weekly, ar_rollforward and the aging at the month end', async () => {
    expect(await queryRows(work, `SELECT CAST(week_start AS VARCHAR) AS w, group_value AS g, CAST(cash_received AS VARCHAR) AS cash, CAST(payments_count AS INTEGER) AS n
        FROM cash_flow_weekly WHERE group_by = 'segment' AND cash_received <> 0 ORDER BY 1, 2`)).toEqual([
      { w: '2024-02-05', g: 'enterprise', cash: '400.00', n: 1 },
      { w: '2024-02-05', g: 'smb', cash: '1000.00', n: 1 },
      { w: '2024-02-19', g: 'public', cash: '200.00', n: 1 },
      { w: '2024-02-19', g: 'smb', cash: '300.00', n: 1 },
      { w: '2024-03-11', g: 'smb', cash: '200.00', n: 1 },
    ]);
    expect(await queryRows(work, `SELECT CAST(month AS VARCHAR) AS m, group_value AS g, CAST(cash_received AS VARCHAR) AS cash,
        CAST(collected AS VARCHAR) AS col, CAST(ar_end AS VARCHAR) AS e, CAST(unapplied_cash_end AS VARCHAR) AS u
        FROM ar_rollforward WHERE group_by = 'segment' AND month = DATE '2024-02-01' AND group_value <> 'unknown' ORDER BY 2`)).toEqual([
      { m: '2024-02-01', g: 'enterprise', cash: '400.00', col: '400.00', e: '0.00', u: '0.00' },
      { m: '2024-02-01', g: 'public', cash: '200.00', col: '200.00', e: '-200.00', u: '-200.00' },
      { m: '2024-02-01', g: 'smb', cash: '1300.00', col: '1300.00', e: '300.00', u: '0.00' },
    ]);
    expect(await queryRows(work, `SELECT group_value AS g, bucket, CAST(open_amount AS VARCHAR) AS amount FROM ar_aging
        WHERE group_by = 'segment' AND as_of_date = DATE '2024-02-29' AND open_count > 0 ORDER BY 1, bucket_order`)).toEqual([
      { g: 'public', bucket: 'unapplied cash', amount: '-200.00' },
      { g: 'smb', bucket: '1-14', amount: '300.00' },
    ]);
  });

  it("lists each customer's part of a split payment on its customer page", async () => {
    expect(await queryRows(work, `SELECT customer_id AS c, event_id AS id, CAST(amount AS VARCHAR) AS amount, currency, detail
        FROM customer_events WHERE event_kind = 'payment' ORDER BY 1, 2`)).toEqual([
      { c: 'F', id: 'PF1', amount: '200.00', currency: 'EUR', detail: 'rest of a payment applied to other customers' },
      { c: 'P', id: 'PP1', amount: '400.00', currency: 'EUR', detail: 'rest of a payment applied to other customers' },
      { c: 'S', id: 'PF1', amount: '300.00', currency: 'EUR', detail: 'paid by F' },
      { c: 'S', id: 'PP1', amount: '1000.00', currency: 'EUR', detail: 'paid by P' },
      { c: 'S', id: 'PS1', amount: '200.00', currency: 'EUR', detail: null },
    ]);
  });
});
