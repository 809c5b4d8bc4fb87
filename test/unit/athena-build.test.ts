import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { buildWarehouseAthena } from '../../src/warehouse/athena/athena-build.js';
import { createBuildHandler } from '../../functions/build-models.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const athena = mockClient(AthenaClient);
let s3: TestS3;
let store: S3LakeStore;
let statements: string[];

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('lake');
  store = new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
});
afterAll(async () => s3?.close());
afterEach(() => athena.reset());

/** Every statement succeeds; SELECTs return no rows except for data tests named in `failing`. */
function fakeAthena(failing: string[] = []) {
  statements = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString: string }) => {
    statements.push(input.QueryString);
    return { QueryExecutionId: String(statements.length) };
  });
  athena.on(GetQueryExecutionCommand).callsFake(async (input: { QueryExecutionId: string }) => ({
    QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: statements[Number(input.QueryExecutionId) - 1]!.startsWith('SELECT') ? 'DML' : 'DDL' },
  }));
  athena.on(GetQueryResultsCommand).callsFake(async (input: { QueryExecutionId: string }) => {
    const sql = statements[Number(input.QueryExecutionId) - 1]!;
    const ColumnInfo = [{ Name: 'failing_rows__', Type: 'bigint' }, { Name: 'detail', Type: 'varchar' }];
    const header = { Data: [{ VarCharValue: 'failing_rows__' }, { VarCharValue: 'detail' }] };
    const fails = failing.some((f) => sql.includes(f));
    return { ResultSet: { ResultSetMetadata: { ColumnInfo }, Rows: fails ? [header, { Data: [{ VarCharValue: '2' }, { VarCharValue: 'x' }] }] : [header] } };
  });
}

function engine() {
  return new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'wg', database: 'creditlake', sleep: async () => undefined });
}

describe('buildWarehouseAthena (mocked Athena, real model project)', () => {
  it('creates views in dependency order, writes every mart with CTAS, then runs the data tests', async () => {
    fakeAthena();
    const report = await buildWarehouseAthena({ engine: engine(), store, config: defaultConfig() });
    expect(report.ok).toBe(true);
    const firstWord = (s: string) => s.split(/\s+/).slice(0, 5).join(' ');
    const viewIndex = (name: string) => statements.findIndex((s) => s.startsWith(`CREATE OR REPLACE VIEW ${name} AS`));
    // The canonical names are views over their staging models.
    expect(viewIndex('stg_invoices')).toBeGreaterThanOrEqual(0);
    expect(viewIndex('invoices')).toBe(viewIndex('stg_invoices') + 1);
    for (const m of MART_TABLES) {
      const ctas = statements.findIndex((s) => s.startsWith(`CREATE TABLE ${m.name}__ctas_`));
      expect(ctas, m.name).toBeGreaterThan(viewIndex('stg_invoices'));
      expect(statements[ctas]).toContain(`external_location = 's3://lake/marts/${m.name}/'`);
      expect(statements[ctas + 1]).toMatch(new RegExp(`^DROP TABLE IF EXISTS ${m.name}__ctas_`));
    }
    const lastModel = Math.max(...statements.map((s, i) => (/^(CREATE|DROP)/.test(s) ? i : -1)));
    const tests = statements.map((s, i) => [s, i] as const).filter(([s]) => s.startsWith('SELECT count(*) OVER ()'));
    expect(tests.length).toBe(report.tests.length);
    expect(tests.every(([, i]) => i > lastModel)).toBe(true);
    expect(statements.some((s) => /\bQUALIFY\b|::|\bEXCLUDE\b/.test(s))).toBe(false);
    expect(statements.map(firstWord).every((w) => /^(CREATE|DROP|SELECT)/.test(w))).toBe(true);
  });

  it('reports failing data tests (build not ok) and the model-runner handler logs them without throwing', async () => {
    fakeAthena(['ar_reconciles_to_ledger', 'ledger']);
    const lines: Record<string, unknown>[] = [];
    const run = createBuildHandler({ engine: engine(), store, config: defaultConfig(), log: jsonLogger({}, (l) => lines.push(JSON.parse(l))) });
    const report = await run({ Records: [{ body: JSON.stringify({ reason: 'ingest', table: 'invoices', batch_id: 'b1' }) }] }, { awsRequestId: 'r1' });
    expect(report.ok).toBe(false);
    expect(report.tests.filter((t) => !t.ok).length).toBeGreaterThan(0);
    expect(lines[0]).toMatchObject({ message: 'build started', request_id: 'r1', triggers: [{ reason: 'ingest', batch_id: 'b1' }] });
    expect(lines.at(-1)).toMatchObject({ level: 'error', message: 'build finished with failing data tests' });
  });

  it('lets a missing AWS region through unwrapped (a machine problem, not a model failure)', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new Error('Region is missing'));
    const run = buildWarehouseAthena({ engine: engine(), store, config: defaultConfig() });
    await expect(run).rejects.toThrow(/^Region is missing$/);
    athena.on(StartQueryExecutionCommand).rejects(new Error('Table not found: raw_invoices'));
    await expect(buildWarehouseAthena({ engine: engine(), store, config: defaultConfig() })).rejects.toThrow(
      /^model \w+ failed on Athena: Table not found/,
    );
  });
});
