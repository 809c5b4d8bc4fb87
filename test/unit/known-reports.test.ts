import { describe, expect, it } from 'vitest';
import { DuckDBKnownReports, FingerprintSet, MAYBE } from '../../src/feeds/credit-report/known-reports.js';
import { IN_LAKE } from '../../src/feeds/credit-report/normalise.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

// Issue 16 item 3: the credit-report feed kept every known report id and key in JavaScript maps
// (1.1-1.4 GB of heap at 1.6M reports). The keys now live in a DuckDB table; JavaScript keeps a
// 64-bit fingerprint per key, which must never miss a key (a duplicate would load) and only say
// "maybe" for keys the table then settles.

describe('FingerprintSet', () => {
  it('finds every key added, in 16 bytes a key or less, and matches no other key of 200,000', () => {
    const set = new FingerprintSet();
    const n = 200_000;
    for (let i = 0; i < n; i++) set.add(`k:creditsafe|NL-KVK-${10_000_000 + i}|2025-0${1 + (i % 9)}-01`);
    expect(set.size).toBe(n);
    let missed = 0;
    for (let i = 0; i < n; i++) if (!set.has(`k:creditsafe|NL-KVK-${10_000_000 + i}|2025-0${1 + (i % 9)}-01`)) missed++;
    expect(missed).toBe(0);
    let matched = 0;
    for (let i = 0; i < n; i++) if (set.has(`k:graydon|NL-KVK-${10_000_000 + i}|2025-0${1 + (i % 9)}-01`)) matched++;
    expect(matched).toBe(0);
    expect(set.bytes).toBeLessThanOrEqual(16 * n * 2);
    set.add('');
    expect(set.has('')).toBe(true);
  });
});

describe('DuckDBKnownReports', () => {
  it('loads the lake\'s reports into DuckDB, answers new keys without asking it and settles a maybe there', async () => {
    await withDuckDB({ threads: 1 }, async (db) => {
      const known = await DuckDBKnownReports.create(db);
      await known.load(`(SELECT 'r' || range AS report_id, 'dnb' AS provider, 'NL-KVK-' || range AS company_key, '2025-01-01' AS report_date FROM range(50000))`);
      expect(known.peek('i:r123')).toBe(MAYBE);
      expect(known.peek('k:dnb|NL-KVK-123|2025-01-01')).toBe(MAYBE);
      expect(known.peek('i:r50000')).toBeUndefined();
      known.add('i:new', 7e10 + 12);
      expect(known.peek('i:new')).toBe(MAYBE);
      const found = await known.find(['i:r123', 'k:dnb|NL-KVK-123|2025-01-01', 'i:new', 'i:r50000', "i:it's"]);
      expect([...found].sort()).toEqual([['i:new', 7e10 + 12], ['i:r123', IN_LAKE], ['k:dnb|NL-KVK-123|2025-01-01', IN_LAKE]]);
      expect((await known.keys()).length).toBe(100_001);
    });
  });
});
