import { Rng, hash32 } from '../random.js';
import { addMonths, type Day } from '../calendar.js';
import { companyName, kvkNumber, nlVatNumber } from '../company.js';
import { drawHabit, drawSection, drawSize, type Habit, type SizeClass } from '../behaviour.js';
import { sbiCodesBySection, type SbiSection } from '../sbi-codes.js';
import type { CustomerProfile, LedgerWindow } from '../profiles.js';
import { cbsRelativeRates } from './hazard.js';

/**
 * The companies a credit manager monitors with credit reports: every customer of the ledger, plus
 * prospects that were checked but never became customers. Each carries what the report simulation
 * needs (latent payment habit, when monitoring starts and ends, whether and when it fails).
 */
export interface MonitoredCompany {
  kind: 'customer' | 'prospect';
  index: number;
  customerId: string | null;
  name: string;
  kvk: string | null;
  vat: string | null;
  country: string;
  sbiCode: string | null;
  section: SbiSection;
  sizeClass: SizeClass;
  segment: string | null;
  habit: Habit;
  /** First and last day a report may be dated. */
  monitorFrom: Day;
  monitorTo: Day;
  /** Stops paying (customers, from the ledger) or starts failing (prospects). */
  distressDay: Day | null;
}

/** Prospects per customer: companies checked by sales that never became a customer. */
export const PROSPECT_RATIO = 0.6;
/** Yearly bankruptcy hazard of a prospect before the section factor (CBS-relative) and size. */
const PROSPECT_BASE_HAZARD = 0.02;
const SIZE_HAZARD: Record<SizeClass, number> = { micro: 1.2, small: 1, medium: 0.6, large: 0.3 };

export function fromCustomer(p: CustomerProfile, win: LedgerWindow): MonitoredCompany {
  // Checked two weeks before onboarding (the acceptance report); churned customers are dropped
  // from monitoring a quarter after they leave.
  const monitorFrom = Math.max(win.startDay, p.onboardDay - 14);
  const monitorTo = p.churnDay !== null ? Math.min(win.endDay, p.churnDay + 90) : win.endDay;
  return {
    kind: 'customer',
    index: p.index,
    customerId: p.customerId,
    name: p.name,
    kvk: p.kvkNumber,
    vat: p.vatNumber,
    country: p.country,
    sbiCode: p.sbiCode,
    section: p.section,
    sizeClass: p.sizeClass,
    segment: p.segment,
    habit: p.habit,
    monitorFrom,
    monitorTo,
    distressDay: p.distressDay,
  };
}

/**
 * Prospect `j` of a ledger. Identifiers come from the same bijections as the customers' at indexes
 * after them, so they never collide with a customer's.
 */
export function drawProspect(win: LedgerWindow, customers: number, j: number): MonitoredCompany {
  const rng = new Rng(win.seed, 'prospect', j);
  const index = customers + j;
  const section = drawSection(rng);
  const sizeClass = drawSize(rng, section);
  const habit = drawHabit(rng, sizeClass, section);
  const codes = sbiCodesBySection().get(section) ?? [];
  const span = win.endDay - win.startDay;
  const monitorFrom = win.startDay + rng.int(0, Math.floor(span * 0.8));
  // Sales keeps watching a prospect for half a year to two years.
  const monitorTo = Math.min(win.endDay, addMonths(monitorFrom, rng.int(6, 24)));
  const years = (monitorTo - monitorFrom) / 365.25;
  const hazard = PROSPECT_BASE_HAZARD * (cbsRelativeRates().get(section) ?? 1) * SIZE_HAZARD[sizeClass];
  const fails = monitorTo - monitorFrom > 120 && rng.chance(1 - Math.exp(-hazard * years));
  return {
    kind: 'prospect',
    index,
    customerId: null,
    name: companyName(rng, section, null),
    kvk: kvkNumber(index, hash32([win.seed, 'ids']) % 90_000_000),
    vat: rng.chance(0.9) ? nlVatNumber(index, hash32([win.seed, 'ids']) % 100_000_000) : null,
    country: 'NL',
    sbiCode: codes.length > 0 ? rng.pick(codes).code : null,
    section,
    sizeClass,
    segment: null,
    habit,
    monitorFrom,
    monitorTo,
    distressDay: fails ? rng.int(monitorFrom + 60, monitorTo - 30) : null,
  };
}
