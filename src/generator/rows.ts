import type { z } from 'zod';
import type {
  collectionActions, creditDecisions, customers, disputes, invoices, paymentAllocations, payments, writeOffs,
} from '../schema/tables.js';

/** Generated rows are typed by the canonical zod schemas: a column added there shows up here. */
export type CustomerRow = z.input<typeof customers.schema>;
export type InvoiceRow = z.input<typeof invoices.schema>;
export type PaymentRow = z.input<typeof payments.schema>;
export type AllocationRow = z.input<typeof paymentAllocations.schema>;
export type WriteOffRow = z.input<typeof writeOffs.schema>;
export type ActionRow = z.input<typeof collectionActions.schema>;
export type DecisionRow = z.input<typeof creditDecisions.schema>;
export type DisputeRow = z.input<typeof disputes.schema>;

/** Everything the ledger holds about one customer; written out before the next customer is simulated. */
export interface CustomerLedger {
  customer: CustomerRow;
  invoices: InvoiceRow[];
  payments: PaymentRow[];
  allocations: AllocationRow[];
  writeOffs: WriteOffRow[];
  actions: ActionRow[];
  decisions: DecisionRow[];
  /** Written only with the disputes option. */
  disputes: DisputeRow[];
}

/** Sequential document numbers across the whole ledger, like an ERP's number ranges. */
export class IdSequence {
  private readonly next = { INV: 0, CN: 0, PAY: 0, ACT: 0, CD: 0, DSP: 0 };

  take(kind: keyof IdSequence['next']): string {
    const n = ++this.next[kind];
    return `${kind}${String(n).padStart(kind === 'CD' || kind === 'CN' || kind === 'DSP' ? 7 : 9, '0')}`;
  }
}
