import { describe, expect, it } from 'vitest';
import { CompanyIdentityIndex } from '../../src/feeds/credit-report/identity.js';
import { StringTable } from '../../src/feeds/credit-report/string-table.js';

describe('StringTable (the credit-report feed\'s identifiers, company keys and event ids)', () => {
  it('numbers strings in the order first added and answers exactly, tags and wide characters included', () => {
    const t = new StringTable();
    const words = ['NL-KVK-12345678', '', 'kvk', 'Müller GmbH', 'Łódź sp. z o.o.', '株式会社', 'NL-KVK-12345678 ', 'x'.repeat(200), 'ÿ'];
    words.forEach((w, i) => expect(t.add(w)).toBe(i));
    expect(t.add('12345678', 1)).toBe(words.length);
    expect(t.size).toBe(words.length + 1);
    words.forEach((w, i) => {
      expect(t.find(w)).toBe(i);
      expect(t.get(i)).toBe(w);
      expect(t.add(w)).toBe(i);
    });
    // The tag is part of the identity: kvk 12345678 is not duns 12345678.
    expect(t.find('12345678')).toBe(-1);
    expect(t.find('12345678', 1)).toBe(words.length);
    expect(t.find('12345678', 2)).toBe(-1);
    expect(t.tagOf(words.length)).toBe(1);
    // A Latin-1 string never matches a UTF-16 one of the same bytes.
    expect(t.find('\u0100')).toBe(-1);
    expect(t.find('NL-KVK-1234567')).toBe(-1);
    expect([...t].slice(0, words.length)).toEqual(words);
  });

  it('keeps 300,000 keys exactly, outside the heap, in under 64 bytes a key (growth slack included)', () => {
    const t = new StringTable();
    const key = (i: number) => `NL-KVK-${String(10_000_000 + i * 7)}`;
    for (let i = 0; i < 300_000; i++) t.add(key(i));
    for (let i = 0; i < 300_000; i += 997) expect(t.find(key(i))).toBe(i);
    for (let i = 300_000; i < 310_000; i++) expect(t.has(key(i))).toBe(false);
    expect(t.get(299_999)).toBe(key(299_999));
    expect(t.bytes / t.size).toBeLessThan(64);
  });

  it('identity index: a repeated identifier from the lake takes the later key, and the added ones stream in order', () => {
    const index = new CompanyIdentityIndex([
      { id_type: 'kvk', id_value: '11111111', company_key: 'A' },
      { id_type: 'kvk', id_value: '11111111', company_key: 'B' },
    ]);
    expect(index.keyOf({ id_type: 'kvk', id_value: '11111111' })).toBe('B');
    expect(index.hasKey('A')).toBe(true);
    expect(index.added).toEqual([]);
    const mark = index.size;
    index.register([{ id_type: 'duns', id_value: '123456789' }, { id_type: 'kvk', id_value: '11111111' }, { id_type: 'vat', id_value: 'NL111111111B01' }], 'B');
    expect([...index.rowsFrom(mark)]).toEqual([
      { id_type: 'duns', id_value: '123456789', company_key: 'B' },
      { id_type: 'vat', id_value: 'NL111111111B01', company_key: 'B' },
    ]);
    expect(index.companyId('B')).toBe(1);
    expect(index.companyId('C')).toBe(-1);
  });
});
