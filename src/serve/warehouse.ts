import type { DuckDBInstance, DuckDBConnection } from '@duckdb/node-api';
import { createInstance } from '../warehouse/duckdb/duckdb-engine.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { QueryResult, Row, WarehouseEngine } from '../warehouse/engine.js';
import { duckdbDialect } from '../warehouse/duckdb/duckdb-dialect.js';
import { lakePaths } from '../lake/layout.js';
import { setLakeSql } from '../warehouse/duckdb/lake-path.js';

type Params = Record<string, string | number | boolean | null>;

/**
 * The embedded warehouse opened READ_ONLY for the dashboards: DuckDB refuses every write, whatever
 * SQL reaches it. A few connections serve slices in parallel; each runs one statement at a time.
 */
export class ReadOnlyWarehouse implements WarehouseEngine {
  readonly dialect = duckdbDialect;
  private next = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly lanes: { connection: DuckDBConnection; tail: Promise<unknown> }[],
  ) {}

  static async open(dbPath: string, opts: { connections?: number; lakeRoot?: string } = {}): Promise<ReadOnlyWarehouse> {
    if (!existsSync(dbPath)) {
      throw new Error(`no warehouse at ${dbPath}: run \`creditlake build\` first (or pass --lake <dir>)`);
    }
    const instance = await createInstance(dbPath, { readOnly: true, threads: 2 });
    const lanes: { connection: DuckDBConnection; tail: Promise<unknown> }[] = [];
    // Views read lake-relative paths; each connection says where its lake is.
    const setLake = setLakeSql(resolve(opts.lakeRoot ?? dirname(dbPath)));
    try {
      for (let i = 0; i < (opts.connections ?? 2); i++) {
        const connection = await instance.connect();
        lanes.push({ connection, tail: Promise.resolve() });
        await connection.run(setLake);
      }
      // Every slice reads a few rows of mart files that never change (a build writes new files):
      // their Parquet footers are parsed once, not on every query (a third of a customer page's
      // server time went to re-reading them).
      await lanes[0]!.connection.run('SET GLOBAL parquet_metadata_cache = true');
    } catch (e) {
      for (const l of lanes) l.connection.closeSync();
      instance.closeSync();
      throw e;
    }
    return new ReadOnlyWarehouse(instance, lanes);
  }

  query(sql: string, params?: Params): Promise<QueryResult> {
    const lane = this.lanes[this.next++ % this.lanes.length]!;
    const run = lane.tail.then(async () => {
      const reader = await lane.connection.runAndReadAll(sql, params as never);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name, type: String(types[i]) })),
        rows: reader.getRowObjectsJson() as Row[],
      };
    });
    lane.tail = run.catch(() => undefined);
    return run;
  }

  async execute(): Promise<void> {
    throw new Error('the dashboard warehouse is read-only');
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.tail));
    for (const l of this.lanes) l.connection.closeSync();
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
