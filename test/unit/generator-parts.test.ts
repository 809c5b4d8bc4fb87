import { describe, expect, it } from 'vitest';
import { formatCents, roundTo } from '../../src/generator/money.js';
import { csvField } from '../../src/generator/csv-writer.js';
import { beVatNumber, elevenProof, kvkNumber, nlVatNumber } from '../../src/generator/company.js';
import { legalCost, wikCollectionCost } from '../../src/generator/dunning.js';
import { addMonths, businessDayOnOrAfter, dayOf, isoOf, weekday } from '../../src/generator/calendar.js';
import { ledgerWindow } from '../../src/generator/profiles.js';
import { Rng } from '../../src/generator/random.js';
import { sbiCodesBySection, SBI_SECTIONS } from '../../src/generator/sbi-codes.js';

describe('generator building blocks', () => {
  it('formats cents as exact decimals with two places', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(-5)).toBe('-0.05');
    expect(formatCents(123456)).toBe('1234.56');
    expect(formatCents(-100)).toBe('-1.00');
    expect(() => formatCents(1.5)).toThrow();
    expect(roundTo(123_456, 50_000)).toBe(100_000);
  });

  it('quotes CSV fields only when RFC 4180 requires it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Bakker, Smit en Partners')).toBe('"Bakker, Smit en Partners"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(30)).toBe('30');
  });

  it('makes unique 8-digit KvK numbers and VAT numbers that pass their checks', () => {
    const kvk = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const k = kvkNumber(i, 12_345);
      expect(k).toMatch(/^[1-9]\d{7}$/);
      kvk.add(k);
      const vat = nlVatNumber(i, 987);
      expect(vat).toMatch(/^NL\d{9}B01$/);
      expect(elevenProof(vat.slice(2, 11))).toBe(true);
    }
    expect(kvk.size).toBe(20_000);
    expect(elevenProof('123456782')).toBe(true); // the classic valid BSN example
    expect(elevenProof('123456789')).toBe(false);
    const be = beVatNumber(new Rng('be'));
    expect(be).toMatch(/^BE0\d{9}$/);
    expect(97 - (Number(be.slice(2, 10)) % 97)).toBe(Number(be.slice(10)));
  });

  it('charges agency fees on the Dutch WIK scale and court fees by claim size', () => {
    expect(wikCollectionCost(10_000)).toBe(4_000); // 100 EUR: the 40 EUR minimum
    expect(wikCollectionCost(100_000)).toBe(15_000); // 15% of 1,000
    expect(wikCollectionCost(500_000)).toBe(62_500); // 375 + 250
    expect(wikCollectionCost(1_000_000)).toBe(87_500); // 375 + 250 + 250
    expect(wikCollectionCost(1_000_000_000)).toBe(677_500); // capped
    expect(legalCost(40_000)).toBeLessThan(legalCost(500_000));
  });

  it('does date arithmetic on day numbers', () => {
    const d = dayOf('2026-10-31');
    expect(isoOf(d)).toBe('2026-10-31');
    expect(isoOf(addMonths(dayOf('2024-01-31'), 1))).toBe('2024-02-29');
    expect(weekday(dayOf('2026-11-01'))).toBe(0); // a Sunday
    expect(isoOf(businessDayOnOrAfter(dayOf('2026-10-31')))).toBe('2026-11-02');
    expect(isoOf(businessDayOnOrAfter(dayOf('2026-10-30')))).toBe('2026-10-30');
    expect(() => dayOf('2026-02-30')).toThrow();
    const w = ledgerWindow('s', 24, dayOf('2026-10-31'));
    expect(isoOf(w.startDay)).toBe('2024-11-01');
  });

  it('draws the same numbers for the same stream and different ones for another', () => {
    const a = new Rng('seed', 'x', 1);
    const b = new Rng('seed', 'x', 1);
    const c = new Rng('seed', 'x', 2);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    for (const v of sa) expect(v >= 0 && v < 1).toBe(true);
  });

  it('has real SBI 2008 activity codes for every section A-U', () => {
    const by = sbiCodesBySection();
    for (const s of SBI_SECTIONS) expect(by.get(s)?.length ?? 0).toBeGreaterThan(0);
    const codes = [...by.values()].flat().map((c) => c.code);
    // only the most detailed codes: none is a prefix of another
    const set = new Set(codes);
    for (const c of codes) for (let n = 2; n < c.length; n++) expect(set.has(c.slice(0, n))).toBe(false);
  });
});
