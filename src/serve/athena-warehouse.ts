import { athenaDialect } from '../warehouse/athena/athena-dialect.js';
import type { AthenaEngine } from '../warehouse/athena/athena-engine.js';
import type { QueryResult, WarehouseEngine } from '../warehouse/engine.js';

type Params = Record<string, string | number | boolean | null>;

/** A validated value as an Athena execution parameter: a single SQL literal, never SQL text. */
export function parameterLiteral(name: string, v: string | number | boolean | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`parameter $${name} is not a finite number`);
    return String(v);
  }
  // Athena reads string execution parameters as quoted literals; quotes inside are doubled.
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * Turns the slices' named DuckDB parameters (`$as_of`) into Trino's positional `?` placeholders and
 * the ExecutionParameters list that goes with them, in order of occurrence (a name used twice is
 * sent twice). `$` inside string literals and comments is left alone. A `$name` without a value is
 * an error: it would otherwise reach Athena as text.
 */
export function toPositional(sql: string, params: Params = {}): { sql: string; parameters: string[] } {
  const parameters: string[] = [];
  const out = sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name?: string) => {
    if (name === undefined) return whole;
    if (!Object.prototype.hasOwnProperty.call(params, name)) throw new Error(`no value for parameter $${name}`);
    parameters.push(parameterLiteral(name, params[name]!));
    return '?';
  });
  return { sql: out, parameters };
}

/**
 * The dashboards' read-only view of the Athena warehouse: the same slice SQL as the embedded
 * warehouse, with every value sent as an Athena execution parameter. Writes are refused here; the
 * function's IAM role (no Glue writes, no lake writes) refuses them again on AWS.
 */
export class AthenaDashboardWarehouse implements WarehouseEngine {
  readonly dialect = athenaDialect;
  /** One instance per build marker, so answers and the catalog stay valid for its whole life. */
  readonly snapshot = true;

  constructor(
    private readonly athena: Pick<AthenaEngine, 'queryWithParameters' | 'database'>,
    /** Build marker of the marts this instance answers for (answers are cached per instance). */
    readonly buildMarker = '',
  ) {}

  /** The Glue database: the catalog lists tables of this schema. */
  get database(): string {
    return this.athena.database;
  }

  query(sql: string, params?: Params): Promise<QueryResult> {
    const positional = toPositional(sql, params);
    return this.athena.queryWithParameters(positional.sql, positional.parameters);
  }

  async execute(): Promise<void> {
    throw new Error('the dashboard warehouse is read-only');
  }

  async close(): Promise<void> {}
}
