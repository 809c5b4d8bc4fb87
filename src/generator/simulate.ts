import { Rng } from './random.js';
import { addMonths, businessDayOnOrAfter, dayOfMonth, isoOf, monthOf, weekday, type Day } from './calendar.js';
import { formatCents, type Cents } from './money.js';
import { AGENCY_RECOVERY, CREDIT_NOTE_RATE, MONTH_FACTOR, PARTIAL_PAYMENT } from './behaviour.js';
import { LEGAL_THRESHOLD_CENTS, dunningLadder } from './dunning.js';
import { creditDecisionsFor } from './decisions.js';
import type { CustomerProfile, LedgerWindow } from './profiles.js';
import type { CustomerLedger, IdSequence } from './rows.js';
import { COUNTRY_OF, eurToCurrency, type FxSeries, type InvoiceCurrency } from './fx.js';
import { channelDelay, drawDispute, type Channel } from './disputes.js';

/** The company's own (reporting) currency: collection costs and most credit limits are in it. */
const CURRENCY = 'EUR';
const MAX_MONTH_FACTOR = Math.max(...MONTH_FACTOR);

/**
 * Situations of real ledgers the default ledger leaves out, each a share (0–1, default 0). With every
 * share 0 the generator draws exactly the random numbers it always did, so a seed's files stay
 * byte-identical.
 */
export interface LedgerSituations {
  /**
   * Share of invoices that end with a credit balance: credited by more than their amount, corrected
   * by a credit note that names no invoice (as Exact, AFAS, SAP and Twinfield exports do), or overpaid
   * with the whole receipt allocated to the invoice.
   */
  creditBalances?: number;
  /** Share of written-off invoices of which part is recovered later (issue 11, recoveries). */
  recoveries?: number;
  /**
   * Share of customers (foreign ones: US, GB, SE, CH) invoiced and paying in USD, GBP, SEK or CHF,
   * at the generated ECB rates (fx.ts). Drawn from a stream of its own, so only their amounts change.
   */
  currencies?: number;
  /**
   * Share of invoices the customer disputes (price, quantity, quality, delivery, missing PO,
   * duplicate): dunning pauses while it is open, payment waits for the resolution, which may bring a
   * credit note (full or partial) or a write-off. Drawn from a stream of its own.
   */
  disputes?: number;
  /**
   * Share of each customer's payments made by another customer (the one generated before it, as a
   * parent company, factor or debt collector would): applied to the customer's own invoices, any
   * unapplied rest the payer's (third-party.ts). Applied by generate.ts, which knows the other customer.
   */
  thirdPartyPayments?: number;
}

/** A foreign-currency customer's currency and the rates its amounts are converted at. */
export interface CustomerMoney {
  currency: InvoiceCurrency;
  fx: FxSeries;
}

interface PayEvent {
  docId: string;
  /** Order of the document within the customer, to keep payment lines in document order. */
  docSeq: number;
  day: Day;
  cents: Cents;
}

/** Next day on/after `day` on which the customer's payment run happens (weekly weekday or monthly on the 25th). */
function paymentRunDay(day: Day, run: number | null): Day {
  if (run === null) return businessDayOnOrAfter(day);
  if (run === 0) {
    const dom = dayOfMonth(day);
    const the25th = day + 25 - dom;
    return businessDayOnOrAfter(dom <= 25 ? the25th : addMonths(the25th, 1));
  }
  return day + ((run - weekday(day) + 7) % 7);
}

/** Last payment-run day on/before `day`, or null for customers without runs. */
function paymentRunBefore(day: Day, run: number | null): Day | null {
  if (run === null) return null;
  if (run === 0) {
    const dom = dayOfMonth(day);
    const the25th = day + 25 - dom;
    const d = dom >= 25 ? the25th : addMonths(the25th, -1);
    // the run itself moves to Monday when the 25th is in a weekend
    return businessDayOnOrAfter(d) <= day ? businessDayOnOrAfter(d) : d - (weekday(d) === 6 ? 1 : 2);
  }
  return day - ((weekday(day) - run + 7) % 7);
}

function sum(events: readonly PayEvent[], upTo = Number.POSITIVE_INFINITY): Cents {
  let s = 0;
  for (const e of events) if (e.day <= upTo) s += e.cents;
  return s;
}

/**
 * Simulates one customer over the window: invoices as a seasonal Poisson process, credit notes,
 * payments per habit (partial, batched in payment runs, early/late), dunning while an item is overdue,
 * agency recovery, write-offs after long delinquency, unapplied cash and credit decisions.
 * Nothing dated after the window's end is emitted; what is unpaid then stays open.
 */
export function simulateCustomer(
  p: CustomerProfile, win: LedgerWindow, ids: IdSequence, situations: LedgerSituations = {}, money: CustomerMoney | null = null,
  channel: Channel | null = null,
): CustomerLedger {
  const rng = new Rng(win.seed, 'ledger', p.index);
  const disputeShare = situations.disputes ?? 0;
  const disputeRng = disputeShare > 0 ? new Rng(win.seed, 'disputes', p.index) : null;
  const channelRng = channel ? new Rng(win.seed, 'channel-delay', p.index) : null;
  // documents and payments are in the customer's currency; costs stay in euros
  const docCurrency = money?.currency ?? CURRENCY;
  const inEuro = (cents: Cents, day: Day): Cents => (money ? Math.round(cents / money.fx.rateOn(money.currency, day)) : cents);
  const creditBalances = situations.creditBalances ?? 0;
  const recoveries = situations.recoveries ?? 0;
  const end = win.endDay;
  const ledger: CustomerLedger = {
    customer: undefined as never,
    invoices: [],
    payments: [],
    allocations: [],
    writeOffs: [],
    actions: [],
    decisions: [],
    disputes: [],
  };
  const events: PayEvent[] = [];
  const firstDay = Math.max(p.onboardDay, win.startDay);
  let lastDay = end;
  if (p.churnDay !== null) lastDay = Math.min(lastDay, p.churnDay);
  // after it stops paying, deliveries go on for a few weeks until the credit hold
  if (p.distressDay !== null) lastDay = Math.min(lastDay, p.distressDay + rng.int(10, 45));
  // a customer that never pays is blocked once the first items reach the agency
  if (p.habit === 'never') lastDay = Math.min(lastDay, firstDay + rng.int(60, 150));

  const meanGap = 30.44 / (p.invoicesPerMonth * MAX_MONTH_FACTOR);
  let docSeq = 0;
  for (let t = firstDay + rng.exponential(meanGap); t <= lastDay; t += rng.exponential(meanGap)) {
    const day = businessDayOnOrAfter(Math.floor(t));
    if (day > lastDay) continue;
    if (!rng.chance((MONTH_FACTOR[monthOf(day) - 1] as number) / MAX_MONTH_FACTOR)) continue;
    invoice(day, docSeq++);
  }

  function invoice(day: Day, seq: number): void {
    const euros = Math.max(500, Math.round(rng.logNormal(p.medianAmountCents, 0.8)));
    const amount = money ? Math.max(500, eurToCurrency(euros, money.fx.rateOn(money.currency, day))) : euros;
    const due = day + p.termsDays;
    const docId = ids.take('INV');
    const delivery = channel ? { delivery_channel: channel } : {};
    ledger.invoices.push({
      document_id: docId, customer_id: p.customerId, document_type: 'invoice', invoice_date: isoOf(day),
      due_date: isoOf(due), currency: docCurrency, amount: formatCents(amount), ...delivery,
    });
    const dispute = disputeRng ? drawDispute(disputeRng, disputeShare, day, due, amount) : null;
    let owed = amount;
    let notBefore = day + 1;
    // Drawn only when the option is on, so the default ledger's random stream is unchanged.
    const situation = creditBalances > 0 && rng.chance(creditBalances) ? (['over_credit', 'unlinked_credit', 'overpaid'] as const)[rng.int(0, 2)] : null;
    if (rng.chance(CREDIT_NOTE_RATE) || situation === 'over_credit' || situation === 'unlinked_credit') {
      const cnDay = businessDayOnOrAfter(day + rng.int(2, 35));
      if (cnDay <= end) {
        let credit = rng.chance(0.3) ? amount : Math.max(1, Math.round(amount * rng.uniform(0.05, 0.5)));
        // credited twice over, or a price correction larger than the invoice: the customer is owed the rest
        if (situation === 'over_credit') credit = amount + Math.max(100, Math.round(amount * rng.uniform(0.05, 0.4)));
        ledger.invoices.push({
          document_id: ids.take('CN'), customer_id: p.customerId, document_type: 'credit_note',
          invoice_date: isoOf(cnDay), due_date: isoOf(cnDay), currency: docCurrency, amount: formatCents(-credit), ...delivery,
          // an ERP that books the credit note on the debtor, not against the invoice
          ...(situation === 'unlinked_credit' ? {} : { corrects_document_id: docId }),
        });
        // the customer deducts an unlinked credit from what it pays, so the invoice stays partly open
        if (situation !== 'unlinked_credit') owed -= credit;
        else owed = Math.max(0, owed - credit);
        // a disputed invoice is paid only once the correction has arrived
        notBefore = cnDay + 1;
        if (owed <= 0) return;
      }
    }

    if (dispute) {
      if (dispute.opened <= end) {
        const resolved = dispute.resolved <= end;
        ledger.disputes.push({
          dispute_id: ids.take('DSP'), document_id: docId, customer_id: p.customerId, opened_date: isoOf(dispute.opened),
          ...(resolved ? { resolved_date: isoOf(dispute.resolved), outcome: dispute.outcome } : {}),
          reason: dispute.reason, disputed_amount: formatCents(dispute.disputed),
        });
      }
      // the resolution: a credit note for the agreed part, or the rest written off
      const credit = Math.min(dispute.credit, owed);
      if (credit > 0) {
        if (dispute.resolved <= end) {
          ledger.invoices.push({
            document_id: ids.take('CN'), customer_id: p.customerId, document_type: 'credit_note', invoice_date: isoOf(dispute.resolved),
            due_date: isoOf(dispute.resolved), currency: docCurrency, amount: formatCents(-credit), corrects_document_id: docId, ...delivery,
          });
        }
        owed -= credit;
        if (owed <= 0) return;
      }
      if (dispute.outcome === 'written_off') {
        if (dispute.resolved <= end && owed > 0) {
          ledger.writeOffs.push({ document_id: docId, customer_id: p.customerId, write_off_date: isoOf(dispute.resolved), amount: formatCents(owed), reason: 'dispute' });
        }
        return;
      }
      // nothing is paid before the dispute is settled
      notBefore = Math.max(notBefore, dispute.resolved + 1);
    }

    let plan: PayEvent[] = [];
    let disputedRest = false;
    if (p.habit !== 'never') {
      const slip = rng.chance(0.04) ? rng.int(5, 40) : 0; // even good payers miss one now and then
      const channelShift = channel && channelRng ? channelDelay(channelRng, channel) : 0;
      let payDay = due + Math.round(p.delayMean + rng.normal() * p.delaySpread) + slip + channelShift;
      payDay = Math.max(payDay, notBefore + rng.int(0, 3));
      // punctual payers schedule the item in the last run before the intended day, the others in the next
      const earlier = p.habit === 'early' || p.habit === 'on_time' ? paymentRunBefore(payDay, p.paymentRun) : null;
      payDay = earlier !== null && earlier >= notBefore ? earlier : paymentRunDay(payDay, p.paymentRun);
      if (owed >= 2_000 && rng.chance(PARTIAL_PAYMENT[p.habit])) {
        const first = Math.round(owed * rng.uniform(0.3, 0.8));
        plan.push({ docId, docSeq: seq, day: payDay, cents: first });
        if (rng.chance(0.75)) {
          plan.push({ docId, docSeq: seq, day: paymentRunDay(payDay + rng.int(14, 60), p.paymentRun), cents: owed - first });
        } else disputedRest = true;
      } else plan.push({ docId, docSeq: seq, day: payDay, cents: owed });
    }
    if (p.distressDay !== null) {
      const stop = p.distressDay;
      plan = plan.filter((e) => e.day < stop);
    }

    // dunning runs while the item is open at the step's date
    if (sum(plan, due + 4) < owed) {
      for (const step of dunningLadder(rng, due, p.digitalDunning)) {
        if (step.day > end) break;
        // dunning is on hold while the invoice is disputed
        if (dispute && step.day >= dispute.opened && step.day <= dispute.resolved) continue;
        const open = owed - sum(plan, step.day);
        if (open <= 0) break;
        if (step.type === 'legal' && inEuro(open, step.day) < LEGAL_THRESHOLD_CENTS) break;
        ledger.actions.push({
          action_id: ids.take('ACT'), customer_id: p.customerId, document_id: docId, action_date: isoOf(step.day),
          action_type: step.type, channel: step.channel, cost: formatCents(step.cost(inEuro(open, step.day))),
        });
        const paysLater = plan.some((e) => e.day > step.day);
        if (step.type === 'collection_agency' && !paysLater && p.distressDay === null && rng.chance(AGENCY_RECOVERY[p.habit])) {
          const d1 = businessDayOnOrAfter(step.day + rng.int(10, 60));
          if (rng.chance(0.3) && open >= 2) {
            const half = Math.floor(open / 2);
            plan.push({ docId, docSeq: seq, day: d1, cents: half });
            plan.push({ docId, docSeq: seq, day: businessDayOnOrAfter(d1 + rng.int(25, 40)), cents: open - half });
          } else plan.push({ docId, docSeq: seq, day: d1, cents: open });
        }
      }
    }

    // what is still unpaid long after the due date is written off; later receipts are then moot
    if (sum(plan) < owed) {
      const wDay = businessDayOnOrAfter(due + rng.int(181, 300));
      if (wDay <= end) {
        plan = plan.filter((e) => e.day <= wDay);
        const open = owed - sum(plan);
        if (open > 0) {
          const reason = p.distressDay !== null ? 'bankruptcy' : disputedRest ? 'dispute' : 'uncollectable';
          ledger.writeOffs.push({
            document_id: docId, customer_id: p.customerId, write_off_date: isoOf(wDay), amount: formatCents(open), reason,
          });
          // part of it comes in later (a settlement with the curator, the agency's late success)
          if (recoveries > 0 && rng.chance(recoveries)) {
            const rDay = businessDayOnOrAfter(wDay + rng.int(20, 200));
            const back = Math.max(1, Math.round(open * rng.uniform(0.2, 1)));
            if (rDay <= end) {
              // booked as a negative write-off first, or only as cash allocated to the written-off invoice
              if (rng.chance(0.5)) {
                ledger.writeOffs.push({
                  document_id: docId, customer_id: p.customerId, write_off_date: isoOf(rDay), amount: formatCents(-back), reason: 'recovery',
                });
              }
              plan.push({ docId, docSeq: seq, day: rDay, cents: back });
            }
          }
        }
      }
    }
    // paid more than owed (a rounded-up or doubled transfer) and all of it allocated to the invoice
    if (situation === 'overpaid' && plan.length > 0 && sum(plan) === owed) {
      const last = plan[plan.length - 1]!;
      plan[plan.length - 1] = { ...last, cents: last.cents + Math.max(100, Math.round(owed * rng.uniform(0.01, 0.2))) };
    }
    for (const e of plan) if (e.day <= end) events.push(e);
  }

  receipts(events);
  const limit = creditDecisionsFor(p, win, rng, ids, ledger.decisions);
  // a customer abroad has no KvK number or SBI code (its Dutch credit report does not match it)
  const abroad = money ? COUNTRY_OF[money.currency] : null;
  // every other customer abroad has its limit kept in its own currency (converted at the window end's
  // rate), the others in euros, as ERPs differ: the marts must read the limit's currency, not the invoices'
  const limitAbroad = money !== null && !p.noLimit && p.index % 2 === 0;
  ledger.customer = {
    customer_id: p.customerId, name: abroad ? foreignName(p.name, abroad) : p.name, kvk_number: abroad ? null : p.kvkNumber, vat_number: abroad ? null : p.vatNumber,
    country: abroad ?? p.country, sbi_code: abroad ? null : p.sbiCode, segment: p.segment, size_class: p.sizeClass,
    credit_limit: p.noLimit ? null : formatCents(limitAbroad ? eurToCurrency(limit, money.fx.rateOn(money.currency, end)) : limit),
    currency: limitAbroad ? money.currency : CURRENCY, payment_terms_days: p.termsDays,
    account_manager: accountManagerOf(p.customerId),
  };
  return ledger;

  /** Turns payment events into bank receipts: batched per payment run, with unapplied cash. */
  function receipts(all: PayEvent[]): void {
    all.sort((a, b) => a.day - b.day || a.docSeq - b.docSeq);
    let i = 0;
    while (i < all.length) {
      let j = i + 1;
      if (p.paymentRun !== null) while (j < all.length && all[j]!.day === all[i]!.day) j++;
      const group = all.slice(i, j);
      i = j;
      const day = group[0]!.day;
      const lines = new Map<string, Cents>();
      for (const e of group) lines.set(e.docId, (lines.get(e.docId) ?? 0) + e.cents);
      let amount = sum(group);
      // overpayments and rounding-up leave part of a receipt unapplied
      if (rng.chance(0.01)) amount += rng.int(1, 2_500);
      const paymentId = ids.take('PAY');
      ledger.payments.push({ payment_id: paymentId, customer_id: p.customerId, payment_date: isoOf(day), amount: formatCents(amount), currency: docCurrency });
      // receipts of the last days are often not matched yet at the export date
      const matched = !(day > end - 4 && rng.chance(0.3));
      if (matched) {
        for (const [docId, cents] of lines) ledger.allocations.push({ payment_id: paymentId, document_id: docId, amount: formatCents(cents) });
      }
      // an invoice paid twice: the second receipt stays unapplied until refunded
      if (rng.chance(0.003)) {
        const dup = businessDayOnOrAfter(day + rng.int(1, 10));
        if (dup <= end) {
          ledger.payments.push({ payment_id: ids.take('PAY'), customer_id: p.customerId, payment_date: isoOf(dup), amount: formatCents(sum(group)), currency: docCurrency });
        }
      }
    }
  }
}

/** The Dutch legal form of a drawn name swapped for the country's (Ltd, Inc., AB, AG). */
const LEGAL_FORM: Record<string, string> = { GB: 'Ltd', US: 'Inc.', SE: 'AB', CH: 'AG' };
function foreignName(name: string, country: string): string {
  const bare = name.replace(/ (Holding B\.V\.|B\.V\.|V\.O\.F\.|N\.V\.)$/, '');
  return `${bare} ${LEGAL_FORM[country] ?? ''}`.trim();
}

/** Collectors the generated customers are divided among (by customer number, not drawn: the random stream is unchanged). */
const ACCOUNT_MANAGERS = ['Anouk de Vries', 'Bram Jansen', 'Fatima El Amrani', 'Pieter Bakker'];
function accountManagerOf(customerId: string): string {
  const n = Number(customerId.replace(/\D/g, '')) || 0;
  return ACCOUNT_MANAGERS[n % ACCOUNT_MANAGERS.length]!;
}
