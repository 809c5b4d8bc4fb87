/**
 * Currency rules on a hand-computed ledger (rates are USD per EUR, amounts ÷ rate to the cent):
 * a USD invoice booked at its date's rate, revalued at each month end's closing rate, and paid at a
 * third rate; the roll-forward's fx_revaluation carries the unrealised and then the realised result.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, configWith, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';

const usd = (r: ReturnType<typeof invoice>) => ({ ...r, currency: 'USD' });
const rate = (rate_date: string, value: string) => ({ rate_date, currency: 'USD', rate: value });

describe('revaluation of a USD invoice', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(
      {
        customers: [customer('C1')],
        invoices: [usd(invoice('U1', 'C1', '2024-01-10', '2024-02-09', '1000.00')), invoice('E1', 'C1', '2024-01-10', '2024-02-09', '500.00')],
        payments: [{ ...payment('P1', 'C1', '2024-03-04', '1000.00'), currency: 'USD' }],
        payment_allocations: [allocation('P1', 'U1', '1000.00')],
        // 29 Feb is a Thursday; 4 Mar's rate is dated Friday 1 Mar (within the 7-day look-back)
        fx_rates: [rate('2024-01-10', '1.1000'), rate('2024-01-31', '1.0800'), rate('2024-02-29', '1.0500'), rate('2024-03-01', '1.0400'), rate('2024-03-29', '1.0700')],
      },
      configWith(),
      ['+ar_open_items', '+ar_aging', '+ar_rollforward', '+ar_currency'],
    );
  });

  it('passes every data test, fx_rate_missing and the tie-outs among them', () => {
    expect(f.report.tests.filter((t) => !t.ok)).toEqual([]);
    expect(f.report.tests.map((t) => t.name)).toEqual(expect.arrayContaining(['fx_rate_missing', 'ar_rollforward_ties_out', 'ar_reconciles_to_ledger']));
  });

  it('books at the document date and revalues at the closing rate', async () => {
    const rows = await f.query(`SELECT CAST(as_of_date AS VARCHAR) AS d, CAST(original_amount AS VARCHAR) AS booked_doc,
      CAST(open_amount AS VARCHAR) AS open, CAST(open_amount_booked AS VARCHAR) AS booked FROM ar_open_items WHERE document_id = 'U1' ORDER BY 1`);
    expect(rows).toEqual([
      { d: '2024-01-31', booked_doc: '909.09', open: '925.93', booked: '909.09' }, // 1000/1.10, 1000/1.08
      { d: '2024-02-29', booked_doc: '909.09', open: '952.38', booked: '909.09' }, // 1000/1.05
    ]);
  });

  it('shows the unrealised result month by month and the realised one when paid', async () => {
    const rows = await f.query(`SELECT CAST(month AS VARCHAR) AS m, CAST(invoiced AS VARCHAR) AS i, CAST(collected AS VARCHAR) AS c,
      CAST(fx_revaluation AS VARCHAR) AS fx, CAST(ar_end AS VARCHAR) AS e FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY 1`);
    expect(rows).toEqual([
      { m: '2024-01-01', i: '1409.09', c: '0.00', fx: '16.84', e: '1425.93' },
      { m: '2024-02-01', i: '0.00', c: '0.00', fx: '26.45', e: '1452.38' },
      // paid 4 Mar at 1.04: 961.54 collected; 961.54 − 909.09 = 52.45 realised in all, 43.29 of it already shown
      { m: '2024-03-01', i: '0.00', c: '961.54', fx: '9.16', e: '500.00' },
    ]);
  });

  it('reports AR per currency, in the currency and converted', async () => {
    const rows = await f.query(`SELECT CAST(as_of_date AS VARCHAR) AS d, currency, CAST(open_amount_original AS VARCHAR) AS o, CAST(open_amount AS VARCHAR) AS a FROM ar_currency ORDER BY 1, 2`);
    expect(rows).toEqual([
      { d: '2024-01-31', currency: 'EUR', o: '500.00', a: '500.00' },
      { d: '2024-01-31', currency: 'USD', o: '1000.00', a: '925.93' },
      { d: '2024-02-29', currency: 'EUR', o: '500.00', a: '500.00' },
      { d: '2024-02-29', currency: 'USD', o: '1000.00', a: '952.38' },
      { d: '2024-03-31', currency: 'EUR', o: '500.00', a: '500.00' },
    ]);
  });
});
