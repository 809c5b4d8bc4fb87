import { allocation, customer, invoice, payment } from './warehouse.js';
import { writeOff } from './kpi-ledger.js';
import type { FixtureLedger } from './lake-fixture.js';

/*
 * Two customers (smb C1, ent C2 in Belgium), hand-computed:
 *   I1  C1 Wed 2024-01-03  invoice 1,000   CN1 −200 corrects I1 on 2024-01-10
 *   I2  C2 Mon 2024-01-08  invoice 2,500
 *   P1  C1 Sun 2024-01-14  300 → I1        P2 C2 Mon 2024-02-05  2,600 → I2 2,500, 100 unapplied
 *   W1  I1 written off Thu 2024-02-29  500 (what is left of it)
 *   I3  C1 Mon 2024-12-30  invoice 100 — ISO week 1 of 2025
 * January: cash 300, invoiced 3,500, credit notes −200, credit sales 3,300, net change 3,000, AR 0 → 3,000.
 * February: cash 2,600, written off 500, net change −3,100, AR 3,000 → −100 (the unapplied cash).
 */
export const cashFlowLedger: FixtureLedger = {
  customers: [customer('C1', 'smb'), customer('C2', 'ent', { country: 'BE' })],
  invoices: [
    invoice('I1', 'C1', '2024-01-03', '2024-02-02', '1000.00'),
    invoice('I2', 'C2', '2024-01-08', '2024-02-07', '2500.00'),
    invoice('CN1', 'C1', '2024-01-10', '2024-01-10', '-200.00', { corrects_document_id: 'I1' }),
    invoice('I3', 'C1', '2024-12-30', '2025-01-29', '100.00'),
  ],
  payments: [payment('P1', 'C1', '2024-01-14', '300.00'), payment('P2', 'C2', '2024-02-05', '2600.00')],
  payment_allocations: [allocation('P1', 'I1', '300.00'), allocation('P2', 'I2', '2500.00')],
  write_offs: [writeOff('I1', 'C1', '2024-02-29', '500.00')],
};
