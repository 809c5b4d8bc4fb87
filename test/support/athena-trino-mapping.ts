/**
 * How the Athena stand-in (athena-on-trino.ts) maps between Athena's API and Trino: statement types,
 * statement text, result column types and cell text. Pure.
 */
import type { ColumnInfo } from '@aws-sdk/client-athena';
import type { TrinoResult } from '../../src/warehouse/trino/trino-client.js';

export type State = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface Execution {
  id: string;
  query: string;
  database: string;
  /** The statement Trino ran. */
  trino?: string;
  state: State;
  reason?: string;
  statementType: 'DDL' | 'DML' | 'UTILITY';
  result?: TrinoResult;
  submitted: Date;
  completed?: Date;
}

/** Athena's statement type of a statement (it decides whether results carry a header row). */
export function statementType(sql: string): Execution['statementType'] {
  const first = /^[\s(]*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
  if (['SELECT', 'WITH', 'VALUES', 'TABLE', 'INSERT', 'DELETE', 'UPDATE', 'MERGE'].includes(first)) return 'DML';
  if (['SHOW', 'DESCRIBE', 'EXPLAIN'].includes(first)) return 'UTILITY';
  return 'DDL';
}

const S3_URI = /s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\//g;

/**
 * Athena's statement as Trino runs it over the mirror: s3:// locations mapped, Athena-only CTAS
 * properties dropped. Pure (`mirror` gives a bucket's local URI, ending in `/`).
 */
export function athenaToTrino(sql: string, mirror: (bucket: string) => string): string {
  return sql
    .replace(/,\s*write_compression\s*=\s*'[A-Za-z0-9]+'/gi, '')
    .replace(/write_compression\s*=\s*'[A-Za-z0-9]+'\s*,\s*/gi, '')
    .replace(S3_URI, (_m, bucket: string) => mirror(bucket));
}

/** Athena's type name and precision/scale for a Trino type (`decimal(18,2)`, `varchar(12)`, `array(date)`). */
export function athenaColumn(name: string, trinoType: string): ColumnInfo {
  const base = trinoType.replace(/\(.*$/, '').toLowerCase();
  const info: ColumnInfo = { Name: name, Label: name, Type: base, Nullable: 'UNKNOWN' };
  const dec = /^decimal\((\d+),\s*(\d+)\)$/i.exec(trinoType);
  if (dec) {
    info.Precision = Number(dec[1]);
    info.Scale = Number(dec[2]);
  }
  return info;
}

/** A Trino JSON value as the text Athena returns; undefined for SQL NULL. */
export function athenaText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return `[${v.map((x) => athenaText(x) ?? 'null').join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Glue column type → Trino column type. */
export function trinoType(glueType: string): string {
  const t = glueType.trim().toLowerCase();
  if (t === 'string') return 'varchar';
  if (t === 'int') return 'integer';
  if (t === 'float') return 'real';
  const arr = /^array<(.+)>$/.exec(t);
  if (arr) return `array(${trinoType(arr[1]!)})`;
  return t;
}

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
