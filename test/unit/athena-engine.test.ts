import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  type QueryExecutionState,
  type QueryExecutionStatus,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AthenaEngine, AthenaQueryError, AthenaTimeoutError, bindParams } from '../../src/warehouse/athena/athena-engine.js';
import { parseValue, resultColumn } from '../../src/warehouse/athena/parse-results.js';

const athena = mockClient(AthenaClient);
afterEach(() => athena.reset());

/** An engine whose clock advances only when it sleeps, recording each sleep. */
function engine(timeoutMs = 60_000) {
  let t = 0;
  const sleeps: number[] = [];
  const e = new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workgroup: 'creditlake',
    database: 'creditlake',
    pollInitialMs: 100,
    pollMaxMs: 1000,
    timeoutMs,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  return { e, sleeps };
}

const state = (State: QueryExecutionState, extra: Partial<QueryExecutionStatus> = {}): GetQueryExecutionCommandOutput => ({
  $metadata: {},
  QueryExecution: { Status: { State, ...extra }, StatementType: 'DML' },
});

describe('AthenaEngine', () => {
  it('starts in the workgroup and database, polls with exponential backoff until SUCCEEDED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state('QUEUED'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolves(state('SUCCEEDED'));
    const { e, sleeps } = engine();
    await e.execute('CREATE OR REPLACE VIEW v AS SELECT 1 AS x');
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      QueryString: 'CREATE OR REPLACE VIEW v AS SELECT 1 AS x',
      WorkGroup: 'creditlake',
      QueryExecutionContext: { Database: 'creditlake', Catalog: 'AwsDataCatalog' },
    });
    expect(sleeps).toEqual([100, 200, 400, 800, 1000]);
    expect(athena.commandCalls(GetQueryExecutionCommand).every((c) => c.args[0].input.QueryExecutionId === 'q1')).toBe(true);
  });

  it('throws with the Athena error message on FAILED and on CANCELLED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    athena.on(GetQueryExecutionCommand).resolves(
      state('FAILED', { AthenaError: { ErrorMessage: "line 1:8: Column 'nope' cannot be resolved" } }),
    );
    const { e } = engine();
    const err = await e.query('SELECT nope').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect((err as AthenaQueryError).message).toMatch(/q2 failed: line 1:8: Column 'nope' cannot be resolved/);
    expect((err as AthenaQueryError).state).toBe('FAILED');

    athena.on(GetQueryExecutionCommand).resolves(state('CANCELLED', { StateChangeReason: 'Query cancelled by user' }));
    await expect(e.execute('SELECT 1')).rejects.toThrow(/cancelled: Query cancelled by user/);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('stops the query and throws once the overall timeout is reached', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q3' });
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const { e, sleeps } = engine(5_000);
    await expect(e.execute('SELECT slow()')).rejects.toBeInstanceOf(AthenaTimeoutError);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input.QueryExecutionId)).toEqual(['q3']);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5_000);
  });

  it('pages through results, drops the header row and types values by the result metadata', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q4' });
    athena.on(GetQueryExecutionCommand).resolves(state('SUCCEEDED'));
    const ColumnInfo = [
      { Name: 'as_of_date', Type: 'date' },
      { Name: 'open_amount', Type: 'decimal', Precision: 18, Scale: 2 },
      { Name: 'open_count', Type: 'bigint' },
      { Name: 'bucket_order', Type: 'integer' },
      { Name: 'dso', Type: 'double' },
      { Name: 'segment', Type: 'varchar' },
      { Name: 'flag', Type: 'boolean' },
    ];
    const row = (...v: (string | undefined)[]) => ({ Data: v.map((x) => (x === undefined ? {} : { VarCharValue: x })) });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q4', NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo },
          Rows: [
            row('as_of_date', 'open_amount', 'open_count', 'bucket_order', 'dso', 'segment', 'flag'),
            row('2024-01-31', '12345678901234.56', '9007199254740993', '3', '41.5', 'SME', 'true'),
          ],
        },
        NextToken: 'page2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q4', NextToken: 'page2' })
      .resolves({
        ResultSet: { ResultSetMetadata: { ColumnInfo }, Rows: [row('2024-02-29', '-0.10', '0', '0', 'NaN', '', 'false'), row(undefined, undefined, undefined, undefined, undefined, undefined, undefined)] },
      });
    const { e } = engine();
    const res = await e.query('SELECT * FROM ar_aging');
    expect(res.columns.map((c) => c.type)).toEqual(['DATE', 'DECIMAL(18,2)', 'BIGINT', 'INTEGER', 'DOUBLE', 'VARCHAR', 'BOOLEAN']);
    expect(res.rows).toEqual([
      { as_of_date: '2024-01-31', open_amount: '12345678901234.56', open_count: '9007199254740993', bucket_order: 3, dso: 41.5, segment: 'SME', flag: true },
      { as_of_date: '2024-02-29', open_amount: '-0.10', open_count: '0', bucket_order: 0, dso: 'NaN', segment: '', flag: false },
      { as_of_date: null, open_amount: null, open_count: null, bucket_order: null, dso: null, segment: null, flag: null },
    ]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page2']);
  });

  it('keeps a first data row that is not the header (statements without one)', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q5' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'UTILITY' } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'varchar' }] }, Rows: [{ Data: [{ VarCharValue: 'raw_invoices' }] }] },
    });
    const { e } = engine();
    expect((await e.query('SHOW TABLES')).rows).toEqual([{ tab_name: 'raw_invoices' }]);
  });
});

describe('Athena value parsing and parameters', () => {
  it('never turns money or big integers into floats', () => {
    expect(parseValue('0.30', resultColumn({ Name: 'a', Type: 'decimal', Precision: 18, Scale: 2 }).type)).toBe('0.30');
    expect(parseValue('12345678901234567', 'BIGINT')).toBe('12345678901234567');
    expect(parseValue('7', 'INTEGER')).toBe(7);
  });

  it('inlines $name parameters as escaped literals', () => {
    expect(bindParams('SELECT * FROM t WHERE a = $a AND b = $b AND c = $c AND d = $d AND e = $missing', { a: "O'Neil", b: 3, c: true, d: null })).toBe(
      "SELECT * FROM t WHERE a = 'O''Neil' AND b = 3 AND c = TRUE AND d = NULL AND e = $missing",
    );
  });
});
