/**
 * The reproduction, through the CLI on small hand-made files: a GBP 1,200 and an SEK 3,200
 * invoice used to be summed into "not due 4400.00" EUR. With ECB reference rates they convert at
 * their document date, are revalued at the month-end closing rate, and the roll-forward ties out with
 * an fx_revaluation line; without a rate the build fails and says which currency, date and how many.
 * Expected values are worked out by hand from the rates below (amount ÷ rate, to the cent).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOCATIONS_HEADER, cli, CUSTOMERS_HEADER, INVOICES_HEADER, PAYMENTS_HEADER, queryRows, workFolder, writeCsv } from '../support/run-cli.js';

// eurofxref-hist.csv layout: newest first, trailing comma, N/A where a currency was not quoted.
const ECB = `Date,USD,JPY,GBP,SEK,CHF,CYP,
2024-02-29,1.0813,162.40,0.8556,11.2105,0.9533,N/A,
2024-02-05,1.0765,159.40,0.8534,11.3985,0.9320,N/A,
2024-01-31,1.0837,159.40,0.8520,11.2805,0.9339,N/A,
2024-01-12,1.0942,158.90,0.8590,11.1985,0.9333,N/A,
2024-01-10,1.0946,158.90,0.8617,11.0935,0.9302,N/A,
`;

function ledger(dir: string) {
  writeCsv(dir, 'customers', CUSTOMERS_HEADER, [
    ['UK1', 'Thames Ltd', '', '', 'GB', '', 'export', 'medium', '', 'GBP', '30'],
    ['SE1', 'Vasa AB', '', '', 'SE', '', 'export', 'small', '', 'SEK', '30'],
    ['NL1', 'Delft B.V.', '', '', 'NL', '', 'domestic', 'small', '', 'EUR', '30'],
  ]);
  writeCsv(dir, 'invoices', INVOICES_HEADER, [
    ['G1', 'UK1', 'invoice', '2024-01-10', '2024-02-09', 'GBP', '1200.00', '', ''],
    ['S1', 'SE1', 'invoice', '2024-01-13', '2024-02-12', 'SEK', '3200.00', '', ''], // a Saturday: Friday's rate
    ['E1', 'NL1', 'invoice', '2024-01-15', '2024-02-14', 'EUR', '1000.00', '', ''],
  ]);
  writeCsv(dir, 'payments', PAYMENTS_HEADER, [['P1', 'UK1', '2024-02-05', '600.00', 'GBP']]);
  writeCsv(dir, 'payment_allocations', ALLOCATIONS_HEADER, [['P1', 'G1', '600.00']]);
}

async function ingestLedger(dir: string) {
  for (const t of ['customers', 'invoices', 'payments', 'payment_allocations']) {
    const r = await cli(dir, 'ingest', '--table', t, `${t}.csv`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
}

describe('foreign currencies through the CLI', () => {
  it('without rates the build fails naming currency, date and count, instead of adding GBP and SEK to EUR', async () => {
    const dir = workFolder('fx-missing');
    ledger(dir);
    await ingestLedger(dir);
    const b = await cli(dir, 'build');
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain('data test fx_rate_missing failed');
    // one row per currency: the first date without a rate, then how many documents, payments and month ends need one
    expect(b.stderr).toMatch(/no GBP rate within 7 days before 2024-01-10\s+GBP\s+2024-01-10\s+2024-02-29\s+1\s+1\s+2\n/);
    expect(b.stderr).toMatch(/no SEK rate within 7 days before 2024-01-13\s+SEK\s+2024-01-13\s+2024-02-29\s+1\s+0\s+2\n/);
  }, 120_000);

  it('with ECB rates: document-date conversion, closing-rate revaluation, fx_revaluation in the roll-forward, AR per currency', async () => {
    const dir = workFolder('fx-ecb');
    ledger(dir);
    writeFileSync(join(dir, 'eurofxref-hist.csv'), ECB);
    await ingestLedger(dir);
    const fx = await cli(dir, 'ingest', '--feed', 'fx-rates', 'eurofxref-hist.csv');
    expect(fx.code, fx.stdout + fx.stderr).toBe(0);
    expect(fx.stdout).toContain('25 rates loaded (5 currencies, 5 dates, ECB layout), 0 rejected');
    const again = await cli(dir, 'ingest', '--feed', 'fx-rates', 'eurofxref-hist.csv');
    expect(again.stdout).toContain('already ingested');
    const b = await cli(dir, 'build');
    expect(b.code, b.stderr).toBe(0);

    const items = await queryRows(dir, `SELECT CAST(as_of_date AS VARCHAR) AS d, document_id, currency, CAST(open_amount_original AS VARCHAR) AS orig,
      CAST(original_amount AS VARCHAR) AS booked, CAST(open_amount AS VARCHAR) AS open FROM ar_open_items ORDER BY 1, 2`);
    expect(items).toEqual([
      // booked at the document date: 1200 / 0.8617, 3200 / 11.1985 (12 Jan, for Saturday 13 Jan); open at 31 Jan closing
      { d: '2024-01-31', document_id: 'E1', currency: 'EUR', orig: '1000.00', booked: '1000.00', open: '1000.00' },
      { d: '2024-01-31', document_id: 'G1', currency: 'GBP', orig: '1200.00', booked: '1392.60', open: '1408.45' },
      { d: '2024-01-31', document_id: 'S1', currency: 'SEK', orig: '3200.00', booked: '285.75', open: '283.68' },
      { d: '2024-02-29', document_id: 'E1', currency: 'EUR', orig: '1000.00', booked: '1000.00', open: '1000.00' },
      // February is partial (the data ends with the payment on 5 Feb): revalued at the data end's rate
      { d: '2024-02-29', document_id: 'G1', currency: 'GBP', orig: '600.00', booked: '1392.60', open: '703.07' },
      { d: '2024-02-29', document_id: 'S1', currency: 'SEK', orig: '3200.00', booked: '285.75', open: '280.74' },
    ]);
    const roll = await queryRows(dir, `SELECT CAST(month AS VARCHAR) AS m, CAST(ar_begin AS VARCHAR) AS b, CAST(invoiced AS VARCHAR) AS i,
      CAST(collected AS VARCHAR) AS c, CAST(fx_revaluation AS VARCHAR) AS fx, CAST(ar_end AS VARCHAR) AS e FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY 1`);
    expect(roll).toEqual([
      { m: '2024-01-01', b: '0.00', i: '2678.35', c: '0.00', fx: '13.78', e: '2692.13' },
      // GBP 600 received on 5 Feb at 0.8534 = 703.07
      { m: '2024-02-01', b: '2692.13', i: '0.00', c: '703.07', fx: '-5.25', e: '1983.81' },
    ]);
    const cur = await queryRows(dir, `SELECT currency, CAST(open_amount_original AS VARCHAR) AS orig, CAST(open_amount AS VARCHAR) AS eur
      FROM ar_currency WHERE as_of_date = DATE '2024-02-29' ORDER BY currency`);
    expect(cur).toEqual([
      { currency: 'EUR', orig: '1000.00', eur: '1000.00' },
      { currency: 'GBP', orig: '600.00', eur: '703.07' },
      { currency: 'SEK', orig: '3200.00', eur: '280.74' },
    ]);
    const aging = await queryRows(dir, `SELECT CAST(sum(open_amount) AS VARCHAR) AS ar FROM ar_aging WHERE group_by = 'ALL' AND as_of_date = DATE '2024-01-31'`);
    expect(aging[0]!.ar).toBe('2692.13');
  }, 120_000);

  it('a rate older than fx.lookback_days is not used: a CHF invoice three weeks after the last CHF rate fails the build', async () => {
    const dir = workFolder('fx-lookback');
    ledger(dir);
    writeCsv(dir, 'invoices', INVOICES_HEADER, [['C1', 'NL1', 'invoice', '2024-02-20', '2024-03-21', 'CHF', '500.00', '', '']]);
    writeFileSync(join(dir, 'rates.csv'), 'rate_date,currency,rate\n2024-01-31,CHF,0.9339\n2024-02-05,CHF,0.9320\n');
    await ingestLedger(dir);
    expect((await cli(dir, 'ingest', '--feed', 'fx-rates', 'rates.csv')).code).toBe(0);
    const b = await cli(dir, 'build');
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/no CHF rate within 7 days before 2024-02-20\s+CHF\s+2024-02-20\s+2024-02-29\s+1\s+0\s+1\n/);
  }, 120_000);

  it('fx.lookback_days is configurable, and canonical rates load with --table fx_rates too', async () => {
    const dir = workFolder('fx-lookback-config');
    writeCsv(dir, 'customers', CUSTOMERS_HEADER, [['CH1', 'Bern AG', '', '', 'CH', '', 'export', 'small', '', 'CHF', '30']]);
    writeCsv(dir, 'invoices', INVOICES_HEADER, [['C1', 'CH1', 'invoice', '2024-02-20', '2024-03-21', 'CHF', '500.00', '', '']]);
    for (const t of ['customers', 'invoices']) expect((await cli(dir, 'ingest', '--table', t, `${t}.csv`)).code).toBe(0);
    writeFileSync(join(dir, 'rates.csv'), 'rate_date,currency,rate\n2024-01-31,CHF,0.9339\n2024-02-05,CHF,0.9320\n');
    const r = await cli(dir, 'ingest', 'rates.csv', '--table', 'fx_rates');
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('2 loaded, 0 rejected')]);
    const strict = await cli(dir, 'build');
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/no CHF rate within 7 days before 2024-02-20/);
    // the last CHF rate is 15 days old: a company that accepts three weeks says so
    writeFileSync(join(dir, 'creditlake.config.json'), JSON.stringify({ fx: { lookback_days: 21 } }));
    const b = await cli(dir, 'build');
    expect(b.code, b.stderr).toBe(0);
    // 500 / 0.9320 at the invoice date and at the data end (20 Feb, February is partial)
    expect(await queryRows(dir, `SELECT CAST(original_amount AS VARCHAR) AS booked, CAST(open_amount AS VARCHAR) AS open FROM ar_open_items`)).toEqual([
      { booked: '536.48', open: '536.48' },
    ]);
  }, 120_000);
});
