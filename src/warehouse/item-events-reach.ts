import type { PartitionReach } from './partitions.js';

/**
 * Which customers a row of an input of int_ar_item_events can affect, and which input rows the model
 * needs to compute the events of some customers (partitions.ts, PartitionReach). Pure SQL builders.
 *
 * int_ar_item_events gives two kinds of rows. Document side: every event of an AR item (an invoice or
 * credit note with the documents correcting it), carrying the item head's customer; it reads the
 * item's documents, the allocations to any of them with their payments (dates and ids), the item's
 * write-offs and snapshot settlements. Payment side: a payment's receipt and its applications,
 * carrying the payer's customer; an application reads the document it applies to and that
 * document's item head (item id, dates, settled date). Payments are matched to documents across
 * customers (a payer settling another customer's invoice, bank matching), so a customer's rows can
 * depend on another customer's documents and payments. Hence, per item I, the customers K(I) its
 * rows reach: the head's customer and every customer paying any document of I. A row can affect:
 *   a document: K(its item), and its own customer (kept for safety: harmless);
 *   an allocation: its payment's customer and K(the item of its document);
 *   a payment: its customer and K(each item it is allocated to);
 *   a write-off or snapshot settlement: K(the item of its document).
 * Each in the world the row belongs to (an old row through the old inputs, a new one through the
 * new), so a row that moved (a document to another item, a payment to another customer) names both.
 *
 * To compute the rows of customers A it reads: the documents of every item T whose K meets A (items
 * headed by a customer of A or paid by one), the allocations to those documents, the payments of A
 * and of those allocations, and those documents' write-offs and snapshot settlements. That is every
 * row an item of T or a payment of A reads (a payment of A applies only to documents of T items);
 * rows of customers outside A that it also gives are incomplete and dropped (only A's are kept).
 */
const DOCS = 'int_ar_documents';
const PAYMENTS = 'int_payments';
const ALLOCATIONS = 'int_payment_allocations';

/** (i = item id, k = customer) for every customer an item's rows reach, in one world. */
function itemCustomers(rel: (r: string) => string): string {
  return (
    `SELECT item_id AS i, customer_id AS k FROM ${rel(DOCS)} WHERE document_id = item_id ` +
    `UNION ALL SELECT d.item_id AS i, p.customer_id AS k FROM ${rel(ALLOCATIONS)} a ` +
    `JOIN ${rel(PAYMENTS)} p ON p.payment_id = a.payment_id JOIN ${rel(DOCS)} d ON d.document_id = a.document_id`
  );
}

/** Items of documents (document_id → item_id) in one world. */
const itemOf = (rel: (r: string) => string, documentIds: string) =>
  `SELECT d.item_id AS i FROM ${rel(DOCS)} d WHERE d.document_id IN (${documentIds})`;

/** Computed once per world: itemCustomers. */
const ITEM_CUSTOMERS = 'item_customers';
/** Computed once the customers A to recompute are known: the documents of the items whose rows reach A. */
const DOCS_OF_A = 'docs_of_a';

export const itemEventsReach: PartitionReach = {
  helpers: { [ITEM_CUSTOMERS]: itemCustomers },
  // Every filter but the payments' reads these documents: one semi-join over the documents instead of
  // one per input (each read every document and every item's customers again).
  scoped: {
    [DOCS_OF_A]: (inA, rel) =>
      `SELECT document_id FROM ${rel(DOCS)} WHERE item_id IN (SELECT ic.i FROM ${rel(ITEM_CUSTOMERS)} ic WHERE ${inA('k')})`,
  },
  keys(input, rows, rel) {
    const ic = `SELECT i, k FROM ${rel(ITEM_CUSTOMERS)}`;
    const kOfItems = (items: string) => `SELECT ic.k FROM (${ic}) ic WHERE ic.i IN (${items})`;
    switch (input) {
      case DOCS:
        return `SELECT customer_id AS k FROM ${rows} UNION ALL ${kOfItems(`SELECT item_id FROM ${rows}`)}`;
      case ALLOCATIONS:
        return (
          `SELECT p.customer_id AS k FROM ${rows} r JOIN ${rel(PAYMENTS)} p ON p.payment_id = r.payment_id ` +
          `UNION ALL ${kOfItems(itemOf(rel, `SELECT document_id FROM ${rows}`))}`
        );
      case PAYMENTS:
        return (
          `SELECT customer_id AS k FROM ${rows} UNION ALL ` +
          kOfItems(itemOf(rel, `SELECT a.document_id FROM ${rel(ALLOCATIONS)} a WHERE a.payment_id IN (SELECT payment_id FROM ${rows})`))
        );
      case 'int_write_offs':
      case 'int_snapshot_events':
        return kOfItems(itemOf(rel, `SELECT document_id FROM ${rows}`));
      default:
        throw new Error(`int_ar_item_events: no reach for input ${input}`);
    }
  },
  filter(input, inA, rel) {
    // The documents of the items whose rows reach a customer of A (headed by one, or paid by one).
    const docs = `SELECT document_id FROM ${rel(DOCS_OF_A)}`;
    switch (input) {
      case DOCS:
        return `SELECT * FROM ${rel(DOCS)} WHERE document_id IN (${docs})`;
      case ALLOCATIONS:
        return `SELECT * FROM ${rel(ALLOCATIONS)} WHERE document_id IN (${docs})`;
      case PAYMENTS:
        return `SELECT * FROM ${rel(PAYMENTS)} WHERE ${inA('customer_id')} OR payment_id IN (SELECT payment_id FROM ${rel(ALLOCATIONS)} WHERE document_id IN (${docs}))`;
      case 'int_write_offs':
      case 'int_snapshot_events':
        return `SELECT * FROM ${rel(input)} WHERE document_id IN (${docs})`;
      default:
        throw new Error(`int_ar_item_events: no reach for input ${input}`);
    }
  },
};
