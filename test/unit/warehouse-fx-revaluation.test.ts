/**
 * Currency rules on a hand-computed ledger (rates are USD per EUR, amounts ÷ rate to the cent):
 * a USD invoice booked at its date's rate, revalued at each month end's closing rate, and paid at a
 * third rate; the roll-forward's fx_revaluation carries the unrealised and then the realised result.
 * The customer's credit limit is kept in USD too (USD 1,500): it converts at each month end's
 * closing rate before it is compared with open AR (read 1:1 it would hide the customer being over it).
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
        customers: [customer('C1', 'smb', { currency: 'USD', credit_limit: '1500.00' })],
        invoices: [usd(invoice('U1', 'C1', '2024-01-10', '2024-02-09', '1000.00')), invoice('E1', 'C1', '2024-01-10', '2024-02-09', '500.00')],
        payments: [{ ...payment('P1', 'C1', '2024-03-04', '1000.00'), currency: 'USD' }],
        payment_allocations: [allocation('P1', 'U1', '1000.00')],
        // 29 Feb is a Thursday; 4 Mar's rate is dated Friday 1 Mar (within the 7-day look-back)
        fx_rates: [rate('2024-01-10', '1.1000'), rate('2024-01-31', '1.0800'), rate('2024-02-29', '1.0500'), rate('2024-03-01', '1.0400'), rate('2024-03-29', '1.0700')],
      },
      configWith(),
      ['+ar_open_items', '+ar_aging', '+ar_rollforward', '+ar_currency', '+credit_limit_utilisation', '+customer_risk'],
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

  it('splits the FX line into realised (closed documents) and unrealised (revaluation of open ones)', async () => {
    const rows = await f.query(`SELECT CAST(month AS VARCHAR) AS m, CAST(fx_realised AS VARCHAR) AS r, CAST(fx_unrealised AS VARCHAR) AS u
      FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY 1`);
    expect(rows).toEqual([
      { m: '2024-01-01', r: '0.00', u: '16.84' },
      { m: '2024-02-01', r: '0.00', u: '26.45' },
      // paid: 961.54 collected on 909.09 booked, 52.45 realised; the 43.29 shown as unrealised reverses
      { m: '2024-03-01', r: '52.45', u: '-43.29' },
    ]);
  });

  it('converts a credit limit kept in USD at the closing rate before comparing it with open AR', async () => {
    const rows = await f.query(`SELECT CAST(as_of_date AS VARCHAR) AS d, CAST(open_ar AS VARCHAR) AS ar, CAST(credit_limit AS VARCHAR) AS lim,
      CAST(credit_limit_original AS VARCHAR) AS orig, limit_currency AS cur, CAST(headroom AS VARCHAR) AS headroom, over_limit
      FROM credit_limit_utilisation ORDER BY 1`);
    expect(rows).toEqual([
      { d: '2024-01-31', ar: '1425.93', lim: '1388.89', orig: '1500.00', cur: 'USD', headroom: '-37.04', over_limit: true }, // 1500/1.08
      { d: '2024-02-29', ar: '1452.38', lim: '1428.57', orig: '1500.00', cur: 'USD', headroom: '-23.81', over_limit: true }, // 1500/1.05
      // March is partial (data end 4 Mar): the rate of 1 Mar, 1.04
      { d: '2024-03-31', ar: '500.00', lim: '1442.31', orig: '1500.00', cur: 'USD', headroom: '942.31', over_limit: false },
    ]);
    const risk = await f.query(`SELECT CAST(as_of_date AS VARCHAR) AS d, CAST(credit_limit AS VARCHAR) AS lim, over_limit FROM customer_risk ORDER BY 1`);
    expect(risk).toEqual([
      { d: '2024-01-31', lim: '1388.89', over_limit: true },
      { d: '2024-02-29', lim: '1428.57', over_limit: true },
      { d: '2024-03-31', lim: '1442.31', over_limit: false },
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
