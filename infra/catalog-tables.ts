import { CANONICAL_TABLES } from '../src/schema/index.js';
import { MART_TABLES } from '../src/schema/marts/index.js';
import type { CatalogTableSpec } from './constructs/lake-catalog.js';

/** Glue name of a canonical table's raw (append-only, per-batch) data. */
export const rawTableName = (table: string) => `raw_${table}`;

/** Landing key prefix per canonical table: drop `<table>/<anything>.csv` to ingest it. */
export const feedPrefix = (table: string) => `${table}/`;

/** Every table the catalog holds, derived from the zod schemas (the one source of truth). */
export function catalogTables(): CatalogTableSpec[] {
  const raw = CANONICAL_TABLES.map((t) => ({
    name: rawTableName(t.name),
    description: `Raw batches of ${t.name}: ${t.description}`,
    columns: t.columns,
    prefix: `raw/${t.name}/`,
    datePartition: { column: 'ingest_date' },
  }));
  // The model runner rewrites the Parquet under marts/<name>/ (CTAS); these tables read it.
  const marts = MART_TABLES.map((t) => ({ name: t.name, description: t.description, columns: t.columns, prefix: `marts/${t.name}/` }));
  return [...raw, ...marts];
}
