import type { ACTION_TYPES } from '../schema/tables.js';
import { businessDayOnOrAfter, type Day } from './calendar.js';
import type { Cents } from './money.js';
import type { Rng } from './random.js';

export type ActionType = (typeof ACTION_TYPES)[number];

export interface DunningStep {
  type: ActionType;
  day: Day;
  channel: string;
  /** Cost of the step given the amount still open when it is taken. */
  cost(openCents: Cents): Cents;
}

/**
 * Dutch statutory collection costs (Wet incassokosten, "WIK" staffel): 15% of the first 2,500 EUR,
 * 10% of the next 2,500, 5% of the next 5,000, 1% of the next 190,000, 0.5% above; at least 40,
 * at most 6,775 EUR. Agencies charge on this scale.
 */
export function wikCollectionCost(openCents: Cents): Cents {
  const tiers: [Cents, number][] = [
    [250_000, 0.15], [250_000, 0.1], [500_000, 0.05], [19_000_000, 0.01], [Number.POSITIVE_INFINITY, 0.005],
  ];
  let rest = openCents;
  let cost = 0;
  for (const [width, rate] of tiers) {
    const part = Math.min(rest, width);
    cost += part * rate;
    rest -= part;
    if (rest <= 0) break;
  }
  return Math.round(Math.min(677_500, Math.max(4_000, cost)));
}

/** Court fee (griffierecht for legal entities, by claim size) plus a bailiff's writ. */
export function legalCost(openCents: Cents): Cents {
  const court = openCents <= 50_000 ? 13_500 : openCents <= 1_250_000 ? 53_100 : openCents <= 10_000_000 ? 283_700 : 661_700;
  return court + 11_000;
}

/** Minimum open amount for which legal action is worth it. */
export const LEGAL_THRESHOLD_CENTS = 150_000;

/**
 * The dunning ladder for one overdue document: reminder a few days after the due date, a formal
 * dunning letter (the "14-dagenbrief" that WIK requires), a phone call, then the agency and, for larger
 * debts, legal action. Digital customers get an email reminder with a payment link first.
 */
export function dunningLadder(rng: Rng, dueDay: Day, digital: boolean): DunningStep[] {
  const at = (lo: number, hi: number) => businessDayOnOrAfter(dueDay + rng.int(lo, hi));
  const fixed = (lo: number, hi: number): ((open: Cents) => Cents) => {
    const c = rng.int(lo, hi);
    return () => c;
  };
  const steps: DunningStep[] = digital
    ? [
        { type: 'reminder', day: at(5, 8), channel: 'email', cost: fixed(10, 40) },
        { type: 'payment_link', day: at(12, 15), channel: rng.chance(0.4) ? 'whatsapp' : 'email', cost: fixed(10, 25) },
      ]
    : [{ type: 'reminder', day: at(7, 10), channel: 'post', cost: fixed(110, 195) }];
  steps.push(
    { type: 'dunning_letter', day: at(20, 25), channel: 'post', cost: fixed(450, 575) },
    { type: 'phone_call', day: at(33, 40), channel: 'phone', cost: fixed(750, 1_250) },
  );
  if (rng.chance(0.3)) steps.push({ type: 'email', day: at(50, 60), channel: 'email', cost: fixed(10, 40) });
  steps.push(
    { type: 'collection_agency', day: at(75, 90), channel: 'agency', cost: wikCollectionCost },
    { type: 'legal', day: at(120, 150), channel: 'court', cost: legalCost },
  );
  return steps;
}
