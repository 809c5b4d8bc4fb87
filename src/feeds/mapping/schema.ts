import { z } from 'zod';
import { linePatternProblem } from '../csv-dialect/line-pattern.js';
import { toStrptime } from '../csv-dialect/formats.js';
import { DELIMITERS, ENCODINGS } from './dialect-options.js';

export { DELIMITERS, ENCODINGS };

/**
 * A mapping file describes one kind of source export (an Exact Online receivables list, an SAP FBL5N
 * dump, …) as data: how to read the file and how each canonical column is computed from it. It is
 * JSON or YAML, validated here, and compiled to one DuckDB SELECT per target table (./compile.ts).
 *
 * Expressions are a small closed vocabulary rather than free SQL, so a mapping file handed over by a
 * customer cannot run arbitrary SQL, and every failure can be reported per row with a clear reason.
 */

export type Expr =
  | string
  | { column: string; date_format?: string }
  | { const: string | number }
  | { add_days: { date: Expr; days: Expr } }
  | { days_between: { from: Expr; to: Expr } }
  | { by_sign: { value: Expr; negative: string; otherwise: string } }
  | { first_nonzero: Expr[] }
  | { signed: { amount: Expr; indicator: Expr; negative: string[] } }
  | { negate_when: { amount: Expr; value: Expr; equals: string[] } }
  | { map: { value: Expr; values: Record<string, string>; default?: string } }
  | { concat: Expr[] }
  | { coalesce: Expr[] }
  | { when: { column: string; in?: string[]; not_in?: string[]; then: Expr; else?: Expr } }
  | { abs: Expr }
  | { negate: Expr };

/** A date pattern (dd-mm-yyyy, yyyymmdd, a strptime format) or `auto`, checked when the mapping loads. */
const DateFormatSchema = z
  .string()
  .min(1)
  .superRefine((p, ctx) => {
    if (p === 'auto') return;
    try {
      toStrptime(p);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  });

export const ExprSchema: z.ZodType<Expr> = z.lazy(() =>
  z.union([
    z.string().min(1),
    z.object({ column: z.string().min(1), date_format: DateFormatSchema.optional() }).strict(),
    z.object({ const: z.union([z.string(), z.number()]) }).strict(),
    z.object({ add_days: z.object({ date: ExprSchema, days: ExprSchema }).strict() }).strict(),
    z.object({ days_between: z.object({ from: ExprSchema, to: ExprSchema }).strict() }).strict(),
    z
      .object({ by_sign: z.object({ value: ExprSchema, negative: z.string(), otherwise: z.string() }).strict() })
      .strict(),
    z.object({ first_nonzero: z.array(ExprSchema).min(1) }).strict(),
    z
      .object({
        signed: z.object({ amount: ExprSchema, indicator: ExprSchema, negative: z.array(z.string()).min(1) }).strict(),
      })
      .strict(),
    z
      .object({
        negate_when: z.object({ amount: ExprSchema, value: ExprSchema, equals: z.array(z.string()).min(1) }).strict(),
      })
      .strict(),
    z
      .object({
        map: z
          .object({ value: ExprSchema, values: z.record(z.string(), z.string()), default: z.string().optional() })
          .strict(),
      })
      .strict(),
    z.object({ concat: z.array(ExprSchema).min(1) }).strict(),
    z.object({ coalesce: z.array(ExprSchema).min(1) }).strict(),
    z
      .object({
        // `in` / `not_in` as in a filter: an empty string stands for an empty cell.
        when: z
          .object({
            column: z.string().min(1),
            in: z.array(z.string()).min(1).optional(),
            not_in: z.array(z.string()).min(1).optional(),
            then: ExprSchema,
            else: ExprSchema.optional(),
          })
          .strict()
          .refine((w) => (w.in === undefined) !== (w.not_in === undefined), 'when takes exactly one of in or not_in'),
      })
      .strict(),
    z.object({ abs: ExprSchema }).strict(),
    z.object({ negate: ExprSchema }).strict(),
  ]),
);

export const MAPPING_KINDS = ['events', 'open_items_snapshot'] as const;
export const DOCUMENT_ID_SCOPES = ['unique', 'unique_per_type'] as const;
/** What a credit note's number becomes under `document_ids: unique_per_type`. */
export const CREDIT_NOTE_ID_PREFIX = 'CN:';

export const SourceSchema = z
  .object({
    format: z.enum(['csv', 'xlsx']).default('csv'),
    delimiter: z.union([z.literal('auto'), z.enum(DELIMITERS)]).default('auto'),
    encoding: z.enum(ENCODINGS).default('auto'),
    /** 1-based line (CSV) or row (xlsx) holding the column names; lines above it are a preamble. */
    header_row: z.number().int().min(1).max(1000).default(1),
    /** Default for every date column: a pattern such as dd-mm-yyyy, d-m-yy, mm/dd/yyyy, yyyymmdd, or auto. */
    date_format: DateFormatSchema.default('auto'),
    /** Decimal separator of amounts; the thousands separator is the other one (plus spaces) unless set. */
    decimal: z.enum([',', '.', 'auto']).default('auto'),
    thousands: z.enum(['.', ',', ' ', "'", '']).optional(),
    /**
     * Lines matching this regular expression (RE2 syntax, on the raw line) are dropped as footers or
     * sub-totals. The only way a line is dropped: a short last line that does not match is a reject.
     */
    skip_lines_matching: z
      .string()
      .min(1)
      .superRefine((p, ctx) => {
        const problem = linePatternProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** xlsx: the sheet to read; the first sheet when absent. */
    sheet: z.string().min(1).optional(),
  })
  .strict();

export const FilterSchema = z
  .object({
    column: z.string().min(1),
    /** Keep rows whose trimmed value is one of these (empty string matches an empty cell). */
    in: z.array(z.string()).optional(),
    not_in: z.array(z.string()).optional(),
    not_empty: z.boolean().optional(),
  })
  .strict();

export const TargetSchema = z
  .object({
    /** Only rows passing every filter produce a row in this table; the rest are skipped, not rejected. */
    where: z.array(FilterSchema).optional(),
    /** One row per distinct key: for tables such as customers derived from a line-item export. */
    distinct_on: z.array(z.string().min(1)).optional(),
    columns: z.record(z.string(), ExprSchema),
  })
  .strict();

export const MappingSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    /** Where the field list comes from (documentation of the source system). */
    reference: z.string().optional(),
    /**
     * `events` (default): the export lists documents and what happened to them. `open_items_snapshot`:
     * it lists what was open on one date ("openstaande posten"); it maps to table open_item_snapshots
     * and the warehouse derives settlements from consecutive snapshots (snapshot.ts).
     */
    kind: z.enum(MAPPING_KINDS).default('events'),
    /**
     * `unique` (the default): a document number identifies one document, so an invoice and a credit
     * note sharing one are a conflict and quarantined. `unique_per_type`: the ERP numbers invoices
     * and credit notes in separate series; every credit note's number then becomes `CN:<number>`
     * (in every table the mapping fills from the same line), so both land. Optional, not defaulted:
     * an absent key keeps the batch key (the mapping's JSON) of existing mappings unchanged.
     */
    document_ids: z.enum(DOCUMENT_ID_SCOPES).optional(),
    source: SourceSchema.default(SourceSchema.parse({})),
    tables: z.record(z.string(), TargetSchema).refine((t) => Object.keys(t).length > 0, 'at least one table'),
  })
  .strict()
  .superRefine((m, ctx) => {
    const snapshot = m.kind === 'open_items_snapshot';
    if (snapshot && !m.tables.open_item_snapshots) {
      ctx.addIssue({ code: 'custom', path: ['tables'], message: 'kind open_items_snapshot maps its rows to table open_item_snapshots' });
    }
    if (snapshot && m.tables.invoices) {
      ctx.addIssue({ code: 'custom', path: ['tables', 'invoices'], message: 'a snapshot export maps its items to open_item_snapshots, not invoices (the warehouse derives the documents)' });
    }
    if (m.document_ids === 'unique_per_type' && !documentTypeExpr(m)) {
      ctx.addIssue({ code: 'custom', path: ['document_ids'], message: 'unique_per_type needs the mapping to map document_type (of invoices or open_item_snapshots)' });
    }
    if (!snapshot && m.tables.open_item_snapshots) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'table open_item_snapshots needs kind: open_items_snapshot' });
    }
  });

export type Mapping = z.infer<typeof MappingSchema>;

/** The expression a mapping computes a line's document type with, if it maps one. */
export function documentTypeExpr(m: { tables: Record<string, { columns: Record<string, Expr> }> }): Expr | undefined {
  return m.tables.invoices?.columns.document_type ?? m.tables.open_item_snapshots?.columns.document_type;
}
export type MappingSource = z.infer<typeof SourceSchema>;
export type MappingTarget = z.infer<typeof TargetSchema>;
export type Filter = z.infer<typeof FilterSchema>;
