import type { Rng } from './random.js';
import { SBI_SECTIONS, type SbiSection } from './sbi-codes.js';

/**
 * The behavioural assumptions of the generator in one place: who the customers are and how they pay.
 * Numbers are modelling choices informed by Dutch practice (construction and hospitality pay late,
 * public bodies and large firms pay late-but-surely), not statistics of a real ledger.
 */

export const SIZE_CLASSES = ['micro', 'small', 'medium', 'large'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];
export const SEGMENTS = ['small_business', 'mid_market', 'enterprise'] as const;
export type Segment = (typeof SEGMENTS)[number];
export const HABITS = ['early', 'on_time', 'late', 'chronic_late', 'never'] as const;
export type Habit = (typeof HABITS)[number];

/** Mix of B2B customers over SBI sections (a supplier's debtor book, not the KvK register). */
const SECTION_WEIGHT: Record<SbiSection, number> = {
  A: 4, B: 0.3, C: 10, D: 0.8, E: 1, F: 14, G: 20, H: 7, I: 6, J: 6, K: 2, L: 2, M: 10, N: 6, O: 1.5,
  P: 1.5, Q: 4, R: 2, S: 2, T: 0.05, U: 0.05,
};

export function drawSection(rng: Rng): SbiSection {
  return rng.weighted(SBI_SECTIONS, SBI_SECTIONS.map((s) => SECTION_WEIGHT[s]));
}

const SIZE_WEIGHT_BASE = [38, 34, 18, 10];
/** Sections whose debtors are typically bigger (public bodies, utilities, finance) or smaller. */
const BIG_SECTIONS: readonly SbiSection[] = ['D', 'K', 'O', 'U', 'B', 'E'];
const SMALL_SECTIONS: readonly SbiSection[] = ['F', 'I', 'S', 'R', 'M', 'T'];

export function drawSize(rng: Rng, section: SbiSection): SizeClass {
  const w = [...SIZE_WEIGHT_BASE];
  if (BIG_SECTIONS.includes(section)) (w[0] = 12), (w[3] = 30);
  if (SMALL_SECTIONS.includes(section)) (w[0] = 48), (w[3] = 6);
  return rng.weighted(SIZE_CLASSES, w);
}

export function drawSegment(rng: Rng, size: SizeClass): Segment {
  const w: Record<SizeClass, number[]> = {
    micro: [97, 3, 0],
    small: [70, 29, 1],
    medium: [10, 80, 10],
    large: [0, 25, 75],
  };
  return rng.weighted(SEGMENTS, w[size]);
}

/** Payment terms 14/30/60 days: small firms get short terms, enterprises negotiate long ones. */
export function drawTerms(rng: Rng, segment: Segment): number {
  const w: Record<Segment, number[]> = {
    small_business: [45, 50, 5],
    mid_market: [15, 70, 15],
    enterprise: [3, 52, 45],
  };
  return [14, 30, 60][rng.weightedIndex(w[segment])] as number;
}

const HABIT_BY_SIZE: Record<SizeClass, number[]> = {
  //      early on_time late chronic never
  micro: [14, 36, 30, 17, 3],
  small: [15, 41, 30, 12, 2],
  medium: [12, 47, 30, 10, 1],
  // large: slower (many pay days to weeks late) but reliable (few chronic, almost never "never")
  large: [5, 33, 54, 7.7, 0.3],
};

/** Multipliers per section on [early, on_time, late, chronic, never]. */
const HABIT_SECTION_FACTOR: Partial<Record<SbiSection, number[]>> = {
  F: [0.6, 0.75, 1.3, 1.9, 1.6], // construction: chains of subcontractors, pay-when-paid
  I: [0.6, 0.7, 1.25, 2.0, 1.8], // hospitality: thin margins, seasonal cash
  H: [0.8, 0.9, 1.15, 1.4, 1.2], // transport
  R: [0.8, 0.9, 1.1, 1.3, 1.3],
  O: [0.8, 1.3, 1.2, 0.3, 0.05], // government: slow approval, but pays
  U: [0.8, 1.3, 1.2, 0.3, 0.05],
  D: [1.2, 1.4, 0.8, 0.4, 0.2],
  K: [1.3, 1.4, 0.7, 0.5, 0.3],
  Q: [1.0, 1.2, 1.0, 0.7, 0.6],
  P: [1.0, 1.2, 1.0, 0.7, 0.5],
};

export function habitWeights(size: SizeClass, section: SbiSection): number[] {
  const base = HABIT_BY_SIZE[size];
  const f = HABIT_SECTION_FACTOR[section] ?? [1, 1, 1, 1, 1];
  return base.map((w, i) => w * (f[i] as number));
}

export function drawHabit(rng: Rng, size: SizeClass, section: SbiSection): Habit {
  return rng.weighted(HABITS, habitWeights(size, section));
}

/**
 * A customer's typical payment delay in days relative to the due date (negative = early), and the
 * per-invoice spread around it.
 */
export function drawDelay(rng: Rng, habit: Habit, size: SizeClass, terms: number): { mean: number; spread: number } {
  switch (habit) {
    case 'early':
      return { mean: -Math.round(rng.uniform(0.3, 0.7) * terms), spread: 2 };
    case 'on_time':
      return { mean: rng.int(-4, 0), spread: 2 };
    case 'late':
      // large firms: late by a steady one to three weeks (payment runs, approval chains)
      return size === 'large' ? { mean: rng.int(7, 21), spread: 3 } : { mean: rng.int(5, 28), spread: 6 };
    case 'chronic_late':
      return { mean: rng.int(30, 60), spread: 12 };
    case 'never':
      return { mean: Number.POSITIVE_INFINITY, spread: 0 };
  }
}

/** Expected invoices per month by size; the ledger averages about 2 invoices per customer-month. */
export const INVOICES_PER_MONTH: Record<SizeClass, number> = { micro: 0.8, small: 1.5, medium: 3, large: 6 };
/** Median gross invoice amount in euros by size. */
export const MEDIAN_AMOUNT_EUR: Record<SizeClass, number> = { micro: 350, small: 900, medium: 2_500, large: 8_000 };

/** Seasonality of invoicing by calendar month (summer holidays incl. the construction "bouwvak", December). */
export const MONTH_FACTOR = [1.0, 1.0, 1.05, 1.0, 1.0, 1.0, 0.85, 0.8, 1.05, 1.05, 1.05, 0.9];

/** Chance that a customer stops paying altogether at some date ("distressed"); later goes bankrupt. */
export function distressChance(section: SbiSection, size: SizeClass): number {
  const bySection = section === 'F' || section === 'I' ? 2 : section === 'H' || section === 'G' ? 1.3 : 1;
  const bySize = size === 'large' ? 0.3 : size === 'medium' ? 0.7 : 1.1;
  return 0.018 * bySection * bySize;
}

/** Probability that an invoice is paid in two or more parts. */
export const PARTIAL_PAYMENT: Record<Habit, number> = {
  early: 0.02, on_time: 0.03, late: 0.08, chronic_late: 0.25, never: 0,
};

/** Probability that an unpaid debt handed to the agency is recovered. */
export const AGENCY_RECOVERY: Record<Habit, number> = {
  early: 0.9, on_time: 0.9, late: 0.85, chronic_late: 0.6, never: 0.3,
};

export const CREDIT_NOTE_RATE = 0.03;
