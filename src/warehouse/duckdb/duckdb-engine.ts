import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { QueryResult, ResultColumn, Row, WarehouseEngine } from '../engine.js';
import { duckdbDialect } from './duckdb-dialect.js';
import { duckdbApi } from './node-api.js';
import { setLakeSql } from './lake-path.js';
import { instanceConfig, type DuckDBResources } from './resources.js';

export interface DuckDBEngineOptions {
  /** Database file; ':memory:' (default) for a scratch engine. */
  path?: string;
  threads?: number;
  memoryLimit?: string;
  /** Where large sorts and joins spill; default a folder of this instance's own (resources.ts). */
  tempDirectory?: string;
  /** Open an existing database file read-only (several readers, no writer lock). */
  readOnly?: boolean;
  /**
   * The lake whose files the views read (see lake-path.ts). Default: the database file's folder,
   * which is where `warehouse.duckdb` lives in a lake.
   */
  lakeRoot?: string;
}

/** One statement's result, read chunk by chunk (about 2,048 rows each) as the caller asks for them. */
export interface StreamedResult {
  /** 1-based position of the statement in the script. */
  statement: number;
  /** False for statements that return no rows (SET, CREATE …): nothing to print. */
  returnsRows: boolean;
  columns: ResultColumn[];
  /** Rows as values in column order, JSON-safe like `Row`. */
  chunks: AsyncIterable<Row[string][][]>;
}

export class DuckDBEngine implements WarehouseEngine {
  readonly dialect = duckdbDialect;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** False for an engine on a shared instance: close() then closes only its connection. */
    private readonly ownsInstance = true,
  ) {}

  /**
   * An engine on its own connection to an instance the caller owns (and closes): a multi-file ingest
   * opens one instance, not one per file (creating one costs more than staging a small file).
   */
  static async connect(instance: DuckDBInstance): Promise<DuckDBEngine> {
    return new DuckDBEngine(instance, await instance.connect(), false);
  }

  static async open(opts: DuckDBEngineOptions = {}): Promise<DuckDBEngine> {
    const path = opts.path ?? ':memory:';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await createInstance(path, opts);
    try {
      const connection = await instance.connect();
      const lakeRoot = opts.lakeRoot ?? (path === ':memory:' ? undefined : dirname(resolve(path)));
      if (lakeRoot) await connection.run(setLakeSql(resolve(lakeRoot)));
      return new DuckDBEngine(instance, connection);
    } catch (e) {
      instance.closeSync();
      throw e;
    }
  }

  async query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    const names = reader.columnNames();
    const types = reader.columnTypes();
    return {
      columns: names.map((name, i) => ({ name, type: String(types[i]) })),
      rows: reader.getRowObjectsJson() as Row[],
    };
  }

  /**
   * Runs each statement of a script in turn and yields its result as a stream: memory stays bounded
   * whatever the row count, as long as the caller consumes (or abandons) one result before asking
   * for the next. A failing statement throws when it is reached, after the earlier results.
   */
  async *streamStatements(sql: string): AsyncGenerator<StreamedResult> {
    const extracted = await this.connection.extractStatements(sql);
    for (let i = 0; i < extracted.count; i++) {
      const prepared = await extracted.prepare(i);
      try {
        const result = await prepared.stream();
        const names = result.columnNames();
        const types = result.columnTypes();
        yield {
          statement: i + 1,
          returnsRows: result.returnType === duckdbApi.ResultReturnType.QUERY_RESULT,
          columns: names.map((name, c) => ({ name, type: String(types[c]) })),
          chunks: result.yieldRowsJson() as AsyncIterable<Row[string][][]>,
        };
      } finally {
        prepared.destroySync();
      }
    }
  }

  async execute(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /**
   * Appends rows of text and whole numbers to a temporary table of this connection
   * through DuckDB's appender: no SQL text to build and parse per row.
   */
  async appendToTempTable(table: string, rows: readonly (readonly (string | number)[])[]): Promise<void> {
    const appender = await this.connection.createAppender(table, 'main', 'temp');
    try {
      for (const row of rows) {
        for (const v of row) {
          if (typeof v === 'string') appender.appendVarchar(v);
          else appender.appendBigInt(BigInt(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    try {
      this.connection.closeSync();
    } finally {
      if (this.ownsInstance) this.instance.closeSync();
    }
  }
}

/**
 * Every DuckDB instance Creditlake opens is created here: threads, memory limit and spill folder come
 * from the caller, else the process's configured resources (resources.ts), so no path escapes
 * `duckdb.memory_limit`.
 */
export function createInstance(path: string, opts: DuckDBResources & { readOnly?: boolean } = {}): Promise<DuckDBInstance> {
  return duckdbApi.DuckDBInstance.create(path, instanceConfig(opts));
}

/** Runs `fn` with a fresh engine and always frees it, also when `fn` throws. */
export async function withDuckDB<T>(opts: DuckDBEngineOptions, fn: (engine: DuckDBEngine) => Promise<T>): Promise<T> {
  const engine = await DuckDBEngine.open(opts);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
