import { describe, expect, it } from 'vitest';
import { addQuery, costLine, emptyTotals, estimatedUsd, MIN_BILLED_BYTES } from '../../src/aws/athena-cost.js';

describe('Athena cost of a build', () => {
  it('bills each scanning query at least 10 MB, DDL that scans nothing at zero, at $5 per TB', () => {
    const t = emptyTotals();
    addQuery(t, 0); // CREATE VIEW
    addQuery(t, 1024); // a tiny data test
    addQuery(t, 2 * 1024 ** 4); // a 2 TB scan
    expect(t).toEqual({ queries: 3, bytesScanned: 2 * 1024 ** 4 + 1024, bytesBilled: 2 * 1024 ** 4 + MIN_BILLED_BYTES });
    expect(estimatedUsd(t)).toBeCloseTo(10 + (5 * MIN_BILLED_BYTES) / 1024 ** 4, 10);
    expect(costLine(t)).toBe('scanned 2.0 TB in 3 queries (billed 2.0 TB), estimated $10.00 at $5/TB');
    const small = emptyTotals();
    for (let i = 0; i < 205; i++) addQuery(small, 3 * 1024 * 1024);
    expect(costLine(small)).toBe('scanned 615.0 MB in 205 queries (billed 2.0 GB), estimated $0.0098 at $5/TB');
  });
});
