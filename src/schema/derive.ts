import type { SqlType } from './columns.js';
import type { ColumnDef, TableDef } from './table.js';

/** Double-quoted SQL identifier; canonical names are snake_case so this never changes case. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function duckdbCreateTable(table: TableDef, name = table.name): string {
  const cols = table.columns.map((c) => `  ${quoteIdent(c.name)} ${c.sqlType}${c.required ? ' NOT NULL' : ''}`);
  return `CREATE TABLE ${quoteIdent(name)} (\n${cols.join(',\n')}\n)`;
}

/**
 * The SELECT list that gives a relation exactly the canonical Parquet schema (names, order, types).
 * Every write to the lake goes through it, so Parquet files of one table never drift apart.
 */
export function canonicalSelectList(table: TableDef, source = ''): string {
  const prefix = source ? `${source}.` : '';
  return table.columns.map((c) => `CAST(${prefix}${quoteIdent(c.name)} AS ${c.sqlType}) AS ${quoteIdent(c.name)}`).join(', ');
}

const GLUE_TYPES: Record<SqlType, string> = {
  VARCHAR: 'string',
  DATE: 'date',
  'DECIMAL(18,2)': 'decimal(18,2)',
  INTEGER: 'int',
  BIGINT: 'bigint',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
};

/** Glue / Hive column types, for the Athena catalog. */
export function glueColumns(columns: readonly ColumnDef[]): { name: string; type: string; comment: string }[] {
  return columns.map((c) => ({ name: c.name, type: GLUE_TYPES[c.sqlType], comment: c.description }));
}
