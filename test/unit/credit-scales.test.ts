import { describe, expect, it } from 'vitest';
import { BAND_RULES, SCALE_RANGES, SCORE_SCALES, commonBand, bandLabel } from '../../src/feeds/credit-report/scales.js';

const band = (scale: Parameters<typeof commonBand>[0]['scale'], score?: number | null, rating?: string | null) => {
  const r = commonBand({ scale, score, rating });
  if (!r.ok) throw new Error(r.reason);
  return r.band;
};

describe('provider scale → common 5-band scale', () => {
  it('maps Creditsafe scores on the published band edges', () => {
    expect([100, 71, 70, 51, 50, 30, 29, 21, 20, 0].map((s) => band('creditsafe_0_100', s))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(band('creditsafe_0_100', 64, 'B')).toBe(2);
    expect(band('creditsafe_0_100', null, 'C')).toBe(3);
  });

  it('treats Creditsafe E without a score as not rated, and a contradicting letter as an error', () => {
    expect(band('creditsafe_0_100', null, 'E')).toBeNull();
    expect(band('creditsafe_0_100', null, 'Not Rated')).toBeNull();
    expect(band('creditsafe_0_100', 12, 'E')).toBe(5);
    const r = commonBand({ scale: 'creditsafe_0_100', score: 80, rating: 'C' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/contradicts/);
  });

  it('pairs Graydon ratings and flags D as insolvent', () => {
    const letters = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C', 'D'];
    expect(letters.map((l) => band('graydon_rating', null, l))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    const d = commonBand({ scale: 'graydon_rating', rating: 'd' });
    expect(d.ok && d.insolvent).toBe(true);
    expect(band('graydon_rating', null, 'NR')).toBeNull();
    expect(commonBand({ scale: 'graydon_rating', rating: 'ZZ' }).ok).toBe(false);
  });

  it('uses D&B failure score classes (1 = highest risk percentile)', () => {
    expect([100, 86, 85, 51, 50, 11, 10, 2, 1].map((s) => band('dnb_failure_percentile', s))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5]);
  });

  it('rejects scores out of range instead of clamping', () => {
    for (const [scale, score] of [['creditsafe_0_100', 101], ['creditsafe_0_100', -1], ['dnb_failure_percentile', 0], ['graydon_payment_score', 100.5], ['common_1_5', 6]] as const) {
      const r = commonBand({ scale, score });
      expect(r.ok, `${scale} ${score}`).toBe(false);
      expect(!r.ok && r.reason).toMatch(/out of range/);
    }
    expect(commonBand({ scale: 'graydon_rating', score: 50 }).ok).toBe(false);
  });

  it('covers every integer of every numeric scale exactly once', () => {
    for (const scale of SCORE_SCALES) {
      const range = SCALE_RANGES[scale];
      if (!range) continue;
      const rules = BAND_RULES.filter((r) => r.scale === scale && r.min !== undefined);
      for (let s = range.min; s <= range.max; s++) {
        expect(rules.filter((r) => s >= r.min! && s <= r.max!).length, `${scale} ${s}`).toBe(1);
      }
    }
  });

  it('labels bands', () => {
    expect(bandLabel(1)).toBe('very low risk');
    expect(bandLabel(null)).toBe('not rated');
  });
});
