/**
 * Customer disputes and invoice delivery channels for the generated ledger (issue 11). Each draws from
 * a stream of its own (seed + purpose + customer), so without the options the ledger draws exactly
 * the random numbers it always did.
 */
import { Rng } from './random.js';
import { businessDayOnOrAfter, type Day } from './calendar.js';
import type { Cents } from './money.js';
import type { CustomerProfile } from './profiles.js';

export const DISPUTE_REASONS = ['price', 'quantity', 'quality', 'delivery', 'missing_po', 'duplicate'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];
/** Order-to-cash errors behind B2B disputes: pricing most often, then quantities and quality. */
const REASON_WEIGHTS = [30, 20, 18, 14, 12, 6];
/** Median days from opening to resolution: a price correction is quick, a quality claim is not. */
const MEDIAN_DAYS: Record<DisputeReason, number> = { price: 14, quantity: 18, quality: 35, delivery: 21, missing_po: 9, duplicate: 7 };
type Outcome = 'paid' | 'credited' | 'partially_credited' | 'written_off' | 'withdrawn';
const OUTCOMES: readonly Outcome[] = ['paid', 'credited', 'partially_credited', 'written_off', 'withdrawn'];
/** Outcome weights per reason (paid, credited, partially credited, written off, withdrawn). */
const OUTCOME_WEIGHTS: Record<DisputeReason, number[]> = {
  price: [15, 20, 55, 2, 8],
  quantity: [15, 15, 60, 2, 8],
  quality: [20, 15, 45, 10, 10],
  delivery: [55, 10, 10, 5, 20],
  missing_po: [80, 0, 0, 0, 20],
  duplicate: [0, 95, 0, 0, 5],
};

export interface DrawnDispute {
  reason: DisputeReason;
  opened: Day;
  resolved: Day;
  outcome: Outcome;
  /** In the invoice's currency. */
  disputed: Cents;
  /** Credit note the resolution brings (0 when none), in the invoice's currency. */
  credit: Cents;
}

/** Whether an invoice is disputed and how it goes; null for most. */
export function drawDispute(rng: Rng, share: number, invoiceDay: Day, due: Day, amount: Cents): DrawnDispute | null {
  if (!rng.chance(share)) return null;
  const reason = DISPUTE_REASONS[rng.weightedIndex(REASON_WEIGHTS)]!;
  // raised when the invoice is checked, or when the first reminder arrives
  const opened = businessDayOnOrAfter(rng.chance(0.7) ? invoiceDay + rng.int(2, 15) : due + rng.int(3, 12));
  const resolved = businessDayOnOrAfter(opened + Math.max(1, Math.round(rng.logNormal(MEDIAN_DAYS[reason], 0.7))));
  const outcome = OUTCOMES[rng.weightedIndex(OUTCOME_WEIGHTS[reason])]!;
  const partial = reason === 'price' || reason === 'quantity' || reason === 'quality';
  const disputed = partial ? Math.max(1, Math.round(amount * rng.uniform(0.1, 0.6))) : amount;
  const credit = outcome === 'credited' ? disputed : outcome === 'partially_credited' ? Math.max(1, Math.round(disputed * rng.uniform(0.3, 0.9))) : 0;
  return { reason, opened, resolved, outcome, disputed, credit };
}

export const CHANNELS = ['paper', 'email', 'e-invoice', 'portal'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * How a customer receives its invoices: large customers take e-invoices (Peppol) or a supplier
 * portal, small ones still ask for paper; email PDF is the common case.
 */
export function drawChannel(seed: string, p: CustomerProfile): Channel {
  const rng = new Rng(seed, 'channel', p.index);
  const weights =
    p.segment === 'enterprise' ? [4, 36, 40, 20] : p.segment === 'mid_market' ? [10, 55, 28, 7] : [22, 63, 13, 2];
  return CHANNELS[rng.weightedIndex(weights)]!;
}

/**
 * Days a payment moves by the channel, per invoice: paper arrives days later by post and is booked
 * by hand (now and then lost and re-sent), an e-invoice goes straight into the customer's approval
 * flow, a portal upload a little faster than email.
 */
export function channelDelay(rng: Rng, channel: Channel): number {
  switch (channel) {
    case 'paper':
      return rng.int(3, 8) + (rng.chance(0.08) ? rng.int(14, 35) : 0);
    case 'e-invoice':
      return -rng.int(3, 7);
    case 'portal':
      return -rng.int(1, 3);
    default:
      return 0;
  }
}
