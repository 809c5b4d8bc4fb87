import { z } from 'zod';

/**
 * Column builders for canonical tables. Each returns a zod schema whose metadata carries the SQL type
 * and a one-line description, so the table's zod object is the single source from which DuckDB DDL,
 * the Parquet schema, Glue columns and `creditlake tables` are derived (see ./derive.ts).
 */

export type SqlType = 'VARCHAR' | 'DATE' | 'DECIMAL(18,2)' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN';

export interface ColumnMeta {
  sqlType: SqlType;
  description: string;
  /** Allowed values for enumerated text columns; the ingest checks them in SQL. */
  values?: readonly string[];
  /** Not nullable in the canonical table: a missing value is a reject, not a NULL. */
  required: boolean;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Exact decimal with at most 2 fraction digits and 16 integer digits: fits DECIMAL(18,2). */
const MONEY = /^-?\d{1,16}(\.\d{1,2})?$/;

export function isIsoDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function withMeta<T extends z.ZodType>(schema: T, meta: ColumnMeta): T {
  return schema.meta({ column: meta }) as T;
}

export const col = {
  text(description: string): z.ZodString {
    return withMeta(z.string().min(1), { sqlType: 'VARCHAR', description, required: true });
  },
  /** Dates are ISO `YYYY-MM-DD` strings in JS rows and DATE in SQL: never timestamps, never local time. */
  date(description: string): z.ZodString {
    return withMeta(
      z.string().refine(isIsoDate, 'expected a calendar date as YYYY-MM-DD'),
      { sqlType: 'DATE', description, required: true },
    );
  },
  /** Money is an exact decimal string in JS rows (never a float) and DECIMAL(18,2) in SQL. */
  money(description: string): z.ZodString {
    return withMeta(z.string().regex(MONEY, 'expected a decimal amount with at most 2 decimals'), {
      sqlType: 'DECIMAL(18,2)',
      description,
      required: true,
    });
  },
  int(description: string): z.ZodNumber {
    return withMeta(z.number().int(), { sqlType: 'INTEGER', description, required: true });
  },
  /** Whole numbers that can exceed 2^31 (row counts); BIGINT in SQL, exact decimal text in JSON. */
  bigint(description: string): z.ZodString {
    return withMeta(z.string().regex(/^-?\d+$/, 'expected an integer'), { sqlType: 'BIGINT', description, required: true });
  },
  /** Ratios, day counts and percentages in marts; DOUBLE in SQL. Never money. */
  number(description: string): z.ZodNumber {
    return withMeta(z.number(), { sqlType: 'DOUBLE', description, required: true });
  },
  boolean(description: string): z.ZodBoolean {
    return withMeta(z.boolean(), { sqlType: 'BOOLEAN', description, required: true });
  },
  oneOf<const V extends readonly [string, ...string[]]>(values: V, description: string): z.ZodEnum<{ [K in V[number]]: K }> {
    return withMeta(z.enum(values), { sqlType: 'VARCHAR', description, values, required: true }) as never;
  },
  /** A column that may be empty (NULL in SQL). Metadata moves to the wrapper so derivation sees it. */
  optional<T extends z.ZodType>(schema: T): z.ZodOptional<z.ZodNullable<T>> {
    const meta = columnMeta(schema);
    return schema.nullable().optional().meta({ column: { ...meta, required: false } }) as never;
  },
};

export function columnMeta(schema: z.ZodType): ColumnMeta {
  const meta = schema.meta() as { column?: ColumnMeta } | undefined;
  if (!meta?.column) throw new Error('column schema without column metadata: build it with col.*');
  return meta.column;
}
