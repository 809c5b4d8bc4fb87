import { CANONICAL_TABLES } from '../src/schema/index.js';
import { commitTables } from '../src/warehouse/athena/committed-batches.js';
import { PROVENANCE_COLUMNS } from '../src/lake/provenance.js';
import type { CatalogTableSpec } from './constructs/lake-catalog.js';

/** Glue name of a canonical table's raw (append-only, per-batch) data. */
export const rawTableName = (table: string) => `raw_${table}`;

/** Landing key prefix per canonical table: drop `<table>/<anything>.csv` to ingest it. */
export const feedPrefix = (table: string) => `${table}/`;

/** The raw tables the stack creates, derived from the zod schemas (the one source of truth); marts are created by the build. */
export function catalogTables(): CatalogTableSpec[] {
  const raw = CANONICAL_TABLES.map((t) => ({
    name: rawTableName(t.name),
    description: `Raw batches of ${t.name}: ${t.description}`,
    // The provenance columns of compacted files (src/lake/compact.ts): NULL in every other file.
    columns: [...t.columns, ...PROVENANCE_COLUMNS],
    prefix: `raw/${t.name}/`,
    datePartition: { column: 'ingest_date' },
  }));
  // The commit records (manifests, retire records) as text, so Athena reads only committed batches.
  const commits = CANONICAL_TABLES.flatMap((t) => commitTables(t.name).map((c) => ({ ...c, columns: [], format: 'text' as const })));
  // Mart tables are the build's: each publish points them at that build's version folder
  // (src/warehouse/athena/mart-versions.ts), which a redeploy must never reset.
  return [...raw, ...commits];
}
