/** The CSVs `creditlake generate` writes, one canonical table each. */
export const LEDGER_TABLES_FOR_GATE = [
  'customers',
  'invoices',
  'payments',
  'payment_allocations',
  'write_offs',
  'collection_actions',
  'credit_decisions',
] as const;
