import { z } from 'zod';
import { columnMeta, type ColumnMeta } from './columns.js';

export interface ColumnDef extends ColumnMeta {
  name: string;
}

/** A canonical table: its zod row schema is the source of truth; everything else is derived. */
export interface TableDef<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  description: string;
  /** Columns that identify a row; staging keeps the latest ingested version per key. */
  key: readonly string[];
  schema: z.ZodObject<S>;
  columns: readonly ColumnDef[];
  /**
   * Rows per Parquet row group of a mart read a few rows at a time (the customer page's marts, sorted
   * by customer): the reader skips row groups by their min/max, but decodes the whole of each one it
   * keeps, so smaller groups mean less decoded per lookup. Unset: the engine's default (DuckDB 122,880).
   */
  rowGroupRows?: number;
  /**
   * The order the embedded build writes the mart's file in (columns, ascending), for a mart whose SQL
   * joins wide rows: the build computes the rows first and sorts them in a statement of their own, so
   * the sort never holds memory beside the joins' hash tables. As an ORDER BY of the mart's SQL,
   * `customer_months` (three marts joined, sorted by customer) ran out of memory at 1M invoices and a
   * 512 MB limit; apart, it fits in 250 MB, in less CPU. Engines that do not keep a file order (Trino
   * and Athena tables) ignore it. It must make the order total (the key), or the file order is not
   * repeatable.
   */
  writeOrder?: readonly string[];
}

/**
 * Row-group size of the marts the dashboards read a small part of: one customer (the customer page's
 * marts, sorted by customer) or one month end (month-end marts sorted by as_of_date, about 24,000
 * rows a month on a 1M-invoice ledger). DuckDB's default of 122,880 rows makes a lookup decode five
 * months of a mart to use one; at 16,384 it decodes about a fifth of that. 4,096 measured slower
 * (more footer to read per query).
 */
export const SMALL_ROW_GROUP = 16_384;

export function defineTable<S extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  key: readonly (keyof S & string)[];
  shape: S;
  rowGroupRows?: number;
  writeOrder?: readonly (keyof S & string)[];
}): TableDef<S> {
  const schema = z.object(def.shape).strict();
  const columns = Object.entries(def.shape).map(([name, field]) => ({ name, ...columnMeta(field as z.ZodType) }));
  for (const k of def.key) {
    if (!columns.find((c) => c.name === k)?.required) throw new Error(`${def.name}: key column ${k} must be required`);
  }
  for (const c of def.writeOrder ?? []) {
    if (!columns.some((x) => x.name === c)) throw new Error(`${def.name}: writeOrder column ${c} is not a column`);
  }
  if (def.writeOrder && !def.key.every((k) => def.writeOrder!.includes(k))) throw new Error(`${def.name}: writeOrder must include the key, so the order is total`);
  return {
    name: def.name,
    description: def.description,
    key: def.key,
    schema,
    columns,
    ...(def.rowGroupRows ? { rowGroupRows: def.rowGroupRows } : {}),
    ...(def.writeOrder ? { writeOrder: def.writeOrder } : {}),
  };
}
