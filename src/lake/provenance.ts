import type { ColumnDef } from '../schema/table.js';

/**
 * Columns a compacted raw file (src/lake/compact.ts) carries per row: the original batch's content
 * hash, data file (lake key) and ingest day. Readers put the latter two in place of the `filename`
 * and `ingest_date` they derive from the compacted file's path (compile/targets.ts withProvenance).
 */
export const PROVENANCE = {
  sha256: '_source_sha256',
  file: '_source_file',
  ingestDate: '_source_ingest_date',
} as const;

/** The provenance columns as catalog columns: raw tables carry them (NULL in files never compacted). */
export const PROVENANCE_COLUMNS: readonly ColumnDef[] = [
  { name: PROVENANCE.sha256, sqlType: 'VARCHAR', required: false, description: 'Compacted rows: content hash of the batch the row was ingested in (NULL otherwise)' },
  { name: PROVENANCE.file, sqlType: 'VARCHAR', required: false, description: 'Compacted rows: lake key of the batch file the row was ingested in (NULL otherwise)' },
  { name: PROVENANCE.ingestDate, sqlType: 'DATE', required: false, description: 'Compacted rows: ingest day of the batch the row was ingested in (NULL otherwise)' },
];
