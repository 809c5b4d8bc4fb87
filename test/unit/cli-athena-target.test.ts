import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchCreatePartitionCommand, CreateTableCommand, GetTableCommand, GlueClient, UpdateTableCommand } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
let work: string;
let statements: string[];

function sink() {
  let text = '';
  return { stream: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
}
async function cli(...argv: string[]) {
  const out = sink();
  const err = sink();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, cwd: work, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}

beforeAll(() => {
  process.env.AWS_REGION ??= 'eu-west-1';
  work = mkdtempSync(join(tmpdir(), 'creditlake-cli-athena-'));
  writeFileSync(
    join(work, 'creditlake.config.json'),
    JSON.stringify({ lake: 's3://acme-lake/', athena: { workgroup: 'acme-wg', database: 'acme_db' } }),
  );
});
afterAll(() => {
  athena.restore();
  s3.restore();
  glue.restore();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  athena.reset();
  s3.reset();
  statements = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString: string }) => {
    statements.push(input.QueryString);
    return { QueryExecutionId: String(statements.length) };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DML' } });
  athena.on(GetQueryResultsCommand).resolves({
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: [{ Name: 'open_amount', Type: 'decimal', Precision: 18, Scale: 2 }] },
      Rows: [{ Data: [{ VarCharValue: 'open_amount' }] }, { Data: [{ VarCharValue: '1234.50' }] }],
    },
  });
  s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  s3.on(DeleteObjectsCommand).resolves({});
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));
  s3.on(PutObjectCommand).resolves({});
  glue.reset();
  glue.on(GetTableCommand).resolves({ Table: { Name: 'raw_invoices', StorageDescriptor: { Location: 's3://acme-lake/raw/invoices/' } } });
  glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
  glue.on(UpdateTableCommand).resolves({});
  glue.on(CreateTableCommand).resolves({});
});

const markerWritten = () => {
  const put = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'marts/_build.json');
  return put ? JSON.parse(String(put.args[0].input.Body)) : undefined;
};

describe('build --target athena --rollback', () => {
  it('points every mart back at the build before the published one and records that build as published', async () => {
    const marker = {
      build_id: 'B3', finished_at: '2026-12-02T12:00:00Z', ok: true, models: 2, config: {},
      marts: { ar_aging: 'marts/ar_aging/B3', dso_monthly: 'marts/dso_monthly/B3' },
      history: [{ build_id: 'B2', finished_at: '2026-12-01T12:00:00Z', marts: { ar_aging: 'marts/ar_aging/B2', dso_monthly: 'marts/dso_monthly/B2' } }],
    };
    s3.on(GetObjectCommand, { Key: 'marts/_build.json' }).resolves({ Body: { transformToString: async () => JSON.stringify(marker) } as never });
    glue.on(GetTableCommand).resolves({ Table: { Name: 'x' } });
    const r = await cli('build', '--target', 'athena', '--rollback');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rolled back: the marts of build B2 are published again (was B3); 0 older version(s) kept');
    const locations = glue.commandCalls(UpdateTableCommand).map((c) => [c.args[0].input.TableInput!.Name, c.args[0].input.TableInput!.StorageDescriptor!.Location]);
    expect(locations).toEqual([['ar_aging', 's3://acme-lake/marts/ar_aging/B2/'], ['dso_monthly', 's3://acme-lake/marts/dso_monthly/B2/']]);
    expect(markerWritten()).toMatchObject({ build_id: 'B2', marts: { ar_aging: 'marts/ar_aging/B2' }, history: [] });
    expect(statements).toEqual([]);
  });

  it('says so when no earlier version is kept, and refuses --rollback on the embedded target', async () => {
    const r = await cli('build', '--target', 'athena', '--rollback');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no earlier version of the marts is kept on this lake');
    const local = await cli('build', '--rollback');
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('--rollback needs --target athena');
  });
});

describe('cost on a CLI build', () => {
  it('prints the bytes the build scanned and the estimated cost, and puts them in --json', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DDL', Statistics: { DataScannedInBytes: 50 * 1024 * 1024 } },
    });
    const r = await cli('build', '--target', 'athena', '--no-tests', '--select', '+ar_aging');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scanned [\d.]+ (MB|GB) in \d+ queries \(billed [\d.]+ (MB|GB)\), estimated \$\d+\.\d{2,4} at \$5\/TB/);
    const j = await cli('build', '--target', 'athena', '--no-tests', '--select', '+ar_aging', '--json');
    const report = JSON.parse(j.stdout);
    expect(report.scanned.bytes_scanned).toBe(report.scanned.queries * 50 * 1024 * 1024);
    expect(report.scanned.estimated_usd).toBeGreaterThan(0);
  });
});

describe('raw partitions on a CLI build', () => {
  it('registers the days of raw files in the lake (CLI ingests register nothing themselves) in the configured database', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'raw/invoices/' }).resolves({
      Contents: [{ Key: 'raw/invoices/ingest_date=2026-11-30/a.parquet' }, { Key: 'raw/invoices/ingest_date=2026-12-01/b.parquet' }],
      IsTruncated: false,
    });
    const r = await cli('build', '--target', 'athena', '--no-tests', '--select', '+ar_aging');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registered 2 new raw partition(s) in Glue');
    const calls = glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([expect.objectContaining({ DatabaseName: 'acme_db', TableName: 'raw_invoices' })]);
    expect(calls[0]!.PartitionInputList!.map((p) => p.Values![0])).toEqual(['2026-11-30', '2026-12-01']);
  });
});

describe('the deployed config on the lake', () => {
  it("a CLI build uses the config the lake's stack deployed (from the build marker), says so, and records it again", async () => {
    const deployed = { aging: { bucket_edges: [30, 60, 120] }, reporting_currency: 'USD' };
    s3.on(GetObjectCommand, { Key: 'marts/_build.json' }).resolves({
      Body: { transformToString: async () => JSON.stringify({ build_id: 'b1', finished_at: '2026-01-01T00:00:00Z', ok: true, models: 3, config: deployed }) } as never,
    });
    const r = await cli('build', '--target', 'athena', '--no-tests', '--select', '+ar_aging');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: using the config this lake's stack deployed; it differs from yours in reporting_currency, aging/);
    // The deployed bucket edges reach the compiled mart, not the local defaults.
    const aging = statements.find((q) => /CREATE TABLE ar_aging__ctas_/.test(q))!;
    expect(aging).toMatch(/120/);
    expect(markerWritten()).toMatchObject({ ok: true, config: deployed });
  });

  it('without a deployed config the local one is used and recorded, without lake or workgroup', async () => {
    const r = await cli('build', '--target', 'athena', '--no-tests', '--select', '+ar_aging');
    expect(r.stderr).toBe('');
    const m = markerWritten();
    expect(m.config.aging.bucket_edges).toEqual([14, 30, 60, 90]);
    expect(m.config.lake).toBeUndefined();
    expect(m.config.athena).toBeUndefined();
  });
});

describe('creditlake query/build --target athena', () => {
  it('queries Athena in the configured workgroup and database and prints typed rows', async () => {
    const r = await cli('query', '--target', 'athena', '--format', 'csv', 'SELECT sum(open_amount) AS open_amount FROM ar_open_items;');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\r?\n/)).toEqual(['open_amount', '1234.50']);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toMatchObject({
      QueryString: 'SELECT sum(open_amount) AS open_amount FROM ar_open_items',
      WorkGroup: 'acme-wg',
      QueryExecutionContext: { Database: 'acme_db' },
    });
  });

  it('builds on Athena over the S3 lake from config', async () => {
    const r = await cli('build', '--target', 'athena', '--no-tests', '--select', '+ar_aging');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/building on Athena \(workgroup acme-wg, database acme_db\) over s3:\/\/acme-lake\//);
    expect(statements.some((s) => s.startsWith('CREATE OR REPLACE VIEW stg_invoices AS'))).toBe(true);
    expect(statements.some((s) => /external_location = 's3:\/\/acme-lake\/marts\/ar_aging\/\d{8}T\d{6}Z-\w+\/'/.test(s))).toBe(true);
    expect(r.stdout).toMatch(/build \d{8}T\d{6}Z-\w+ published/);
    // The mart's Glue table now names the new version.
    const update = glue.commandCalls(CreateTableCommand).concat(glue.commandCalls(UpdateTableCommand) as never[]).map((c) => c.args[0].input.TableInput!);
    expect(update.find((t) => t.Name === 'ar_aging')!.StorageDescriptor!.Location).toMatch(/^s3:\/\/acme-lake\/marts\/ar_aging\/\d{8}T\d{6}Z-\w+\/$/);
  });

  it('query says in one line, without a stack trace, when AWS has no region or credentials', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new Error('Region is missing'));
    const q = await cli('query', '--target', 'athena', 'SELECT 1');
    expect(q.code).toBe(1);
    expect(q.stderr).toBe('creditlake query: no AWS region: set AWS_REGION, or an AWS_PROFILE that has a region\n');
    const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    athena.on(StartQueryExecutionCommand).rejects(noCreds);
    const c = await cli('query', '--target', 'athena', 'SELECT 1');
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/^creditlake query: no AWS credentials: .*Could not load credentials from any providers\)\n$/);
  });

  it('ingest into an S3 lake: a mistyped lake is an invalid-config error, a missing region one line', async () => {
    writeFileSync(join(work, 'c.csv'), 'customer_id,name\n');
    const bad = await cli('ingest', '--lake', 's3://x/', '--table', 'customers', 'c.csv');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('creditlake ingest: invalid lake: not an S3 location (expected s3://bucket/prefix): s3://x/\n');
    s3.onAnyCommand().rejects(new Error('Region is missing'));
    const noRegion = await cli('ingest', '--lake', 's3://acme-lake/', '--table', 'customers', 'c.csv');
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr).toBe('creditlake ingest: no AWS region: set AWS_REGION, or an AWS_PROFILE that has a region\n');
  });

  it('refuses a local lake and an unknown target with a usage error', async () => {
    const local = await cli('build', '--target', 'athena', '--lake', 'some/dir');
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--target athena needs the S3 lake/);
    const badBucket = await cli('build', '--target', 'athena', '--lake', 's3://x/');
    expect(badBucket.code).toBe(2);
    expect(badBucket.stderr).toMatch(/^creditlake build: not an S3 location \(expected s3:\/\/bucket\/prefix\): s3:\/\/x\/\n/);
    const bogus = await cli('query', '--target', 'snowflake', 'SELECT 1');
    expect(bogus.code).toBe(2);
    expect(statements).toEqual([]);
  });
});
