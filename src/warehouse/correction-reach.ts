import type { PartitionReach } from './partitions.js';

/**
 * int_ar_documents per document (partitions.ts, PartitionReach): a document's row is its own
 * int_invoices row with the item it belongs to, which is the document it corrects when that one is
 * known and corrects nothing itself (else its own id). So a document's row reads two int_invoices
 * rows: its own and the one its corrects_document_id names. A changed row of document X can then
 * affect X and every document correcting X (whose corrects_document_id is X): a credit note whose
 * invoice arrives, is re-exported as a correction itself or is retired changes item. A correcting
 * document's own corrects_document_id is in its own row, so when it changes the document is affected
 * through its own key; when it does not, it is the same in either world. Pure SQL builders.
 */
const INVOICES = 'int_invoices';

export const correctionReach: PartitionReach = {
  keys(input, rows, rel) {
    if (input !== INVOICES) throw new Error(`int_ar_documents: no reach for input ${input}`);
    return (
      `SELECT document_id AS k FROM ${rows} ` +
      `UNION ALL SELECT c.document_id AS k FROM ${rel(INVOICES)} c WHERE c.corrects_document_id IN (SELECT document_id FROM ${rows})`
    );
  },
  filter(input, inA, rel) {
    if (input !== INVOICES) throw new Error(`int_ar_documents: no reach for input ${input}`);
    // The documents of A and the documents they correct (rows given for those are incomplete: dropped).
    return (
      `SELECT * FROM ${rel(INVOICES)} WHERE ${inA('document_id')} ` +
      `OR document_id IN (SELECT corrects_document_id FROM ${rel(INVOICES)} WHERE ${inA('document_id')})`
    );
  },
};
