import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CBS_DIR, CBS_FILES, parseCbsBankruptcies, parseCbsFirms, parseCbsPeriod, parseDutchInteger, shippedCbsBankruptcies, shippedCbsFirms,
} from '../../src/reference/cbs.js';

describe('CBS StatLine parsing (real files shipped in src/reference/cbs)', () => {
  it('parses Dutch integers and refuses decimals', () => {
    expect(parseDutchInteger('1.918.945')).toBe(1918945);
    expect(parseDutchInteger('0')).toBe(0);
    expect(() => parseDutchInteger('1,5')).toThrow();
    expect(() => parseDutchInteger('1.91')).toThrow();
  });

  it('keeps periods and provisional marks', () => {
    expect(parseCbsPeriod('2020 november**')).toEqual({ label: '2020 november', granularity: 'month', start: '2020-11-01', end: '2020-11-30', mark: '**' });
    expect(parseCbsPeriod('2021 1e kwartaal*')).toEqual({ label: '2021 1e kwartaal', granularity: 'quarter', start: '2021-01-01', end: '2021-03-31', mark: '*' });
    expect(parseCbsPeriod('2020 juli').mark).toBe('');
    expect(() => parseCbsPeriod('juli 2020')).toThrow();
  });

  const rows = shippedCbsBankruptcies();

  it('reads every data line of 82244NED and drops the Bron footer', () => {
    const text = readFileSync(`${CBS_DIR}${CBS_FILES.bankruptcies}`, 'utf8');
    const dataLines = text.split('\n').filter((l) => l.trim() !== '').length - 2; // header + footer
    expect(rows.length).toBe(dataLines);
    expect(rows.some((r) => /Bron/.test(r.debtorType))).toBe(false);
    expect(new Set(rows.map((r) => r.period.label)).size).toBe(6);
    expect(rows.filter((r) => r.period.mark === '*').every((r) => r.period.label === '2020 december')).toBe(true);
  });

  it('totals per month and type of debtor equal the sum of the sections plus unknown', () => {
    const groups = new Map<string, { total?: number; sum: number }>();
    for (const r of rows) {
      const k = `${r.debtorType}|${r.period.start}`;
      const g = groups.get(k) ?? { sum: 0 };
      if (r.branch.code === 'A-U') g.total = r.bankruptcies;
      else if (r.branch.section || r.branch.code === 'unknown') g.sum += r.bankruptcies;
      groups.set(k, g);
    }
    expect(groups.size).toBe(18);
    for (const [k, g] of groups) expect(g.sum, k).toBe(g.total);
  });

  it('all debtors = companies and institutions + natural persons with a sole proprietorship', () => {
    const at = (type: string, section: string, start: string) =>
      rows.find((r) => r.debtorType === type && r.branch.code === section && r.period.start === start)!.bankruptcies;
    for (const r of rows.filter((x) => x.debtorType.startsWith('Bedrijven, instellingen en eenmanszaken'))) {
      expect(at('Bedrijven en instellingen', r.branch.code, r.period.start) + at('Natuurlijk persoon met eenmanszaak', r.branch.code, r.period.start)).toBe(r.bankruptcies);
    }
  });

  it('reads 81589NED firms per section; sections add up to the total within CBS rounding to 5', () => {
    const firms = shippedCbsFirms();
    const total = firms.find((f) => f.branch.code === 'A-U')!;
    expect(total.total).toBe(1918945);
    expect(total.period).toMatchObject({ granularity: 'quarter', mark: '*' });
    const sections = firms.filter((f) => f.branch.section);
    expect(sections.map((s) => s.branch.section).join('')).toBe('ABCDEFGHIJKLMNOPQRSTU');
    const sum = sections.reduce((a, s) => a + s.total, 0);
    expect(Math.abs(sum - total.total)).toBeLessThanOrEqual(5 * sections.length);
    const fIndustry = firms.find((f) => f.branch.code === 'F')!;
    expect(fIndustry.counts['Totaal bedrijven (aantal)']).toBe(205510);
  });

  it('rejects a line of the wrong width with its line number', () => {
    expect(() => parseCbsBankruptcies('"a","b","c","d"\n"x","A Landbouw","2020 juli"\n')).toThrow(/line 2/);
    expect(() => parseCbsFirms('"a","b"\n')).toThrow();
  });
});
