import { describe, expect, it } from 'vitest';
import { fmix32, KeyHashSet } from '../../src/feeds/canonical-csv/key-set.js';

// The plain scan's proof that a file's keys are distinct (issue 16 item 4): a repeat anywhere among
// many keys, in any partition and past any chunk, must be found; distinct keys must pass.
describe('KeyHashSet', () => {
  const hashes = (i: number) => [fmix32(i), fmix32(i ^ 0x5bd1e995)] as const;

  it('passes distinct keys and finds one repeat among 300,000', () => {
    const n = 300_000;
    const distinct = new KeyHashSet();
    for (let i = 0; i < n; i++) expect(distinct.add(...hashes(i))).toBe(true);
    expect(distinct.size).toBe(n);
    expect(distinct.distinct()).toBe(true);
    for (const [first, again] of [[0, n - 1], [123_457, 200_001], [n - 2, n - 1]]) {
      const s = new KeyHashSet();
      for (let i = 0; i < n; i++) s.add(...hashes(i === again ? first! : i));
      expect(s.distinct()).toBe(false);
    }
  });

  it('tells keys apart by all 64 bits: the same first word with another second is another key', () => {
    const s = new KeyHashSet();
    s.add(7, 1);
    s.add(7, 2);
    // The low bit of the first word marks a used slot: 6 and 7 count as the same word.
    expect(s.distinct()).toBe(true);
    s.add(6, 2);
    expect(s.distinct()).toBe(false);
  });

  it('checks keys whose hashes crowd one part (the same top byte) in a table of the size of that part', () => {
    const n = 100_000;
    // h1 below 2^24: every key in the first of the 256 parts, h1 itself distinct.
    const crowded = (i: number) => [i & 0xffffff, fmix32(i)] as const;
    const s = new KeyHashSet();
    for (let i = 0; i < n; i++) s.add(...crowded(i));
    // and a few elsewhere, so the table is sized for an average part first
    for (let i = 0; i < 1000; i++) s.add(...hashes(i));
    expect(s.distinct()).toBe(true);
    const r = new KeyHashSet();
    for (let i = 0; i < n; i++) r.add(...crowded(i === 77_777 ? 12 : i));
    expect(r.distinct()).toBe(false);
  });

  it('gives up past its bound instead of growing: it then proves nothing', () => {
    const s = new KeyHashSet(1000);
    for (let i = 0; i < 1000; i++) expect(s.add(...hashes(i))).toBe(true);
    expect(s.add(...hashes(1000))).toBe(false);
    expect(s.distinct()).toBe(false);
  });
});
