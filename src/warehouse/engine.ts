import type { Dialect } from './dialect/dialect.js';

export interface ResultColumn {
  name: string;
  /** Engine type name as reported (e.g. DECIMAL(18,2), DATE, VARCHAR). */
  type: string;
}

/**
 * Rows arrive JSON-safe: DECIMAL and BIGINT as strings (exact), DATE as `YYYY-MM-DD`, so nothing
 * passes through a binary float on its way to a user.
 */
export type Row = Record<string, string | number | boolean | null>;

export interface QueryResult {
  columns: ResultColumn[];
  rows: Row[];
}

/** One warehouse engine (DuckDB embedded, Athena in the cloud); models only talk to this. */
export interface WarehouseEngine {
  readonly dialect: Dialect;
  /**
   * True when this instance answers from one fixed build (the dashboards' Athena view, keyed by the
   * build marker): readers may keep its answers for as long as they keep the instance.
   */
  readonly snapshot?: boolean;
  query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult>;
  execute(sql: string): Promise<void>;
  close(): Promise<void>;
}
