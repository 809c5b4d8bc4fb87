import { Rng, hash32 } from './random.js';
import { addMonths, isoOf, type Day } from './calendar.js';
import { roundTo, toCents, type Cents } from './money.js';
import { beVatNumber, companyName, deVatNumber, kvkNumber, nlVatNumber } from './company.js';
import { sbiCodesBySection, type SbiSection } from './sbi-codes.js';
import {
  INVOICES_PER_MONTH, MEDIAN_AMOUNT_EUR, distressChance, drawDelay, drawHabit, drawSection, drawSegment,
  drawSize, drawTerms, type Habit, type Segment, type SizeClass,
} from './behaviour.js';

/**
 * A customer's hidden profile: who it is (the `customers` row) and how it behaves. Profiles are drawn
 * from their own random stream, so they can be recomputed without simulating the ledger (a later
 * feed needs the distressed customers and their distress dates).
 */
export interface CustomerProfile {
  index: number;
  customerId: string;
  name: string;
  kvkNumber: string | null;
  vatNumber: string | null;
  country: string;
  sbiCode: string | null;
  section: SbiSection;
  segment: Segment;
  sizeClass: SizeClass;
  termsDays: number;
  habit: Habit;
  /** Mean payment delay in days after the due date (negative = early; Infinity = never pays). */
  delayMean: number;
  delaySpread: number;
  invoicesPerMonth: number;
  medianAmountCents: Cents;
  /** Pays in batches on a fixed weekday (1-5) or monthly on day 25 (0); null = one payment per invoice. */
  paymentRun: number | null;
  /** Reminders by email with a payment link (true) or by post (false). */
  digitalDunning: boolean;
  /** First day the customer could be invoiced; before the window start for existing customers. */
  onboardDay: Day;
  /** Whether the onboarding (and its credit application) falls inside the ledger window. */
  onboardedInWindow: boolean;
  /** Stops buying from this day (ordinary churn). */
  churnDay: Day | null;
  /** Stops paying from this day on (goes bankrupt later). */
  distressDay: Day | null;
  /** Limit asked for at onboarding. */
  requestedLimitCents: Cents;
  /** No credit limit recorded in the ERP (cash customers, legacy records). */
  noLimit: boolean;
}

export interface LedgerWindow {
  seed: string;
  startDay: Day;
  endDay: Day;
}

/** The window of `months` months ending at `endDay` (inclusive on both ends). */
export function ledgerWindow(seed: string, months: number, endDay: Day): LedgerWindow {
  return { seed, startDay: addMonths(endDay, -months) + 1, endDay };
}

export function customerId(index: number): string {
  return `C${String(index + 1).padStart(6, '0')}`;
}

export function drawProfile(win: LedgerWindow, index: number): CustomerProfile {
  const rng = new Rng(win.seed, 'profile', index);
  const salt = hash32([win.seed, 'ids']);
  const section = drawSection(rng);
  const sizeClass = drawSize(rng, section);
  const segment = drawSegment(rng, sizeClass);
  const termsDays = section === 'O' && rng.chance(0.8) ? 30 : drawTerms(rng, segment);
  const habit = drawHabit(rng, sizeClass, section);
  const delay = drawDelay(rng, habit, sizeClass, termsDays);
  const foreign = rng.chance(0.05) ? rng.weighted(['BE', 'DE'] as const, [2, 1]) : null;
  const codes = sbiCodesBySection().get(section) ?? [];
  const sbi = codes.length > 0 ? rng.pick(codes).code : null;

  const span = win.endDay - win.startDay;
  const onboardedInWindow = rng.chance(0.22);
  const onboardDay = onboardedInWindow
    ? win.startDay + rng.int(0, Math.floor(span * 0.95))
    : win.startDay - rng.int(30, 3_650);
  const firstActive = Math.max(onboardDay, win.startDay);
  const churnDay = rng.chance(0.07) ? firstActive + rng.int(30, Math.max(31, win.endDay - firstActive)) : null;
  // distress needs some history before it and leaves time to see dunning afterwards
  const distressFrom = firstActive + 75;
  const distressTo = win.endDay - 30;
  const distressDay =
    rng.chance(distressChance(section, sizeClass)) && distressTo > distressFrom && churnDay === null
      ? rng.int(distressFrom, distressTo)
      : null;

  const invoicesPerMonth = INVOICES_PER_MONTH[sizeClass] * rng.logNormal(1, 0.35);
  const medianAmountCents = toCents(MEDIAN_AMOUNT_EUR[sizeClass] * rng.logNormal(1, 0.5));
  // a limit covering about the receivable of one payment term plus a month, in round numbers
  const exposure = invoicesPerMonth * medianAmountCents * 1.6 * (termsDays / 30 + 1);
  const requestedLimitCents = roundTo(Math.round(exposure * rng.uniform(0.9, 1.8)), exposure > 5e6 ? 500_000 : 50_000);
  const paymentRun =
    segment === 'enterprise' || (segment === 'mid_market' && rng.chance(0.4))
      ? rng.weightedIndex([3, 1, 2, 1, 3, 2]) // 0 = monthly run, 1-5 = weekly on Monday … Friday
      : null;

  return {
    index,
    customerId: customerId(index),
    name: companyName(rng, section, foreign),
    kvkNumber: foreign ? null : kvkNumber(index, salt % 90_000_000),
    vatNumber: foreign === 'BE' ? beVatNumber(rng) : foreign === 'DE' ? deVatNumber(rng) : rng.chance(0.97) ? nlVatNumber(index, salt % 100_000_000) : null,
    country: foreign ?? 'NL',
    sbiCode: foreign ? null : sbi,
    section,
    segment,
    sizeClass,
    termsDays,
    habit,
    delayMean: delay.mean,
    delaySpread: delay.spread,
    invoicesPerMonth,
    medianAmountCents,
    paymentRun,
    digitalDunning: segment === 'small_business' ? rng.chance(0.7) : rng.chance(0.4),
    onboardDay,
    onboardedInWindow,
    churnDay,
    distressDay,
    requestedLimitCents,
    noLimit: rng.chance(0.03),
  };
}

export interface DistressedCustomer {
  customer_id: string;
  name: string;
  kvk_number: string | null;
  sbi_code: string | null;
  distress_date: string;
}

export function distressRecord(p: CustomerProfile): DistressedCustomer | null {
  if (p.distressDay === null) return null;
  return { customer_id: p.customerId, name: p.name, kvk_number: p.kvkNumber, sbi_code: p.sbiCode, distress_date: isoOf(p.distressDay) };
}
