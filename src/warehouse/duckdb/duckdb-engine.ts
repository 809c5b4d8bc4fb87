import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import type { QueryResult, Row, WarehouseEngine } from '../engine.js';
import { duckdbDialect } from '../dialect/duckdb.js';
import { setLakeSql } from './lake-path.js';

export interface DuckDBEngineOptions {
  /** Database file; ':memory:' (default) for a scratch engine. */
  path?: string;
  threads?: number;
  memoryLimit?: string;
  /** Where large sorts and joins spill; defaults to the OS temp folder. */
  tempDirectory?: string;
  /** Open an existing database file read-only (several readers, no writer lock). */
  readOnly?: boolean;
  /**
   * The lake whose files the views read (see lake-path.ts). Default: the database file's folder,
   * which is where `warehouse.duckdb` lives in a lake.
   */
  lakeRoot?: string;
}

export class DuckDBEngine implements WarehouseEngine {
  readonly dialect = duckdbDialect;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(opts: DuckDBEngineOptions = {}): Promise<DuckDBEngine> {
    const path = opts.path ?? ':memory:';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const config: Record<string, string> = {
      threads: String(opts.threads ?? Math.max(1, availableParallelism())),
      temp_directory: opts.tempDirectory ?? `${tmpdir()}/creditlake-duckdb`,
      // Models and tests expect the same order for the same input.
      preserve_insertion_order: 'true',
    };
    if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
    if (opts.readOnly) config.access_mode = 'READ_ONLY';
    const instance = await DuckDBInstance.create(path, config);
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

  async execute(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  async close(): Promise<void> {
    try {
      this.connection.closeSync();
    } finally {
      this.instance.closeSync();
    }
  }
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
