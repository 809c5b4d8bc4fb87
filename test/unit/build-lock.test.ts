/**
 * One build at a time per S3 lake: the build Lambda and `creditlake build --target athena` take the same
 * lock (S3 conditional writes). A CLI build that finds the lake busy waits and joins the running build's
 * result instead of racing it into the same marts; an abandoned lock expires and is taken over by exactly
 * one builder.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { BatchCreatePartitionCommand, CreateTableCommand, GetTableCommand, GlueClient, UpdateTableCommand } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runAthenaBuild } from '../../src/cli/athena-target.js';
import { BUILD_LOCK_KEY, BuildLock } from '../../src/aws/build-lock.js';
import { parseConfig } from '../../src/config/config.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { conditionalS3 } from '../support/conditional-s3.js';

const s3mock = mockClient(S3Client);
const athena = mockClient(AthenaClient);
const glue = mockClient(GlueClient);
let bucket: ReturnType<typeof conditionalS3>;
let statements: string[];
afterAll(() => {
  s3mock.restore();
  athena.restore();
  glue.restore();
});
beforeEach(() => {
  s3mock.reset();
  athena.reset();
  glue.reset();
  bucket = conditionalS3(s3mock);
  statements = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (i: { QueryString: string }) => {
    statements.push(i.QueryString);
    return { QueryExecutionId: String(statements.length) };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DDL' } });
  athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
  glue.on(GetTableCommand).resolves({ Table: { Name: 'raw_x', StorageDescriptor: { Location: 's3://lake/raw/x/' } } });
  glue.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
  glue.on(UpdateTableCommand).resolves({});
  glue.on(CreateTableCommand).resolves({});
});

const store = () => new S3LakeStore(new S3Client({ region: 'eu-west-1' }), parseS3Uri('s3://lake/'));

describe('the lock', () => {
  it('one holder at a time; a second builder sees who holds it; release frees it', async () => {
    let clock = Date.parse('2026-12-02T10:00:00Z');
    const lock = new BuildLock(store(), { ttlMs: 60_000, now: () => clock });
    const a = await lock.acquire('lambda:req-1');
    expect(a.acquired).toBe(true);
    const b = await lock.acquire('cli:ana@laptop:42');
    expect(b).toEqual({ acquired: false, holder: expect.objectContaining({ owner: 'lambda:req-1', acquired_at: '2026-12-02T10:00:00.000Z' }) });
    // Renewing keeps it past the first expiry.
    clock += 50_000;
    if (a.acquired) await a.lock.renew();
    clock += 50_000;
    expect((await lock.acquire('cli:ana@laptop:42')).acquired).toBe(false);
    if (a.acquired) await a.lock.release();
    expect(bucket.get('lake', BUILD_LOCK_KEY)).toBeUndefined();
    expect((await lock.acquire('cli:ana@laptop:42')).acquired).toBe(true);
  });

  it('a state machine execution holds it while it runs (past the expiry) and frees it the moment it stops; its steps renew it, anyone else cannot', async () => {
    let clock = Date.parse('2026-12-02T10:00:00Z');
    const lock = new BuildLock(store(), { ttlMs: 60_000, now: () => clock });
    const owner = 'sfn:arn:aws:states:eu-west-1:1:execution:creditlake-build:a';
    expect((await lock.acquire(owner)).acquired).toBe(true);
    let running = true;
    const alive = async (h: { owner: string }) => (h.owner.startsWith('sfn:') ? running : undefined);
    clock += 10 * 60_000;
    expect((await lock.acquire('sfn:other', alive)).acquired).toBe(false);
    // Any step of the execution renews it (after half its ttl); another owner's renewal is refused.
    await lock.renewAs(owner);
    expect(Date.parse((await lock.current())!.info.expires_at)).toBe(clock + 60_000);
    await expect(lock.renewAs('sfn:other')).rejects.toMatchObject({ name: 'LockLost' });
    running = false;
    expect((await lock.acquire('sfn:other', alive)).acquired).toBe(true);
    await expect(lock.renewAs(owner)).rejects.toMatchObject({ name: 'LockLost' });
    await lock.releaseAs(owner);
    expect((await lock.current())!.info.owner).toBe('sfn:other');
    await lock.releaseAs('sfn:other');
    expect(await lock.current()).toBeUndefined();
  });

  it('a killed holder stops renewing: after the expiry exactly one of two racing builders takes over', async () => {
    let clock = Date.parse('2026-12-02T10:00:00Z');
    const lock = new BuildLock(store(), { ttlMs: 60_000, now: () => clock });
    await lock.acquire('lambda:killed');
    clock += 61_000;
    const results = await Promise.all([lock.acquire('cli:a'), lock.acquire('lambda:b')]);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const loser = results.find((r) => !r.acquired)!;
    expect(loser.acquired ? '' : loser.holder.owner).toMatch(/^(cli:a|lambda:b)$/);
    expect(JSON.parse(bucket.get('lake', BUILD_LOCK_KEY)!).owner).not.toBe('lambda:killed');
  });
});

describe('a CLI build while another build holds the lake', () => {
  it('waits, then joins the running build (its marker) without running a statement of its own', async () => {
    const lambda = await new BuildLock(store(), { ttlMs: 60_000 }).acquire('lambda:req-9');
    expect(lambda.acquired).toBe(true);
    const out: string[] = [];
    const err: string[] = [];
    const sink = (to: string[]) => new Writable({ write: (c, _e, cb) => (to.push(String(c)), cb()) });
    const engine = new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'wg', database: 'db', sleep: async () => {} });
    const run = runAthenaBuild(
      { config: parseConfig({ lake: 's3://lake/' }), lakeRoot: 's3://lake/', select: [], skipTests: true, json: false, engine: () => engine, store: store(), lockPollMs: 5 },
      { stdout: sink(out), stderr: sink(err), cwd: tmpdir(), env: {} } as never,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(err.join('')).toMatch(/a build is running on this lake \(lambda:req-9, since .*\); waiting for it to finish/);
    // The Lambda's build finishes: marker written, lock released.
    bucket.put('lake', 'marts/_build.json', JSON.stringify({ build_id: 'b-lambda', finished_at: new Date().toISOString(), ok: true, models: 70 }));
    if (lambda.acquired) await lambda.lock.release();
    expect(await run).toBe(0);
    expect(err.join('')).toContain('joined the running build: b-lambda finished ok');
    expect(statements).toEqual([]);
  });

  it('a build that holds the lake keeps it for its whole run and frees it at the end', async () => {
    const engine = new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'wg', database: 'db', sleep: async () => {} });
    let seenDuring: string | undefined;
    athena.on(StartQueryExecutionCommand).callsFake(async (i: { QueryString: string }) => {
      seenDuring ??= bucket.get('lake', BUILD_LOCK_KEY);
      statements.push(i.QueryString);
      return { QueryExecutionId: String(statements.length) };
    });
    const code = await runAthenaBuild(
      { config: parseConfig({ lake: 's3://lake/' }), lakeRoot: 's3://lake/', select: ['+ar_aging'], skipTests: true, json: true, engine: () => engine, store: store() },
      { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: new Writable({ write: (_c, _e, cb) => cb() }), cwd: tmpdir(), env: {} } as never,
    );
    expect(code).toBe(0);
    expect(JSON.parse(seenDuring!).owner).toMatch(/^cli:/);
    expect(bucket.get('lake', BUILD_LOCK_KEY)).toBeUndefined();
    expect(JSON.parse(bucket.get('lake', 'marts/_build.json')!)).toMatchObject({ ok: true });
  });
});

describe('build --target athena with the stack\'s state machine configured', () => {
  const SM = 'arn:aws:states:eu-west-1:123456789012:stateMachine:creditlake-build';
  const config = () => parseConfig({ lake: 's3://lake/', athena: { state_machine_arn: SM } });
  const io = (out: string[], err: string[]) => {
    const sink = (to: string[]) => new Writable({ write: (c, _e, cb) => (to.push(String(c)), cb()) });
    return { stdout: sink(out), stderr: sink(err), cwd: tmpdir(), env: {} } as never;
  };
  const sfnMock = mockClient(SFNClient);
  afterAll(() => sfnMock.restore());

  it('joins the execution that holds the lake and prints its outcome, starting nothing and running no statement', async () => {
    sfnMock.reset();
    const exec = `${SM.replace(':stateMachine:', ':execution:')}:nightly-1`;
    await new BuildLock(store(), { ttlMs: 60_000 }).acquire(`sfn:${exec}`);
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify({ ok: true, published: true, build_id: 'b-7', scanned: { queries: 180, bytes_scanned: 2e9, bytes_billed: 3e9 } }) });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAthenaBuild({ config: config(), lakeRoot: 's3://lake/', select: [], skipTests: false, json: false, store: store(), sfn: new SFNClient({ region: 'eu-west-1' }), lockPollMs: 1 }, io(out, err));
    expect(code).toBe(0);
    expect(out.join('')).toContain(`joining the running build ${exec}`);
    expect(out.join('')).toMatch(/ok: build b-7 published\nscanned 1\.9 GB in 180 queries/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(statements).toEqual([]);
  });

  it('starts an execution when none runs and fails with its error when a data test failed', async () => {
    sfnMock.reset();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${SM}:cli-1` });
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolves({ status: 'FAILED', error: 'DataTestsFailed', cause: '[{"name":"unique__dso_monthly","failing_rows":1}]' });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAthenaBuild({ config: config(), lakeRoot: 's3://lake/', select: ['dso_monthly'], skipTests: false, json: false, store: store(), sfn: new SFNClient({ region: 'eu-west-1' }), lockPollMs: 1 }, io(out, err));
    expect(code).toBe(1);
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toEqual({ reason: 'cli', select: ['dso_monthly'] });
    expect(err.join('')).toContain('the build failed (DataTestsFailed): [{"name":"unique__dso_monthly","failing_rows":1}]; readers keep the previous marts');
    await expect(runAthenaBuild({ config: config(), lakeRoot: 's3://lake/', select: [], skipTests: true, json: false, store: store(), sfn: new SFNClient({ region: 'eu-west-1' }) }, io(out, err))).rejects.toThrow(/--no-tests cannot be used/);
  });
});
