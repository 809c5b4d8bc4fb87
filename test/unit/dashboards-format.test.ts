import { describe, expect, it } from 'vitest';
import {
  formatDate, formatDays, formatMoney, formatMoneyCompact, formatMonth, formatNumber, formatPct, formatQuarter,
  formatRatio, formatSigned, formatValue,
} from '../../dashboards/src/format.js';
import { toCsv, csvFileName } from '../../dashboards/src/csv.js';
import { label, t } from '../../dashboards/src/i18n.js';

// Intl separates the currency sign with a no-break space; compare on plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('money', () => {
  it('formats euros the Dutch way and the English way', () => {
    expect(plain(formatMoney('1234.56', 'nl'))).toBe('€ 1.234,56');
    expect(plain(formatMoney('1234.56', 'en'))).toBe('€1,234.56');
    expect(plain(formatMoney('-1234.5', 'nl'))).toBe('€ -1.234,50');
    expect(plain(formatMoney(0, 'nl'))).toBe('€ 0,00');
  });
  it('keeps every cent of amounts beyond float precision', () => {
    expect(plain(formatMoney('9007199254740993.01', 'nl'))).toBe('€ 9.007.199.254.740.993,01');
    expect(plain(formatMoney('0.10', 'en'))).toBe('€0.10');
  });
  it('formats compact amounts for axes', () => {
    expect(plain(formatMoneyCompact('1234567', 'nl'))).toMatch(/^€ 1,2 mln\.?$/);
    expect(plain(formatMoneyCompact('1234567', 'en'))).toMatch(/^€1\.2[mM]$/);
  });
  it('shows a dash for missing or malformed values, never NaN', () => {
    for (const v of [null, undefined, '', 'abc', '1,5', Number.NaN]) expect(formatMoney(v as never, 'nl')).toBe('–');
  });
});

describe('numbers, percentages, days', () => {
  it('uses the locale separators', () => {
    expect(formatNumber(1234567.891, 'nl', 2)).toBe('1.234.567,89');
    expect(formatNumber(1234567.891, 'en', 2)).toBe('1,234,567.89');
  });
  it('percentages on the 0-100 scale and ratios on the 0-1 scale', () => {
    expect(formatPct(44.391, 'nl')).toBe('44,4%');
    expect(formatPct(44.391, 'en')).toBe('44.4%');
    expect(formatPct('100', 'en', 0)).toBe('100%');
    expect(formatRatio(0.01234, 'nl', 2)).toBe('1,23%');
  });
  it('days and signed changes', () => {
    expect(formatDays(32.36, 'nl')).toBe('32,4 dagen');
    expect(formatDays(32.36, 'en')).toBe('32.4 days');
    expect(formatSigned(1.5, 'nl')).toBe('+1,5');
    expect(formatSigned(-0.25, 'en')).toBe('-0.3');
    expect(formatSigned(0, 'en')).toBe('0.0');
  });
});

describe('dates', () => {
  it('formats ISO dates per locale without shifting the day', () => {
    expect(formatDate('2024-12-31', 'nl')).toBe('31-12-2024');
    expect(formatDate('2024-12-31', 'en')).toBe('31/12/2024');
    expect(formatDate('2024-01-01', 'nl')).toBe('01-01-2024');
    expect(formatMonth('2024-03-01', 'nl')).toBe('mrt 2024');
    expect(formatMonth('2024-03-01', 'en')).toBe('Mar 2024');
    expect(formatQuarter('2024-07-01', 'nl')).toBe('K3 2024');
    expect(formatQuarter('2024-07-01', 'en')).toBe('Q3 2024');
    expect(formatDate('not a date', 'en')).toBe('–');
  });
  it('formatValue dispatches by kind', () => {
    expect(plain(formatValue('12.5', 'money', 'nl'))).toBe('€ 12,50');
    expect(formatValue(3, 'int', 'en')).toBe('3');
    expect(formatValue(-35, 'signed', 'nl')).toBe('-35');
    expect(formatValue(2.46, 'signed', 'nl')).toBe('+2,5');
    expect(formatValue(true, 'text', 'nl')).toBe('ja');
    expect(formatValue(null, 'money', 'nl')).toBe('–');
  });
});

describe('labels', () => {
  it('every key exists in both languages and differs where Dutch differs', () => {
    expect(t('nl', 'page_collections')).toBe('Incasso');
    expect(t('en', 'page_collections')).toBe('Collections');
    expect(t('nl', 'not_available', { mart: 'ar_rollforward' })).toBe('Niet beschikbaar: mart ar_rollforward is niet gebouwd');
    expect(label('nl', 'dunning_letter')).toBe('Aanmaningen');
    expect(label('nl', 'not due')).toBe('niet vervallen');
    // Enumerated values from the data are translated too (no raw mid_market on a Dutch page); unknown ones stay as they are.
    expect(label('nl', 'mid_market')).toBe('middenmarkt');
    expect(label('nl', 'Retail-X')).toBe('Retail-X');
    expect(label('nl', 'constructor')).toBe('constructor');
  });
});

describe('CSV', () => {
  it('writes labels then exact values, quoting what needs it', () => {
    const csv = toCsv({
      columns: [
        { key: 'name', label: 'Naam', kind: 'text' },
        { key: 'amount', label: 'Bedrag', kind: 'money' },
      ],
      rows: [
        { name: 'Bakker, Jansen & Zn.', amount: '1234.56' },
        { name: 'Zeg "hoi"', amount: '-0.50' },
        { name: '=HYPERLINK("x")', amount: null },
      ],
    });
    expect(csv).toBe('Naam,Bedrag\r\n"Bakker, Jansen & Zn.",1234.56\r\n"Zeg ""hoi""",-0.50\r\n"\'=HYPERLINK(""x"")",\r\n');
  });
  it('names files safely', () => {
    expect(csvFileName('dso_trend', '2024-12-31')).toBe('creditlake-dso_trend-2024-12-31.csv');
    expect(csvFileName('x/../y', null)).toBe('creditlake-x_.._y.csv');
  });
});

describe('priority reasons in the reader language', () => {
  it('renders the rule with localized figures instead of the models\u2019 English text', async () => {
    const { priorityReason } = await import('../../dashboards/src/reasons.js');
    const grow = { priority_rule: 'grow', reason: 'low risk, revenue new, headroom 496047.95', common_band_label: 'low risk', common_band: 2, revenue_t12m: '1000.00', revenue_prev_t12m: '0.00', credit_limit: '500000.00', open_ar: '3952.05' };
    expect(priorityReason(grow, 'en', 'EUR')).toBe('low risk, revenue new, headroom €496,047.95');
    expect(priorityReason(grow, 'nl', 'EUR')!.replace(/\u00a0/g, ' ')).toBe('laag risico, omzet nieuw, ruimte € 496.047,95');
    const late = { priority_rule: 'late_payer', avg_days_late_12m: 21.6, reason: 'pays 22 days late on average (12 months)' };
    expect(priorityReason(late, 'en', 'EUR')).toBe(late.reason);
    expect(priorityReason(late, 'nl', 'EUR')).toBe('betaalt gemiddeld 22 dagen te laat (12 maanden)');
    expect(priorityReason({ priority_rule: 'keep', common_band: null }, 'nl', 'EUR')).toBe('zonder score');
    expect(priorityReason({ reason: 'model text' }, 'nl', 'EUR')).toBe('model text');
  });
});
