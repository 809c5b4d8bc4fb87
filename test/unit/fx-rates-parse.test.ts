import { describe, expect, it } from 'vitest';
import { parseFxRates } from '../../src/feeds/fx-rates/parse.js';

const HIST = `Date,USD,JPY,GBP,CYP,
2024-02-16,1.0776,161.71,0.8556,N/A,
2024-02-15,1.0743,161.1,abc,N/A,
16-02-2024,1.07,160,0.85,N/A,
`;

describe('exchange-rate files', () => {
  it('reads the ECB eurofxref-hist layout: N/A skipped, a bad value or date quarantined with line and currency', () => {
    const r = parseFxRates(HIST, 'EUR');
    if ('error' in r) throw new Error(r.error);
    expect(r.layout).toBe('ecb');
    expect(r.rows).toEqual([
      { rate_date: '2024-02-16', currency: 'USD', rate: '1.0776' },
      { rate_date: '2024-02-16', currency: 'JPY', rate: '161.71' },
      { rate_date: '2024-02-16', currency: 'GBP', rate: '0.8556' },
      { rate_date: '2024-02-15', currency: 'USD', rate: '1.0743' },
      { rate_date: '2024-02-15', currency: 'JPY', rate: '161.1' },
    ]);
    expect(r.rejects.map((x) => [x.line, x.column, x.reason, x.detail])).toEqual([
      [3, 'GBP', 'not a positive rate', 'GBP "abc"'],
      [4, 'Date', 'not a date', 'Date "16-02-2024"'],
    ]);
  });

  it('reads the daily eurofxref.csv spelling (16 February 2024, blanks after commas)', () => {
    const r = parseFxRates('Date, USD, JPY, \n16 February 2024, 1.0776, 161.71, \n', 'EUR');
    if ('error' in r) throw new Error(r.error);
    expect(r.rows.map((x) => `${x.rate_date} ${x.currency} ${x.rate}`)).toEqual(['2024-02-16 USD 1.0776', '2024-02-16 JPY 161.71']);
  });

  it('crosses ECB rates (per EUR) into another reporting currency, adding EUR itself', () => {
    const r = parseFxRates('Date,USD,GBP,\n2024-02-16,1.0776,0.8556,\n', 'GBP');
    if ('error' in r) throw new Error(r.error);
    // USD per GBP = 1.0776 / 0.8556; EUR per GBP = 1 / 0.8556
    expect(r.rows).toEqual([
      { rate_date: '2024-02-16', currency: 'USD', rate: '1.259467041' },
      { rate_date: '2024-02-16', currency: 'EUR', rate: '1.168770453' },
    ]);
    expect(parseFxRates('Date,USD,\n2024-02-16,1.0776,\n', 'CHF')).toEqual({ error: expect.stringMatching(/no CHF column to cross through/) });
  });

  it('reads the canonical layout and refuses anything else', () => {
    const r = parseFxRates('rate_date,currency,rate\n2024-02-16,USD,1.0776\n2024-02-17,usd,1\n2024-02-18,SEK,0\n', 'EUR');
    if ('error' in r) throw new Error(r.error);
    expect(r.layout).toBe('canonical');
    expect(r.rows).toEqual([{ rate_date: '2024-02-16', currency: 'USD', rate: '1.0776' }]);
    expect(r.rejects.map((x) => x.reason)).toEqual(['currency not a 3-letter ISO 4217 code', 'not a positive rate']);
    expect(parseFxRates('when,what\n', 'EUR')).toEqual({ error: expect.stringMatching(/not an exchange-rate file/) });
  });
});
