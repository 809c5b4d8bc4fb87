import { describe, expect, it } from 'vitest';
import { batchTime } from '../../src/lake/commit-batch.js';
import { batchId } from '../../src/lake/layout.js';

describe('batch ids', () => {
  it('sort by time to the millisecond, so two files ingested within one second apply in turn', () => {
    const a = batchId(new Date('2024-05-01T10:15:00.120Z'), 'f'.repeat(64));
    const b = batchId(new Date('2024-05-01T10:15:00.870Z'), '0'.repeat(64));
    expect(a).toBe('20240501T101500.120Z-ffffffffffff');
    expect(a < b).toBe(true);
    expect(batchTime(b)).toBe(Date.parse('2024-05-01T10:15:00.870Z'));
  });

  it('still read the time of ids written before milliseconds', () => {
    expect(batchTime('20240501T101500Z-abababababab.parquet')).toBe(Date.parse('2024-05-01T10:15:00Z'));
    expect(batchTime('leftover.parquet')).toBeNaN();
  });
});
