import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { col, defineTable } from '../../src/schema/index.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { typedSelect, writeMart } from '../../src/warehouse/athena/mart-writer.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const martDef = defineTable({
  name: 'toy_mart',
  description: 'test mart',
  key: ['segment', 'as_of_date'],
  shape: {
    segment: col.text('segment'),
    open_amount: col.money('amount'),
    as_of_date: col.date('month end'),
  },
});

const athena = mockClient(AthenaClient);
let s3: TestS3;
let store: S3LakeStore;
/** Lake keys under the mart folder at the moment each statement was started. */
let seen: { sql: string; objects: string[] }[];

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('lake-bucket');
  store = new S3LakeStore(s3.client, parseS3Uri('s3://lake-bucket/acme'));
});
afterAll(async () => s3?.close());
afterEach(() => athena.reset());

function engine() {
  return new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workgroup: 'wg',
    database: 'db',
    sleep: async () => undefined,
  });
}

function recordStatements(failOn?: RegExp) {
  seen = [];
  let n = 0;
  athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString: string }) => {
    seen.push({ sql: input.QueryString, objects: await store.list('marts/toy_mart') });
    return { QueryExecutionId: `q${++n}` };
  });
  athena.on(GetQueryExecutionCommand).callsFake(async (input: { QueryExecutionId: string }) => {
    const sql = seen[Number(input.QueryExecutionId.slice(1)) - 1]!.sql;
    const failed = failOn?.test(sql);
    return {
      QueryExecution: {
        StatementType: sql.startsWith('SELECT') ? 'DML' : 'DDL',
        Status: failed ? { State: 'FAILED', AthenaError: { ErrorMessage: 'HIVE_PATH_ALREADY_EXISTS' } } : { State: 'SUCCEEDED' },
      },
    };
  });
}

describe('writeMart (CTAS into a new version folder beside the published one)', () => {
  it('deletes nothing, CTAS with the declared types into marts/<model>/<build_id>/, keeps the temp table for the tests', async () => {
    await store.writeText('marts/toy_mart/20261201T000000Z-old/part-0.parquet', 'x');
    recordStatements();
    const res = await writeMart({ engine: engine(), store, model: 'toy_mart', sql: 'SELECT 1', declared: martDef, tempSuffix: 't1', buildId: 'B1' });
    expect(res).toMatchObject({ location: 's3://lake-bucket/acme/marts/toy_mart/B1/', dir: 'marts/toy_mart/B1', tempTable: 'toy_mart__ctas_t1' });
    expect(seen.map((s) => s.sql.split('\n')[0])).toEqual([
      "CREATE TABLE toy_mart__ctas_t1 WITH (format = 'PARQUET', write_compression = 'SNAPPY', external_location = 's3://lake-bucket/acme/marts/toy_mart/B1/') AS",
    ]);
    // The published version is untouched while (and after) the new one is written.
    expect(seen[0]!.objects).toEqual(['marts/toy_mart/20261201T000000Z-old/part-0.parquet']);
    expect(await store.list('marts/toy_mart')).toEqual(['marts/toy_mart/20261201T000000Z-old/part-0.parquet']);
    expect(seen[0]!.sql).toContain('CAST(m."open_amount" AS DECIMAL(18,2)) AS "open_amount"');
  });

  it('writes at most 100 partitions per statement: CTAS, then INSERT INTO per further chunk', async () => {
    recordStatements();
    const dates = Array.from({ length: 250 }, (_, i) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'v', Type: 'varchar' }] },
        Rows: [{ Data: [{ VarCharValue: 'v' }] }, ...dates.map((d) => ({ Data: [{ VarCharValue: d }] })), { Data: [{}] }],
      },
    });
    const res = await writeMart({
      engine: engine(),
      store,
      model: 'toy_mart',
      sql: 'SELECT * FROM x',
      declared: martDef,
      partitionedBy: 'as_of_date',
      tempSuffix: 't2',
      buildId: 'B2',
    });
    expect(res.partitions).toBe(251);
    const kinds = seen.map((s) => s.sql.split(/\s/)[0]);
    expect(kinds).toEqual(['SELECT', 'CREATE', 'INSERT', 'INSERT']);
    const valuesIn = (sql: string) => (sql.match(/'\d{4}-\d{2}-\d{2}'/g) ?? []).length;
    expect(seen.slice(1, 4).map((s) => valuesIn(s.sql))).toEqual([100, 100, 50]);
    expect(seen[1]!.sql).toContain("partitioned_by = ARRAY['as_of_date']");
    expect(seen[1]!.sql).toContain('m."as_of_date" IS NULL');
    expect(seen[2]!.sql).not.toContain('IS NULL');
  });

  it('refuses a partition column that is not last, and still drops the temp table when the CTAS fails', async () => {
    recordStatements();
    await expect(
      writeMart({ engine: engine(), store, model: 'toy_mart', sql: 'SELECT 1', declared: martDef, partitionedBy: 'segment', buildId: 'B3' }),
    ).rejects.toThrow(/must be the last declared column/);
    expect(seen).toEqual([]);

    recordStatements(/^CREATE TABLE/);
    await expect(writeMart({ engine: engine(), store, model: 'toy_mart', sql: 'SELECT 1', declared: martDef, tempSuffix: 't3', buildId: 'B3' })).rejects.toThrow(
      /HIVE_PATH_ALREADY_EXISTS/,
    );
    expect(seen.map((s) => s.sql.split(/\s/)[0])).toEqual(['CREATE', 'DROP']);
  });

  it('casts every declared column, in declared order', () => {
    expect(typedSelect('SELECT 1', martDef)).toBe(
      'SELECT CAST(m."segment" AS VARCHAR) AS "segment", CAST(m."open_amount" AS DECIMAL(18,2)) AS "open_amount", ' +
        'CAST(m."as_of_date" AS DATE) AS "as_of_date" FROM (\nSELECT 1\n) AS m',
    );
  });
});
