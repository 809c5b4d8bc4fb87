import type { QueryResult, ResultColumn, Row, WarehouseEngine } from '../engine.js';
import { inlineParams, type Params } from '../params.js';
import { TrinoClient, type TrinoConnection } from './trino-client.js';
import { trinoDialect } from './trino-dialect.js';
import { engineType, rowValue } from './trino-types.js';

/** The warehouse engine on a Trino coordinator: one HTTP client, rows in the engine's JSON-safe contract. */
export class TrinoEngine implements WarehouseEngine {
  readonly dialect = trinoDialect;
  readonly client: TrinoClient;

  constructor(conn: TrinoConnection) {
    this.client = new TrinoClient(conn);
  }

  get catalog(): string {
    return this.client.conn.catalog ?? '';
  }

  get schema(): string {
    return this.client.conn.schema ?? '';
  }

  /** The schema readers' unqualified names resolve in (the dashboards' catalog lists its tables). */
  get database(): string {
    return this.schema;
  }

  async query(sql: string, params?: Params): Promise<QueryResult> {
    const res = await this.client.query(inlineParams(sql, params));
    const columns: ResultColumn[] = res.columns.map((c) => ({ name: c.name, type: engineType(c.type) }));
    const rows = res.rows.map((r) => {
      const row: Row = {};
      columns.forEach((c, i) => {
        row[c.name] = rowValue(r[i], c.type);
      });
      return row;
    });
    return { columns, rows };
  }

  async execute(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  /** Output columns of a query, planned but not run (`LIMIT 0` reads nothing). */
  async describe(sql: string): Promise<ResultColumn[]> {
    return (await this.query(`SELECT * FROM (\n${sql}\n) AS d LIMIT 0`)).columns;
  }

  async close(): Promise<void> {
    // Stateless over HTTP: nothing stays open between statements.
  }
}
