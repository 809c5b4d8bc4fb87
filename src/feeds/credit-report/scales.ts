/**
 * Provider score scales and their mapping to one common 5-band risk scale, as data. The mapping rows
 * are the single source: `commonBand` reads them, the warehouse gets them as `ref_score_bands`, and
 * docs/metrics-credit-risk.md prints them.
 *
 * Common scale (1 = lowest risk): 1 very low, 2 low, 3 moderate, 4 high, 5 very high; NULL = not rated.
 * Bands follow the providers' own published bands where they have five (Creditsafe A-E, D&B failure
 * score classes 1-5); Graydon's ten letter ratings are paired two by two, D (insolvent) joins band 5.
 */
export const SCORE_SCALES = [
  'creditsafe_0_100',
  'graydon_rating',
  'graydon_payment_score',
  'dnb_failure_percentile',
  'common_1_5',
] as const;
export type ScoreScale = (typeof SCORE_SCALES)[number];

export const COMMON_BANDS = [
  { band: 1, label: 'very low risk' },
  { band: 2, label: 'low risk' },
  { band: 3, label: 'moderate risk' },
  { band: 4, label: 'high risk' },
  { band: 5, label: 'very high risk' },
] as const;
export type CommonBand = 1 | 2 | 3 | 4 | 5;

export interface BandRule {
  scale: ScoreScale;
  /** Numeric range, inclusive (scales with numbers). */
  min?: number;
  max?: number;
  /** Letter rating (scales with letters). */
  rating?: string;
  band: CommonBand | null;
  /** The rating means the company is insolvent (Graydon D). */
  insolvent?: boolean;
  note: string;
}

/** Numeric range each scale accepts; a score outside it is a reject, never clamped. */
export const SCALE_RANGES: Partial<Record<ScoreScale, { min: number; max: number }>> = {
  creditsafe_0_100: { min: 0, max: 100 },
  graydon_payment_score: { min: 0, max: 100 },
  dnb_failure_percentile: { min: 1, max: 100 },
  common_1_5: { min: 1, max: 5 },
};

export const BAND_RULES: readonly BandRule[] = [
  // Creditsafe international score: the number decides; commonValue letters A-D follow it.
  { scale: 'creditsafe_0_100', min: 71, max: 100, rating: 'A', band: 1, note: 'A: very low risk' },
  { scale: 'creditsafe_0_100', min: 51, max: 70, rating: 'B', band: 2, note: 'B: low risk' },
  { scale: 'creditsafe_0_100', min: 30, max: 50, rating: 'C', band: 3, note: 'C: moderate risk' },
  { scale: 'creditsafe_0_100', min: 21, max: 29, rating: 'D', band: 4, note: 'D: high risk' },
  { scale: 'creditsafe_0_100', min: 0, max: 20, band: 5, note: 'E with a score 0-20: very high risk' },
  { scale: 'creditsafe_0_100', rating: 'E', band: null, note: 'E (or NR) without a score: not rated' },
  // Graydon rating: AAA best … C worst; D = insolvent (faillissement, surseance, WSNP).
  { scale: 'graydon_rating', rating: 'AAA', band: 1, note: 'AAA: very low risk' },
  { scale: 'graydon_rating', rating: 'AA', band: 1, note: 'AA: very low risk' },
  { scale: 'graydon_rating', rating: 'A', band: 2, note: 'A: low risk' },
  { scale: 'graydon_rating', rating: 'BBB', band: 2, note: 'BBB: low risk' },
  { scale: 'graydon_rating', rating: 'BB', band: 3, note: 'BB: moderate risk' },
  { scale: 'graydon_rating', rating: 'B', band: 3, note: 'B: moderate risk' },
  { scale: 'graydon_rating', rating: 'CCC', band: 4, note: 'CCC: high risk' },
  { scale: 'graydon_rating', rating: 'CC', band: 4, note: 'CC: high risk' },
  { scale: 'graydon_rating', rating: 'C', band: 5, note: 'C: very high risk' },
  { scale: 'graydon_rating', rating: 'D', band: 5, insolvent: true, note: 'D: insolvent' },
  { scale: 'graydon_rating', rating: 'NR', band: null, note: 'NR: not rated' },
  // Graydon payment score (payment behaviour 0-100), used only when a report has no rating.
  { scale: 'graydon_payment_score', min: 80, max: 100, band: 1, note: 'pays on time' },
  { scale: 'graydon_payment_score', min: 60, max: 79, band: 2, note: 'mostly on time' },
  { scale: 'graydon_payment_score', min: 40, max: 59, band: 3, note: 'regularly late' },
  { scale: 'graydon_payment_score', min: 20, max: 39, band: 4, note: 'often late' },
  { scale: 'graydon_payment_score', min: 0, max: 19, band: 5, note: 'very late or not paying' },
  // D&B failure score national percentile (1 = highest risk), D&B's own failure score classes.
  { scale: 'dnb_failure_percentile', min: 86, max: 100, band: 1, note: 'failure class 1' },
  { scale: 'dnb_failure_percentile', min: 51, max: 85, band: 2, note: 'failure class 2' },
  { scale: 'dnb_failure_percentile', min: 11, max: 50, band: 3, note: 'failure class 3' },
  { scale: 'dnb_failure_percentile', min: 2, max: 10, band: 4, note: 'failure class 4' },
  { scale: 'dnb_failure_percentile', min: 1, max: 1, band: 5, note: 'failure class 5' },
  // Already on the common scale (generic canonical CSV).
  ...([1, 2, 3, 4, 5] as const).map((b) => ({ scale: 'common_1_5' as const, min: b, max: b, band: b, note: COMMON_BANDS[b - 1]!.label })),
];

export type BandResult =
  | { ok: true; band: CommonBand | null; insolvent: boolean; rule: BandRule }
  | { ok: false; reason: string };

const NUMERIC_RULES = new Map<ScoreScale, BandRule[]>();

function numericRules(scale: ScoreScale): BandRule[] {
  let rules = NUMERIC_RULES.get(scale);
  if (!rules) NUMERIC_RULES.set(scale, (rules = BAND_RULES.filter((r) => r.scale === scale && r.min !== undefined)));
  return rules;
}

/**
 * Common band of one provider score. A numeric score decides where the scale has one (a letter that
 * contradicts it is a reject: the file is inconsistent); letters alone decide otherwise.
 */
export function commonBand(input: { scale: ScoreScale; score?: number | null; rating?: string | null }): BandResult {
  const { scale } = input;
  const rating = input.rating?.trim().toUpperCase() || undefined;
  const score = input.score ?? undefined;
  if (score !== undefined) {
    const range = SCALE_RANGES[scale];
    if (!range) return { ok: false, reason: `scale ${scale} has no numeric score, got ${score}` };
    if (!Number.isInteger(score) || score < range.min || score > range.max) {
      return { ok: false, reason: `score ${score} out of range ${range.min}-${range.max} for ${scale}` };
    }
    const rule = numericRules(scale).find((r) => score >= r.min! && score <= r.max!)!;
    if (rating && rule.rating && rating !== rule.rating) {
      return { ok: false, reason: `rating ${rating} contradicts score ${score} (${scale} gives ${rule.rating})` };
    }
    return { ok: true, band: rule.band, insolvent: rule.insolvent ?? false, rule };
  }
  if (rating) {
    const letter = rating === 'NOT RATED' || rating === '-' ? (scale === 'creditsafe_0_100' ? 'E' : 'NR') : rating;
    const rule = BAND_RULES.find((r) => r.scale === scale && r.rating === letter && (r.min === undefined || scale === 'creditsafe_0_100'));
    if (!rule) return { ok: false, reason: `unknown rating "${rating}" for ${scale}` };
    // A Creditsafe letter without its number: A-D give their band, E means not rated.
    return { ok: true, band: letter === 'E' ? null : rule.band, insolvent: rule.insolvent ?? false, rule };
  }
  return { ok: false, reason: `no score and no rating for ${scale}` };
}

export function bandLabel(band: number | null | undefined): string {
  return band ? COMMON_BANDS[band - 1]?.label ?? 'unknown' : 'not rated';
}
