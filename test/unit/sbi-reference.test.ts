import { describe, expect, it } from 'vitest';
import { lookupSbi, normaliseSbiCode, sbiReference, sbiSection, sectionOfDivision } from '../../src/reference/sbi.js';

describe('SBI 2008 reference', () => {
  const ref = sbiReference();

  it('loads all codes of the shipped file and all 21 sections', () => {
    expect(ref.version).toBe('SBI2008');
    expect(ref.codes.size).toBe(1434);
    expect(ref.sections.map((s) => s.section).join('')).toBe('ABCDEFGHIJKLMNOPQRSTU');
  });

  it('looks codes up in dotted and plain form with their version, level, division and section', () => {
    const a = lookupSbi('62.01');
    const b = lookupSbi('6201', 'SBI2008');
    expect(a).toEqual(b);
    expect(a.ok && a.code).toMatchObject({ code: '6201', dotted: '62.01', division: '62', section: 'J', level: 'class', version: 'SBI2008' });
    const sub = lookupSbi('01.13.1');
    expect(sub.ok && sub.code).toMatchObject({ code: '01131', section: 'A', level: 'subclass', description: 'Teelt van groenten in de volle grond' });
    expect(normaliseSbiCode(' 47 11 ')).toBe('4711');
  });

  it('rejects unknown codes, malformed codes and codes of another version with a reason', () => {
    const unknown = lookupSbi('99999');
    expect(!unknown.ok && unknown.reason).toMatch(/unknown SBI code 99\.99\.9 in SBI2008/);
    expect(!lookupSbi('6x01').ok).toBe(true);
    const v2025 = lookupSbi('6201', 'SBI2025');
    expect(!v2025.ok && v2025.reason).toMatch(/only the SBI2008 reference/);
    const bogus = lookupSbi('6201', 'SBI1993');
    expect(!bogus.ok && bogus.reason).toMatch(/unknown SBI classification version/);
  });

  it('agrees with the sections file on the section of every code', () => {
    for (const c of ref.codes.values()) expect(sectionOfDivision(c.division), c.code).toBe(c.section);
    expect(sbiSection('F')?.cbsName).toBe('Bouwnijverheid');
  });
});
