import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { addQuery, emptyTotals, type ScanTotals } from '../../aws/athena-cost.js';
import { athenaDialect } from './athena-dialect.js';
import type { QueryResult, ResultColumn, Row, WarehouseEngine } from '../engine.js';
import { isHeaderRow, parseRows, resultColumn } from './parse-results.js';

export interface AthenaEngineOptions {
  client?: AthenaClient;
  /** Workgroup; its enforced settings decide the result location and the bytes-scanned cutoff. */
  workgroup: string;
  /** Glue database unqualified names resolve in. */
  database: string;
  catalog?: string;
  /** Only for workgroups that do not enforce a result location. */
  outputLocation?: string;
  /** First poll delay; doubles up to `pollMaxMs`. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Overall limit per statement; the query is stopped when it is reached. */
  timeoutMs?: number;
  /** For tests: a clock and a sleep that need not wait. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class AthenaQueryError extends Error {
  constructor(
    message: string,
    readonly queryExecutionId: string,
    readonly state: string,
  ) {
    super(message);
  }
}

export class AthenaTimeoutError extends AthenaQueryError {}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Inlines `$name` parameters as SQL literals (Athena only knows positional `?` parameters). */
export function bindParams(sql: string, params?: Record<string, string | number | boolean | null>): string {
  if (!params) return sql;
  return sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const v = params[name];
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`parameter $${name} is not a finite number`);
      return String(v);
    }
    return `'${v.replace(/'/g, "''")}'`;
  });
}

/**
 * The warehouse engine on Athena (Trino): start, poll with exponential backoff and an overall
 * timeout, then page through GetQueryResults and type the text values by the result metadata.
 */
export class AthenaEngine implements WarehouseEngine {
  readonly dialect = athenaDialect;
  readonly client: AthenaClient;
  readonly workgroup: string;
  readonly database: string;
  private readonly opts: AthenaEngineOptions;
  /** Every statement this engine ran, with the bytes Athena scanned for it (what the build cost). */
  readonly scans: ScanTotals = emptyTotals();

  constructor(opts: AthenaEngineOptions) {
    this.opts = opts;
    this.client = opts.client ?? new AthenaClient({});
    this.workgroup = opts.workgroup;
    this.database = opts.database;
  }

  /** Runs one statement to completion; returns the finished execution. */
  async run(sql: string, executionParameters?: readonly string[]): Promise<QueryExecution & { QueryExecutionId: string }> {
    const started = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        // Values for the statement's `?` placeholders, in order; Athena binds them server-side.
        ExecutionParameters: executionParameters?.length ? [...executionParameters] : undefined,
        WorkGroup: this.workgroup,
        QueryExecutionContext: { Database: this.database, Catalog: this.opts.catalog ?? 'AwsDataCatalog' },
        ResultConfiguration: this.opts.outputLocation ? { OutputLocation: this.opts.outputLocation } : undefined,
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new Error('Athena returned no QueryExecutionId');
    const done = await this.wait(id);
    addQuery(this.scans, done.Statistics?.DataScannedInBytes);
    return { ...done, QueryExecutionId: id };
  }

  private async wait(id: string): Promise<QueryExecution> {
    const now = this.opts.now ?? Date.now;
    const sleep = this.opts.sleep ?? realSleep;
    const timeoutMs = this.opts.timeoutMs ?? 15 * 60_000;
    const maxDelay = this.opts.pollMaxMs ?? 5_000;
    let delay = this.opts.pollInitialMs ?? 200;
    const deadline = now() + timeoutMs;
    for (;;) {
      const { QueryExecution: qe } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = qe?.Status?.State;
      if (state === 'SUCCEEDED') return qe!;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = qe?.Status?.AthenaError?.ErrorMessage ?? qe?.Status?.StateChangeReason ?? 'no reason given';
        throw new AthenaQueryError(`Athena query ${id} ${state.toLowerCase()}: ${reason}`, id, state);
      }
      if (now() + delay > deadline) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new AthenaTimeoutError(`Athena query ${id} did not finish within ${Math.round(timeoutMs / 1000)} s; stopped it`, id, 'TIMEOUT');
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  async query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult> {
    return this.results(await this.run(bindParams(sql, params)));
  }

  /** Runs a statement with `?` placeholders bound to ExecutionParameters (SQL literals, e.g. `'NL'`, `20`). */
  async queryWithParameters(sql: string, executionParameters: readonly string[]): Promise<QueryResult> {
    return this.results(await this.run(sql, executionParameters));
  }

  private async results(qe: QueryExecution & { QueryExecutionId: string }): Promise<QueryResult> {
    let columns: ResultColumn[] | undefined;
    const rows: Row[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: qe.QueryExecutionId, NextToken: token, MaxResults: 1000 }),
      );
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map(resultColumn);
      let data = page.ResultSet?.Rows ?? [];
      if (first && qe.StatementType === 'DML' && isHeaderRow(columns, data[0])) data = data.slice(1);
      first = false;
      rows.push(...parseRows(columns, data));
      token = page.NextToken;
    } while (token);
    return { columns: columns ?? [], rows };
  }

  async execute(sql: string): Promise<void> {
    await this.run(sql);
  }

  async close(): Promise<void> {
    // The SDK client holds sockets only; nothing is open on the Athena side between statements.
  }
}
