import { Rng } from './random.js';
import type { CustomerLedger } from './rows.js';

/**
 * Payments made by a third party (generate --third-party-payments): a parent company paying its
 * subsidiary's invoices, a factor or a debt collector paying on behalf of the debtor. The payer
 * (payments.customer_id) of a share of a customer's payments becomes another customer; the
 * allocations stay on the customer's own documents, so what such a payment applies is the invoice
 * customer's cash and any unapplied rest (a receipt not matched yet, a double payment) the payer's
 * unapplied cash. Drawn from a stream of its own, so nothing else in the ledger changes.
 */
export function payByThirdParty(ledger: CustomerLedger, payerId: string, share: number, seed: string, index: number): number {
  const rng = new Rng(seed, 'third-party', index);
  let moved = 0;
  for (const p of ledger.payments) {
    if (!rng.chance(share)) continue;
    p.customer_id = payerId;
    moved++;
  }
  return moved;
}
