import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import { createInstance } from '../warehouse/duckdb/duckdb-engine.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { QueryResult, Row, WarehouseEngine } from '../warehouse/engine.js';
import { duckdbDialect } from '../warehouse/duckdb/duckdb-dialect.js';
import { lakePaths } from '../lake/layout.js';
import { setLakeSql } from '../warehouse/duckdb/lake-path.js';

type Params = Record<string, string | number | boolean | null>;

interface Job {
  sql: string;
  params?: Params;
  resolve: (r: QueryResult) => void;
  reject: (e: unknown) => void;
}

/**
 * The embedded warehouse opened READ_ONLY for the dashboards: DuckDB refuses every write, whatever
 * SQL reaches it. A few connections serve slices in parallel; each runs one statement at a time,
 * taking the oldest waiting statement when it is free (one queue for all, not one per connection:
 * a page's statements do not wait behind a slow one while another connection stands idle).
 */
export class ReadOnlyWarehouse implements WarehouseEngine {
  readonly dialect = duckdbDialect;
  private readonly waiting: Job[] = [];
  private readonly idle: DuckDBConnection[];
  private readonly running = new Set<Promise<void>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connections: DuckDBConnection[],
  ) {
    this.idle = [...connections];
  }

  static async open(dbPath: string, opts: { connections?: number; lakeRoot?: string } = {}): Promise<ReadOnlyWarehouse> {
    if (!existsSync(dbPath)) {
      throw new Error(`no warehouse at ${dbPath}: run \`creditlake build\` first (or pass --lake <dir>)`);
    }
    const instance = await createInstance(dbPath, { readOnly: true, threads: 2 });
    const connections: DuckDBConnection[] = [];
    // Views read lake-relative paths; each connection says where its lake is.
    const setLake = setLakeSql(resolve(opts.lakeRoot ?? dirname(dbPath)));
    try {
      for (let i = 0; i < (opts.connections ?? 2); i++) {
        const connection = await instance.connect();
        connections.push(connection);
        await connection.run(setLake);
      }
      // Every slice reads a few rows of mart files that never change (a build writes new files):
      // their Parquet footers are parsed once, not on every query (a third of a customer page's
      // server time went to re-reading them).
      await connections[0]!.run('SET GLOBAL parquet_metadata_cache = true');
    } catch (e) {
      for (const c of connections) c.closeSync();
      instance.closeSync();
      throw e;
    }
    return new ReadOnlyWarehouse(instance, connections);
  }

  query(sql: string, params?: Params): Promise<QueryResult> {
    return new Promise<QueryResult>((resolveJob, rejectJob) => {
      this.waiting.push({ sql, params, resolve: resolveJob, reject: rejectJob });
      this.next();
    });
  }

  /** Gives waiting statements to free connections, oldest first. */
  private next(): void {
    while (this.idle.length && this.waiting.length) {
      const connection = this.idle.pop()!;
      const job = this.waiting.shift()!;
      const run = (async () => {
        try {
          const reader = await connection.runAndReadAll(job.sql, job.params as never);
          const names = reader.columnNames();
          const types = reader.columnTypes();
          job.resolve({ columns: names.map((name, i) => ({ name, type: String(types[i]) })), rows: reader.getRowObjectsJson() as Row[] });
        } catch (e) {
          job.reject(e);
        }
      })();
      this.running.add(run);
      void run.then(() => {
        this.running.delete(run);
        this.idle.push(connection);
        this.next();
      });
    }
  }

  async execute(): Promise<void> {
    throw new Error('the dashboard warehouse is read-only');
  }

  async close(): Promise<void> {
    // Statements already given to the warehouse finish (a reopened build replaces this one while a page reads it).
    while (this.running.size) await Promise.all([...this.running]);
    for (const c of this.connections) c.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Holds the open warehouse of a lake and reopens it when `creditlake build` has replaced the file,
 * so a running server shows the latest build without a restart.
 */
export class WarehouseSource {
  private current?: { engine: ReadOnlyWarehouse; stamp: string };
  private opening?: Promise<ReadOnlyWarehouse>;
  private checkedAt = 0;

  constructor(readonly lakeRoot: string) {}

  get dbPath(): string {
    return join(this.lakeRoot, lakePaths.warehouseDb());
  }

  private stamp(): string {
    const s = statSync(this.dbPath);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  }

  async engine(): Promise<ReadOnlyWarehouse> {
    const now = Date.now();
    if (this.current && now - this.checkedAt < 1000) return this.current.engine;
    this.checkedAt = now;
    if (this.opening) return this.opening;
    const stamp = existsSync(this.dbPath) ? this.stamp() : 'missing';
    if (this.current && this.current.stamp === stamp) return this.current.engine;
    this.opening = (async () => {
      const old = this.current;
      const engine = await ReadOnlyWarehouse.open(this.dbPath, { lakeRoot: this.lakeRoot });
      this.current = { engine, stamp };
      if (old) void old.engine.close().catch(() => undefined);
      return engine;
    })();
    try {
      return await this.opening;
    } finally {
      this.opening = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.current) await this.current.engine.close();
    this.current = undefined;
  }
}
