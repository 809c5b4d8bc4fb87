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
