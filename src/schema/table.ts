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
}

export function defineTable<S extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  key: readonly (keyof S & string)[];
  shape: S;
}): TableDef<S> {
  const schema = z.object(def.shape).strict();
  const columns = Object.entries(def.shape).map(([name, field]) => ({ name, ...columnMeta(field as z.ZodType) }));
  for (const k of def.key) {
    if (!columns.find((c) => c.name === k)?.required) throw new Error(`${def.name}: key column ${k} must be required`);
  }
  return { name: def.name, description: def.description, key: def.key, schema, columns };
}
