/**
 * An Athena (and Glue) API stand-in over a real Trino, for end-to-end tests of the AWS path on this
 * machine: the statements Creditlake sends to Athena are executed for real, on the engine Athena is
 * built on, over an S3 lake served by s3rver.
 *
 *   const standIn = new AthenaOnTrino({ s3: testS3.client, database: `e2e_${random}` });
 *   await standIn.createStackTables('lake');           // the Glue tables the CDK stack creates
 *   new AthenaEngine({ client: standIn.athena as never, database, workgroup: 'wg' })
 *   mockClient(GlueClient) + standIn.installGlue(glueMock)   // code that makes its own GlueClient
 *   mockClient(AthenaClient) + standIn.installAthena(athenaMock)   // … or its own AthenaClient
 *
 * Athena API: StartQueryExecution (QueryString, QueryExecutionContext.Database, ExecutionParameters),
 * GetQueryExecution (QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED, StatementType, StateChangeReason,
 * AthenaError, Statistics.DataScannedInBytes from Trino's physical input bytes), GetQueryResults (Athena's
 * text rows: the header row first for SELECT, NULL as a cell without VarCharValue, ColumnInfo with
 * Athena's lower-case type names and decimal precision/scale, MaxResults/NextToken paging) and
 * StopQueryExecution. Glue API: GetTable, CreateTable, UpdateTable (the table is recreated on Trino at
 * its new location: the atomic mart switch), DeleteTable, BatchCreatePartition (AlreadyExists errors
 * as Glue gives them), GetDatabase/CreateDatabase.
 *
 * What is mapped, and why (the same mapping the Trino proof uses):
 *   - the lake (s3-mirror.ts): Trino's catalog reads a local file system, not s3rver, so the stand-in mirrors every
 *     bucket a statement or Glue table names into a local folder (`local:///…/<bucket>/…`) before each
 *     statement, and uploads what a statement wrote (CTAS, INSERT) back to S3 right after it. S3 stays
 *     the truth: an object deleted there (a pruned mart version) is gone from the mirror at the next
 *     statement. Statements run one at a time for that reason.
 *   - `s3://<bucket>/…` in statement text → the mirror's `local:///…/<bucket>/…`, so `"$path"`
 *     filters (committed-only raw reads) compare like with like; values in results map back to s3://.
 *   - CTAS `WITH (write_compression = …)`: a session setting on Trino, dropped. A CTAS that writes no
 *     rows leaves no folder, which Trino refuses to register: the stand-in creates the folder and an
 *     empty table with the query's columns, as Athena ends up with.
 *   - ExecutionParameters: `EXECUTE IMMEDIATE '<sql>' USING <literals>` (Trino binds them).
 *   - Glue database = Trino schema of the same name in catalog `creditlake`: give every test its own
 *     database name; `dropDatabase()` removes it.
 *   - BatchCreatePartition registers the partition folders present (`sync_partition_metadata` ADD):
 *     the local server does not enable register_partition.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { QueryExecution, Row as AthenaRow } from '@aws-sdk/client-athena';
import { EntityNotFoundException, type TableInput } from '@aws-sdk/client-glue';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogTables } from '../../infra/catalog-tables.js';
import { glueColumns } from '../../src/schema/index.js';
import { TrinoClient, TrinoQueryError } from '../../src/warehouse/trino/trino-client.js';
import { athenaColumn, athenaText, athenaToTrino, literal, quote, statementType, trinoType, type Execution } from './athena-trino-mapping.js';
import { S3Mirror } from './s3-mirror.js';
import { TRINO_URL } from './trino.js';

export interface AthenaOnTrinoOptions {
  /** The S3 client of the test's s3rver (the lake and any other bucket). */
  s3: S3Client;
  /** Trino coordinator; default the suite's (CREDITLAKE_TRINO_URL or http://127.0.0.1:8080). */
  trinoUrl?: string;
  /** A Hive catalog over the local file system; default `creditlake` (npm run trino:start). */
  catalog?: string;
  /** Folder of the bucket mirror; default a fresh temp folder. */
  mirrorDir?: string;
  /**
   * Trino session properties for every statement (`creditlake.parquet_small_file_threshold`: Trino
   * reads a Parquet file under 3 MB whole, every column, and counts it all as physical input).
   */
  session?: Record<string, string>;
}

export class AthenaOnTrino {
  readonly catalog: string;
  /** The local copy of the buckets Trino reads and writes. */
  readonly mirror: S3Mirror;
  /** Every statement received, in order: Athena's text, the Trino text, how it ended. */
  readonly executions: Execution[] = [];
  private readonly byId = new Map<string, Execution>();
  private readonly url: string;
  /** Glue's tables (what GetTable answers), by `<database>.<name>`. */
  private readonly tables = new Map<string, TableInput & { DatabaseName: string }>();
  private readonly partitions = new Map<string, Set<string>>();
  private readonly schemas = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly session?: Record<string, string>;

  constructor(opts: AthenaOnTrinoOptions) {
    this.session = opts.session;
    this.url = opts.trinoUrl ?? TRINO_URL;
    this.catalog = opts.catalog ?? 'creditlake';
    this.mirror = new S3Mirror(opts.s3, opts.mirrorDir ?? mkdtempSync(join(tmpdir(), 'creditlake-athena-mirror-')));
  }

  /** An AthenaClient stand-in: `new AthenaEngine({ client: standIn.athena as never, … })`. */
  readonly athena = { send: (command: { input: unknown }) => this.dispatch(command) };
  /** A GlueClient stand-in for code that takes a client. */
  readonly glue = { send: (command: { input: unknown }) => this.dispatch(command) };

  /** Routes `aws-sdk-client-mock` mocks of AthenaClient to the stand-in (code that creates its own client). */
  installAthena(mock: { on(c: unknown): { callsFake(f: (input: never) => unknown): unknown } }, commands: Record<string, unknown>): void {
    for (const [name, c] of Object.entries(commands)) mock.on(c).callsFake((input: never) => this.call(name, input));
  }

  /** The same for GlueClient. */
  installGlue(mock: { on(c: unknown): { callsFake(f: (input: never) => unknown): unknown } }, commands: Record<string, unknown>): void {
    this.installAthena(mock, commands);
  }

  private dispatch(command: { input: unknown }): Promise<unknown> {
    return this.call(command.constructor.name, command.input as never);
  }

  /** One API call by its command name (`StartQueryExecutionCommand`, `GetTableCommand`, …). */
  async call(name: string, input: never): Promise<unknown> {
    const op = name.replace(/Command$/, '');
    const handler = (this as unknown as Record<string, ((i: never) => Promise<unknown>) | undefined>)[`op${op}`];
    if (!handler) throw new Error(`AthenaOnTrino: ${op} is not part of the stand-in (add it in test/support/athena-on-trino.ts)`);
    return handler.call(this, input);
  }

  private trino(schema?: string): TrinoClient {
    return new TrinoClient({ url: this.url, user: 'athena-stand-in', catalog: this.catalog, schema, timeoutMs: 10 * 60_000, session: this.session });
  }

  /** Statements run one at a time: the mirror is synced around each. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async ensureSchema(database: string): Promise<void> {
    if (this.schemas.has(database)) return;
    if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`AthenaOnTrino: database ${database} is not a Trino schema name`);
    await this.trino().query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.catalog)}.${quote(database)}`);
    this.schemas.add(database);
  }

  // ---- Athena --------------------------------------------------------------------------------------

  async opStartQueryExecution(input: { QueryString: string; QueryExecutionContext?: { Database?: string }; ExecutionParameters?: string[] }) {
    const database = input.QueryExecutionContext?.Database ?? 'default';
    const e: Execution = {
      id: randomUUID(),
      query: input.QueryString,
      database,
      state: 'QUEUED',
      statementType: statementType(input.QueryString),
      submitted: new Date(),
    };
    this.executions.push(e);
    this.byId.set(e.id, e);
    void this.serial(() => this.execute(e, input.ExecutionParameters ?? []));
    return { QueryExecutionId: e.id };
  }

  private async execute(e: Execution, parameters: string[]): Promise<void> {
    if (e.state === 'CANCELLED') return;
    e.state = 'RUNNING';
    try {
      await this.ensureSchema(e.database);
      let sql = athenaToTrino(e.query.trim().replace(/;\s*$/, ''), this.mirror.uri);
      if (parameters.length) sql = `EXECUTE IMMEDIATE ${literal(sql)} USING ${parameters.join(', ')}`;
      e.trino = sql;
      await this.mirror.pull();
      const client = this.trino(e.database);
      const ctas = /^\s*CREATE\s+TABLE\s+(\S+)\s+WITH\s*\(([\s\S]*?)\)\s*AS\b([\s\S]*)$/i.exec(sql);
      const at = ctas && /external_location\s*=\s*'local:\/\/([^']+)'/i.exec(ctas[2]!)?.[1];
      // An empty folder is no object on S3: Athena writes into it; Trino wants none there.
      if (at) this.mirror.removeIfEmpty(at);
      try {
        e.result = await client.query(sql);
      } catch (err) {
        if (!(ctas && at && err instanceof TrinoQueryError && /External table location does not exist/i.test(err.message))) throw err;
        // A CTAS that wrote no rows: the empty table Athena ends up with.
        const columns = (await client.query(`SELECT * FROM (${ctas[3]}) AS d LIMIT 0`)).columns;
        mkdirSync(at, { recursive: true });
        await client.query(`CREATE TABLE ${ctas[1]} (${columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ')}) WITH (${ctas[2]})`);
        e.result = { columns: [], rows: [], updateType: 'CREATE TABLE', updateCount: 0, processedBytes: 0 };
      }
      await this.mirror.push();
      e.state = e.state === 'RUNNING' ? 'SUCCEEDED' : e.state;
    } catch (err) {
      e.state = 'FAILED';
      const name = err instanceof TrinoQueryError ? `${err.errorName}: ` : '';
      e.reason = this.mirror.toS3(`${name}${(err as Error).message}`);
    }
    e.completed = new Date();
  }

  private execution(id: string): Execution {
    const e = this.byId.get(id);
    if (!e) throw Object.assign(new Error(`QueryExecution ${id} was not found`), { name: 'InvalidRequestException' });
    return e;
  }

  async opGetQueryExecution(input: { QueryExecutionId: string }): Promise<{ QueryExecution: QueryExecution }> {
    const e = this.execution(input.QueryExecutionId);
    const failed = e.state === 'FAILED' || e.state === 'CANCELLED';
    return {
      QueryExecution: {
        QueryExecutionId: e.id,
        Query: e.query,
        StatementType: e.statementType,
        QueryExecutionContext: { Database: e.database, Catalog: 'AwsDataCatalog' },
        Status: {
          State: e.state,
          StateChangeReason: failed ? e.reason ?? 'Query cancelled' : undefined,
          AthenaError: e.state === 'FAILED' ? { ErrorCategory: 2, ErrorMessage: e.reason } : undefined,
          SubmissionDateTime: e.submitted,
          CompletionDateTime: e.completed,
        },
        Statistics: e.completed
          ? {
              // Athena bills the bytes read from S3 (compressed columns): Trino's physical input.
              DataScannedInBytes: e.result?.physicalInputBytes ?? e.result?.processedBytes ?? 0,
              EngineExecutionTimeInMillis: e.completed.getTime() - e.submitted.getTime(),
              TotalExecutionTimeInMillis: e.completed.getTime() - e.submitted.getTime(),
            }
          : undefined,
      },
    };
  }

  async opGetQueryResults(input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }) {
    const e = this.execution(input.QueryExecutionId);
    if (e.state !== 'SUCCEEDED') {
      throw Object.assign(new Error(`Query has not yet finished. Current state: ${e.state}`), { name: 'InvalidRequestException' });
    }
    const res = e.result!;
    const max = Math.min(input.MaxResults ?? 1000, 1000);
    const withHeader = e.statementType === 'DML' && res.columns.length > 0 && !/^\s*(INSERT|DELETE|UPDATE|MERGE)/i.test(e.query);
    const all: AthenaRow[] = [];
    if (withHeader) all.push({ Data: res.columns.map((c) => ({ VarCharValue: c.name })) });
    for (const r of res.rows) {
      all.push({
        Data: r.map((v) => {
          const text = athenaText(v);
          return text === undefined ? {} : { VarCharValue: this.mirror.toS3(text) };
        }),
      });
    }
    const from = input.NextToken ? Number(input.NextToken) : 0;
    const page = all.slice(from, from + max);
    return {
      ResultSet: { ResultSetMetadata: { ColumnInfo: res.columns.map((c) => athenaColumn(c.name, c.type)) }, Rows: page },
      NextToken: from + max < all.length ? String(from + max) : undefined,
      UpdateCount: res.updateCount,
    };
  }

  async opStopQueryExecution(input: { QueryExecutionId: string }) {
    const e = this.execution(input.QueryExecutionId);
    // A statement already sent to Trino runs to its end; it is reported cancelled either way.
    if (e.state === 'QUEUED' || e.state === 'RUNNING') {
      e.state = 'CANCELLED';
      e.reason = 'Query cancelled by user';
    }
    return {};
  }

  // ---- Glue ----------------------------------------------------------------------------------------

  async opCreateDatabase(input: { DatabaseInput: { Name: string } }) {
    await this.ensureSchema(input.DatabaseInput.Name);
    return {};
  }

  async opGetDatabase(input: { Name: string }) {
    await this.ensureSchema(input.Name);
    return { Database: { Name: input.Name } };
  }

  async opGetTable(input: { DatabaseName: string; Name: string }) {
    const t = this.tables.get(`${input.DatabaseName}.${input.Name}`);
    if (!t) throw new EntityNotFoundException({ message: `Table ${input.Name} not found.`, $metadata: {} });
    return { Table: { ...t } };
  }

  async opCreateTable(input: { DatabaseName: string; TableInput: TableInput }) {
    return this.serial(() => this.putTable(input.DatabaseName, input.TableInput));
  }

  async opUpdateTable(input: { DatabaseName: string; TableInput: TableInput }) {
    if (!this.tables.has(`${input.DatabaseName}.${input.TableInput.Name}`)) {
      throw new EntityNotFoundException({ message: `Table ${input.TableInput.Name} not found.`, $metadata: {} });
    }
    return this.serial(() => this.putTable(input.DatabaseName, input.TableInput));
  }

  async opDeleteTable(input: { DatabaseName: string; Name: string }) {
    return this.serial(async () => {
      this.tables.delete(`${input.DatabaseName}.${input.Name}`);
      await this.trino(input.DatabaseName).query(`DROP TABLE IF EXISTS ${quote(input.Name)}`);
      return {};
    });
  }

  /** A Glue table on Trino: (re)created over its location, columns and partition keys as Glue has them. */
  private async putTable(database: string, t: TableInput): Promise<object> {
    await this.ensureSchema(database);
    const sd = t.StorageDescriptor!;
    const dir = this.mirror.localDir(sd.Location!);
    await this.mirror.pull();
    mkdirSync(dir, { recursive: true });
    const text = /TextInputFormat/.test(sd.InputFormat ?? '');
    const cols = [...(sd.Columns ?? []), ...(t.PartitionKeys ?? [])].map((c) => `${quote(c.Name!)} ${trinoType(c.Type!)}`);
    const props = [`external_location = ${literal(this.mirror.localUri(dir))}`, `format = '${text ? 'TEXTFILE' : 'PARQUET'}'`];
    if (t.PartitionKeys?.length) props.push(`partitioned_by = ARRAY[${t.PartitionKeys.map((k) => literal(k.Name!)).join(', ')}]`);
    const client = this.trino(database);
    await client.query(`DROP TABLE IF EXISTS ${quote(t.Name!)}`);
    await client.query(`CREATE TABLE ${quote(t.Name!)} (${cols.join(', ')}) WITH (${props.join(', ')})`);
    this.tables.set(`${database}.${t.Name}`, { ...t, DatabaseName: database });
    this.partitions.delete(`${database}.${t.Name}`);
    return {};
  }

  async opBatchCreatePartition(input: { DatabaseName: string; TableName: string; PartitionInputList: { Values: string[] }[] }) {
    return this.serial(async () => {
      const id = `${input.DatabaseName}.${input.TableName}`;
      if (!this.tables.has(id)) throw new EntityNotFoundException({ message: `Table ${input.TableName} not found.`, $metadata: {} });
      const known = this.partitions.get(id) ?? new Set<string>();
      this.partitions.set(id, known);
      const Errors = input.PartitionInputList.filter((p) => known.has(p.Values.join('/'))).map((p) => ({
        PartitionValues: p.Values,
        ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
      }));
      for (const p of input.PartitionInputList) known.add(p.Values.join('/'));
      await this.mirror.pull();
      await this.trino(input.DatabaseName).query(`CALL system.sync_partition_metadata(${literal(input.DatabaseName)}, ${literal(input.TableName)}, 'ADD')`);
      return { Errors };
    });
  }

  // ---- test helpers --------------------------------------------------------------------------------

  /** The Glue tables the CDK stack creates (infra/catalog-tables.ts, as LakeCatalog writes them) over `s3://<bucket>/`. */
  async createStackTables(database: string, bucket: string): Promise<void> {
    for (const spec of catalogTables()) {
      const text = spec.format === 'text';
      await this.opCreateTable({
        DatabaseName: database,
        TableInput: {
          Name: spec.name,
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: spec.datePartition ? [{ Name: spec.datePartition.column, Type: 'date' }] : [],
          StorageDescriptor: {
            Location: `s3://${bucket}/${spec.prefix}`,
            InputFormat: text ? 'org.apache.hadoop.mapred.TextInputFormat' : 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            Columns: text ? [{ Name: 'line', Type: 'string' }] : glueColumns(spec.columns).map((c) => ({ Name: c.name, Type: c.type })),
          },
        },
      });
    }
  }

  /** Drops every table and view of the database on Trino, then the schema; removes the mirror. */
  async dropDatabase(database: string): Promise<void> {
    await this.queue;
    const client = this.trino(database);
    const objects = await client
      .query(`SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = ${literal(database)}`)
      .catch(() => ({ rows: [] as unknown[][] }));
    for (const [name, type] of objects.rows as [string, string][]) {
      await client.query(`DROP ${type === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${quote(name)}`).catch(() => undefined);
    }
    await this.trino().query(`DROP SCHEMA IF EXISTS ${quote(this.catalog)}.${quote(database)}`).catch(() => undefined);
    this.schemas.delete(database);
  }

  close(): void {
    this.mirror.remove();
  }
}
