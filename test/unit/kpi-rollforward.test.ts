import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import { byKey, kpiConfig, KPI_A_MARTS, writeOff } from '../helpers/kpi-ledger.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/*
 * A four-month ledger (January–April 2024) with every kind of AR movement, worked by hand.
 * C1 (segment smb):
 *   I1 10 Jan, due 9 Feb, 1,000: P1 20 Jan pays 400; CN1 5 Feb credits 100; P2 15 Feb (600) pays the
 *      last 500, leaving 100 of P2 unapplied. Settled 15 Feb: 36 days to pay, 6 days late.
 *   I2 5 Mar, due 4 Apr, 300: paid by P3 of 25 Feb, before I2 existed (unapplied cash at the end of
 *      February, applied on 5 March). Settled 5 Mar: 0 days to pay, 0 late.
 *   I3 10 Mar, due 25 Mar, 200: written off 15 Apr. Settled 15 Apr: 36 days, 21 late.
 * C2 (segment ent):
 *   I4 15 Jan, due 14 Feb, 500: P4 1 Feb pays 100; settled_date 10 Mar closes the other 400 without a
 *      payment; P5 20 Mar (150) is then allocated to it anyway. Settled 10 Mar: 55 days, 25 late.
 *   I5 1 Apr, due 1 May, 250: open. CN2 10 Apr, −50, corrects nothing: an open credit.
 *
 * AR at the month ends (ar_open_items):
 *   Jan: I1 600 + I4 500 = 1,100
 *   Feb: C1 −100 (P2) −300 (P3) ; C2 I4 400 → 0
 *   Mar: C1 −100 (P2) + I3 200 ; C2 0 (I4 settled, P5 fully allocated) → 100
 *   Apr: C1 −100 ; C2 250 − 50 → 100
 */
const ledger: FixtureLedger = {
  customers: [customer('C1', 'smb'), customer('C2', 'ent')],
  invoices: [
    invoice('I1', 'C1', '2024-01-10', '2024-02-09', '1000.00'),
    invoice('CN1', 'C1', '2024-02-05', '2024-02-05', '-100.00', { corrects_document_id: 'I1' }),
    invoice('I2', 'C1', '2024-03-05', '2024-04-04', '300.00'),
    invoice('I3', 'C1', '2024-03-10', '2024-03-25', '200.00'),
    invoice('I4', 'C2', '2024-01-15', '2024-02-14', '500.00', { settled_date: '2024-03-10' }),
    invoice('I5', 'C2', '2024-04-01', '2024-05-01', '250.00'),
    invoice('CN2', 'C2', '2024-04-10', '2024-04-10', '-50.00'),
  ],
  payments: [
    payment('P1', 'C1', '2024-01-20', '400.00'),
    payment('P2', 'C1', '2024-02-15', '600.00'),
    payment('P3', 'C1', '2024-02-25', '300.00'),
    payment('P4', 'C2', '2024-02-01', '100.00'),
    payment('P5', 'C2', '2024-03-20', '150.00'),
  ],
  payment_allocations: [
    allocation('P1', 'I1', '400.00'),
    allocation('P2', 'I1', '500.00'),
    allocation('P3', 'I2', '300.00'),
    allocation('P4', 'I4', '100.00'),
    allocation('P5', 'I4', '150.00'),
  ],
  write_offs: [writeOff('I3', 'C1', '2024-04-15', '200.00')],
};

const RF_COLS = 'month, ar_begin, invoiced, credit_notes, collected, written_off, ar_end, net_change, cash_received, settled_without_payment, unapplied_cash_end';

describe('KPI suite A on a hand-worked ledger', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(ledger, kpiConfig(), KPI_A_MARTS);
  });

  it('builds every mart with every data test passing', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    const names = f.report.tests.map((t) => t.name);
    for (const t of ['ar_rollforward_ties_out', 'ar_ratio_ties_to_open_items', 'kpi_groups_sum_to_all', 'kpi_counts_non_negative', 'kpi_ratios_within_bounds']) {
      expect(names).toContain(t);
    }
  });

  it('ar_rollforward: the ALL roll-forward month by month', async () => {
    const rows = await f.query(`SELECT ${RF_COLS} FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY month`);
    const row = (month: string, v: string[]) => {
      const [ar_begin, invoiced, credit_notes, collected, written_off, ar_end, net_change, cash_received, settled_without_payment, unapplied_cash_end] = v;
      return { month, ar_begin, invoiced, credit_notes, collected, written_off, ar_end, net_change, cash_received, settled_without_payment, unapplied_cash_end };
    };
    expect(rows).toEqual([
      // January: 1,500 invoiced, P1 collected 400.
      row('2024-01-01', ['0.00', '1500.00', '0.00', '400.00', '0.00', '1100.00', '1100.00', '400.00', '0.00', '0.00']),
      // February: CN1 −100; P2 600 + P3 300 + P4 100 received; P2's 100 and P3's 300 unapplied.
      row('2024-02-01', ['1100.00', '0.00', '-100.00', '1000.00', '0.00', '0.00', '-1100.00', '1000.00', '0.00', '-400.00']),
      // March: I2 + I3 invoiced; P5 150 received; I4's 400 closed by settled_date, less P5's 150 applied after it.
      row('2024-03-01', ['0.00', '500.00', '0.00', '400.00', '0.00', '100.00', '100.00', '150.00', '250.00', '-100.00']),
      // April: I5 invoiced, CN2 −50, I3 written off.
      row('2024-04-01', ['100.00', '250.00', '-50.00', '0.00', '200.00', '100.00', '0.00', '0.00', '0.00', '-100.00']),
    ]);
  });

  it('ar_rollforward: per segment, each tying to its own AR', async () => {
    const rows = await f.query(
      `SELECT month, group_value, collected, ar_end FROM ar_rollforward WHERE group_by = 'segment' ORDER BY group_value, month`,
    );
    expect(rows.map((r) => `${r.group_value} ${r.month} ${r.collected} ${r.ar_end}`)).toEqual([
      'ent 2024-01-01 0.00 500.00',
      'ent 2024-02-01 100.00 400.00',
      'ent 2024-03-01 400.00 0.00',
      'ent 2024-04-01 0.00 200.00',
      'smb 2024-01-01 400.00 600.00',
      'smb 2024-02-01 900.00 -400.00',
      'smb 2024-03-01 0.00 100.00',
      'smb 2024-04-01 0.00 -100.00',
    ]);
  });

  it('payment_behaviour: settlement by allocation, credit note, settled_date and write-off', async () => {
    const rows = await f.query(
      `SELECT month, group_by, group_value, invoices_settled, amount_settled, mean_days_to_pay, weighted_days_to_pay, mean_days_late,
              weighted_days_late, invoices_paid_late, share_paid_late, amount_paid_late, share_amount_paid_late, late_grace_days, settlement_basis,
              invoices_closed_by_write_off, amount_closed_by_write_off, invoices_closed_by_credit_note
       FROM payment_behaviour WHERE group_by IN ('ALL', 'customer') ORDER BY month, group_by, group_value`,
    );
    const all = byKey(rows.filter((r) => r.group_by === 'ALL'), 'month');
    expect(all['2024-01-01']).toMatchObject({ invoices_settled: '0', mean_days_to_pay: null, share_paid_late: null });
    expect(all['2024-02-01']).toMatchObject({ invoices_settled: '1', amount_settled: '1000.00', mean_days_to_pay: 36, mean_days_late: 6, invoices_paid_late: '1', share_paid_late: 1 });
    // March: I2 (300, 0 days, on time) and I4 (500, 55 days, 25 late).
    const march = all['2024-03-01']!;
    expect(march).toMatchObject({ invoices_settled: '2', amount_settled: '800.00', invoices_paid_late: '1', amount_paid_late: '500.00' });
    expect(march.mean_days_to_pay).toBeCloseTo(27.5, 9);
    expect(march.weighted_days_to_pay).toBeCloseTo((55 * 500) / 800, 9);
    expect(march.mean_days_late).toBeCloseTo(12.5, 9);
    expect(march.weighted_days_late).toBeCloseTo((25 * 500) / 800, 9);
    expect(march.share_paid_late).toBeCloseTo(0.5, 9);
    expect(march.share_amount_paid_late).toBeCloseTo(0.625, 9);
    // April: I3 was written off, not paid 21 days late (issue 11): counted apart, not as settled.
    expect(all['2024-04-01']).toMatchObject({
      invoices_settled: '0', mean_days_to_pay: null, late_grace_days: 0, settlement_basis: 'paid',
      invoices_closed_by_write_off: '1', amount_closed_by_write_off: '200.00', invoices_closed_by_credit_note: '0',
    });
    // Customer rows only where the customer closed something.
    expect(rows.filter((r) => r.group_by === 'customer').map((r) => `${r.month} ${r.group_value} ${r.invoices_settled}`)).toEqual([
      '2024-02-01 C1 1',
      '2024-03-01 C1 1',
      '2024-03-01 C2 1',
      '2024-04-01 C1 0',
    ]);
    // The old behaviour on request: every closure counts as settled.
    const old = await buildFixture(ledger, kpiConfig({ payment_behaviour: { basis: 'all_closures' } }), ['+payment_behaviour']);
    const april = byKey(await old.query(`SELECT * FROM payment_behaviour WHERE group_by = 'ALL'`), 'month')['2024-04-01'];
    expect(april).toMatchObject({ invoices_settled: '1', mean_days_to_pay: 36, mean_days_late: 21, settlement_basis: 'all_closures' });
  });

  it('payment_behaviour: an invoice cancelled by a credit note is not paid', async () => {
    const g = await buildFixture(
      {
        customers: [customer('C1', 'smb')],
        invoices: [
          invoice('I1', 'C1', '2024-01-10', '2024-02-09', '1000.00'),
          invoice('CN1', 'C1', '2024-01-20', '2024-01-20', '-1000.00', { corrects_document_id: 'I1' }),
          invoice('I2', 'C1', '2024-01-12', '2024-02-11', '400.00'),
          invoice('CN2', 'C1', '2024-01-15', '2024-01-15', '-100.00', { corrects_document_id: 'I2' }),
        ],
        payments: [payment('P1', 'C1', '2024-02-20', '300.00')],
        payment_allocations: [allocation('P1', 'I2', '300.00')],
      },
      kpiConfig(),
      ['+payment_behaviour'],
    );
    const rows = byKey(await g.query(`SELECT * FROM payment_behaviour WHERE group_by = 'ALL'`), 'month');
    expect(rows['2024-01-01']).toMatchObject({ invoices_settled: '0', invoices_closed_by_credit_note: '1', amount_closed_by_credit_note: '1000.00' });
    // I2, credited in part and paid the rest, is paid: 39 days, 9 late
    expect(rows['2024-02-01']).toMatchObject({ invoices_settled: '1', mean_days_to_pay: 39, mean_days_late: 9, invoices_closed_by_credit_note: '0' });
  });

  it('payment_behaviour variants: grace days and leaving write-offs out', async () => {
    const g = await buildFixture(ledger, kpiConfig({ payment_behaviour: { grace_days: 25, include_written_off: false } }), ['+payment_behaviour']);
    const rows = byKey(await g.query(`SELECT * FROM payment_behaviour WHERE group_by = 'ALL'`), 'month');
    // I4 is exactly 25 days late: within the grace. I1 (6 days) is within it too.
    expect(rows['2024-03-01']).toMatchObject({ invoices_paid_late: '0', share_paid_late: 0, mean_days_late: 12.5, late_grace_days: 25 });
    expect(rows['2024-02-01']).toMatchObject({ invoices_paid_late: '0' });
    // I3 was closed by a write-off: not counted.
    expect(rows['2024-04-01']).toMatchObject({ invoices_settled: '0', settlement_basis: 'excluding_write_offs' });
  });

  it('ar_ratio_monthly: paid and unpaid of each month of invoices at every later month end', async () => {
    const rows = byKey(await f.query(`SELECT * FROM ar_ratio_monthly`), 'invoice_month', 'as_of_date');
    // January: I1 + I4 = 1,500.
    expect(rows['2024-01-01|2024-01-31']).toMatchObject({ months_after: 0, invoices: '2', sales: '1500.00', paid: '400.00', unpaid: '1100.00' });
    expect(rows['2024-01-01|2024-02-29']).toMatchObject({ months_after: 1, paid: '1000.00', credited: '100.00', unpaid: '400.00' });
    expect(rows['2024-01-01|2024-03-31']).toMatchObject({ paid: '1000.00', credited: '100.00', settled_without_payment: '400.00', unpaid: '0.00', share_unpaid: 0 });
    expect(rows['2024-01-01|2024-01-31']!.share_unpaid).toBeCloseTo(1100 / 1500, 12);
    expect(rows['2024-01-01|2024-04-30']!.share_paid).toBeCloseTo(1000 / 1500, 12);
    // March: I2 + I3 = 500; I3 written off in April.
    expect(rows['2024-03-01|2024-03-31']).toMatchObject({ sales: '500.00', paid: '300.00', unpaid: '200.00' });
    expect(rows['2024-03-01|2024-04-30']).toMatchObject({ written_off: '200.00', unpaid: '0.00' });
    // April: I5 only (CN2 is no invoice); February issued nothing.
    expect(rows['2024-04-01|2024-04-30']).toMatchObject({ invoices: '1', sales: '250.00', unpaid: '250.00', share_unpaid: 1 });
    expect(rows['2024-02-01|2024-02-29']).toMatchObject({ invoices: '0', sales: '0.00', share_unpaid: null });
    // No as-of date before the invoice month.
    expect(rows['2024-03-01|2024-02-29']).toBeUndefined();
  });

  it('open_invoice_counts: invoices only, by days past due date', async () => {
    const rows = await f.query(
      `SELECT as_of_date, bucket, open_count, open_amount, count_this_or_older, amount_this_or_older FROM open_invoice_counts
       WHERE group_by = 'ALL' AND open_count > 0 ORDER BY as_of_date, bucket_order`,
    );
    expect(rows.map((r) => `${r.as_of_date} ${r.bucket} ${r.open_count} ${r.open_amount} ${r.count_this_or_older}`)).toEqual([
      '2024-01-31 not due 2 1100.00 2',
      '2024-02-29 15-30 1 400.00 1', // I4, 15 days past 14 Feb
      '2024-03-31 1-14 1 200.00 1', // I3, 6 days past 25 Mar; I4 settled
      '2024-04-30 not due 1 250.00 1', // I5; CN2 is a credit, not an open invoice
    ]);
  });

  it('credit_limit_utilisation sums to the AR of every month end', async () => {
    const rows = await f.query(`SELECT as_of_date, CAST(sum(open_ar) AS VARCHAR) AS ar FROM credit_limit_utilisation GROUP BY as_of_date ORDER BY as_of_date`);
    expect(rows.map((r) => `${r.as_of_date} ${r.ar}`)).toEqual(['2024-01-31 1100.00', '2024-02-29 0.00', '2024-03-31 100.00', '2024-04-30 100.00']);
  });
});
