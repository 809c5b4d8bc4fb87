import { describe, expect, it } from 'vitest';
import { ReasonTally, topReasons, type LineRejectLike } from '../../src/feeds/reject-reasons.js';

describe('ReasonTally', () => {
  it('gives the same summary a piece at a time as topReasons over every reject, samples and ties included', () => {
    const reasons = ['duplicate report', 'invalid KvK number', 'unknown rating', 'score out of range'];
    const rejects: LineRejectLike[] = [];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let line = 2; line < 5_000; line++) {
      if (rnd(3) === 0) continue;
      const reason = reasons[rnd(reasons.length)]!;
      rejects.push({ line, reason, column: rnd(5) === 0 ? 'other' : reason.split(' ')[0]!, detail: `line ${line}` });
    }
    // Twelve (reason, column) groups: only ten are kept, and two share a count with their neighbours.
    for (let i = 0; i < 12; i++) rejects.push({ line: 6_000 + i, reason: `rare ${i % 3}`, column: `c${i}`, detail: '' });
    const tally = new ReasonTally();
    for (let i = 0; i < rejects.length; i += 97) tally.add(rejects.slice(i, i + 97));
    expect(tally.top('f.csv')).toEqual(topReasons('f.csv', rejects));
    expect(tally.top('f.csv')).toHaveLength(10);
    expect(tally.top('f.csv')[0]!.sample.line).toBeLessThan(20);
  });
});
