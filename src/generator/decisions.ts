import { Rng } from './random.js';
import { businessDayOnOrAfter, isoOf } from './calendar.js';
import { formatCents, roundTo, toCents, type Cents } from './money.js';
import { companyName } from './company.js';
import { drawSection } from './behaviour.js';
import type { CustomerProfile, LedgerWindow } from './profiles.js';
import type { DecisionRow, IdSequence } from './rows.js';

const step = (cents: Cents): Cents => (cents > 5_000_000 ? 500_000 : 50_000);

/** A round limit near `target` that is strictly below `requested` (a "limited" outcome grants less). */
function limitedTo(requested: Cents, target: Cents): Cents {
  let g = roundTo(target, step(requested));
  if (g >= requested) g = requested - step(requested);
  if (g <= 0) g = Math.max(100, Math.floor(requested / 20_000) * 10_000);
  return g;
}

/**
 * The credit application when a customer is onboarded inside the window, then roughly yearly limit
 * reviews; bad payers and customers heading for distress get refusals and cuts. Returns the limit in
 * force at the end of the window.
 */
export function creditDecisionsFor(p: CustomerProfile, win: LedgerWindow, rng: Rng, ids: IdSequence, out: DecisionRow[]): Cents {
  let limit = p.requestedLimitCents;
  const push = (day: number, decision: DecisionRow['decision'], requested: Cents, granted: Cents) =>
    out.push({
      decision_id: ids.take('CD'), customer_id: p.customerId, decision_date: isoOf(day), decision,
      requested_limit: formatCents(requested), granted_limit: formatCents(granted),
    });

  if (p.onboardedInWindow) {
    const day = Math.max(win.startDay, businessDayOnOrAfter(p.onboardDay - rng.int(1, 14)));
    const risky = p.section === 'F' || p.section === 'I' || p.sizeClass === 'micro';
    if (rng.chance(risky ? 0.4 : 0.2)) {
      limit = limitedTo(p.requestedLimitCents, Math.round(p.requestedLimitCents * rng.uniform(0.3, 0.7)));
      push(day, 'limited', p.requestedLimitCents, limit);
    } else push(day, 'accepted', p.requestedLimitCents, limit);
  }

  const stop = Math.min(win.endDay, p.churnDay ?? win.endDay);
  for (let r = Math.max(p.onboardDay, win.startDay) + rng.int(120, 400); r <= stop; r += rng.int(300, 420)) {
    if (!rng.chance(0.45)) continue;
    const day = businessDayOnOrAfter(r);
    if (day > stop) break;
    const requested = roundTo(Math.round(limit * rng.uniform(1.2, 2)), step(limit));
    const troubled =
      p.habit === 'chronic_late' || p.habit === 'never' || (p.distressDay !== null && day >= p.distressDay - 60);
    const decision = rng.weighted(['accepted', 'limited', 'refused'] as const, troubled ? [10, 35, 55] : [70, 22, 8]);
    if (decision === 'refused') {
      push(day, decision, requested, 0);
      continue;
    }
    limit = decision === 'accepted' ? requested : limitedTo(requested, Math.round(limit + (requested - limit) * rng.uniform(0.2, 0.6)));
    push(day, decision, requested, limit);
  }
  return limit;
}

/** Share of applicants (relative to the number of customers) that never became a customer. */
export const APPLICANT_RATIO = 0.12;

/** An application from a company that never became a customer: mostly refused, some did not take the offer. */
export function applicantDecision(win: LedgerWindow, index: number, ids: IdSequence): DecisionRow {
  const rng = new Rng(win.seed, 'applicant', index);
  const section = drawSection(rng);
  const requested = roundTo(toCents(rng.logNormal(15_000, 1.1)), 50_000);
  const decision = rng.weighted(['refused', 'limited', 'accepted'] as const, [70, 18, 12]);
  const granted = decision === 'refused' ? 0 : decision === 'accepted' ? requested : limitedTo(requested, Math.round(requested * rng.uniform(0.2, 0.6)));
  return {
    decision_id: ids.take('CD'), customer_id: null, applicant: companyName(rng, section, null),
    decision_date: isoOf(businessDayOnOrAfter(win.startDay + rng.int(0, win.endDay - win.startDay - 3))),
    decision, requested_limit: formatCents(requested), granted_limit: formatCents(granted),
  };
}
