/**
 * Issue 13, item 4: small raw files of an S3 lake are compacted on a schedule without changing any
 * figure. The scheduled Lambda's handler (functions/compact.ts) runs against a lake on an S3-protocol
 * server, as the ingest Lambda leaves it (a small generated ledger ingested as many small files, one of
 * them a correction that must keep winning): it waits out a running build (the lake's build lock),
 * takes over the lock of a build that is dead, registers each compacted file's ingest day in Glue
 * before the commit that makes it count, and leaves every mart of a build of the compacted lake
 * byte-identical to the one before. Athena reading compacted files is proven on Trino in
 * athena-committed-reads and aws-pipeline.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompactHandler } from '../../functions/compact.js';
import { BuildLock } from '../../src/aws/build-lock.js';
import { partitionOfKey, type PartitionRegistrar } from '../../src/aws/glue-partitions.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { defaultConfig } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { generateLedger } from '../../src/generator/index.js';
import { committedDataKeys, listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { canonicalTable } from '../../src/schema/index.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { withConditionalPuts } from '../support/conditional-s3.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

let s3: TestS3;
let work: string;
/** Mart bytes of the DuckDB build of the lake before compaction. */
let before: Map<string, string>;
const registered: { key: string; committedThen: number }[] = [];

const lake = () => new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
const lock = () => new BuildLock(withConditionalPuts(lake()), { ttlMs: 15 * 60_000 });

/** Splits a CSV into `n` files of about equal lines, each with the header. */
function split(file: string, n: number, stem: string): string[] {
  const [head, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const size = Math.ceil(rows.length / n);
  return Array.from({ length: n }, (_, i) => {
    const out = join(work, `${stem}-${i + 1}.csv`);
    writeFileSync(out, [head, ...rows.slice(i * size, (i + 1) * size)].join('\n') + '\n');
    return out;
  });
}

/** Bytes of every published mart of a DuckDB build of `root` (the build marker names each mart's file). */
async function buildMarts(root: string): Promise<Map<string, string>> {
  // Data tests leave the marts as they are: skipped to keep this file cheap.
  expect((await buildWarehouse({ lakeRoot: root, config: defaultConfig(), skipTests: true })).ok).toBe(true);
  const marker = JSON.parse(readFileSync(join(root, 'marts', '_build.json'), 'utf8')) as { marts: Record<string, string> };
  return new Map(Object.entries(marker.marts).map(([m, rel]) => [m, readFileSync(join(root, rel)).toString('base64')]));
}

/** The S3 lake's committed data as a local folder (what a build reads: raw/, manifests/, retired/). */
async function download(): Promise<string> {
  const root = join(mkdtempSync(join(work, 'copy-')), 'lake');
  for (const prefix of ['raw/', 'manifests/', 'retired/']) {
    for (const key of await lake().list(prefix)) {
      const body = await (await s3.client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }))).Body!.transformToByteArray();
      mkdirSync(dirname(join(root, key)), { recursive: true });
      writeFileSync(join(root, key), body);
    }
  }
  return root;
}

/** A Glue stand-in that records each registration and how many batches of the table were committed then. */
const partitions: PartitionRegistrar = {
  async register(keys) {
    for (const key of keys) {
      const p = partitionOfKey(key)!;
      registered.push({ key, committedThen: (await listManifests(lake(), p.table)).length });
    }
    return keys.map((k) => `raw_${partitionOfKey(k)!.table}/ingest_date=${partitionOfKey(k)!.day}`);
  },
};

const compact = (running: boolean | undefined) =>
  createCompactHandler({
    store: lake(),
    lock: lock(),
    partitions,
    executionRunning: async () => running,
    scratchDir: work,
    log: jsonLogger({}, () => undefined),
  })({ id: 'event-1' }, { awsRequestId: 'req-1' });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'creditlake-compact-s3-'));
  s3 = await startTestS3();
  await s3.createBucket('lake');
  await generateLedger({ customers: 6, months: 3, seed: 'compact-s3', outDir: join(work, 'ledger') });
  const L = (t: string) => join(work, 'ledger', `${t}.csv`);
  const local = join(work, 'ingested');
  const ingest = async (table: string, files: string[]) => {
    for (const f of files) expect((await ingestFiles({ lakeRoot: local, table: canonicalTable(table), files: [f], threads: 1 })).ok).toBe(true);
  };
  await ingest('customers', [L('customers')]);
  await ingest('invoices', split(L('invoices'), 3, 'invoices'));
  await ingest('payments', split(L('payments'), 2, 'payments'));
  await ingest('payment_allocations', [L('payment_allocations')]);
  // A corrected re-export of one invoice, ingested last: this later version must keep winning.
  const [head, first] = readFileSync(L('invoices'), 'utf8').split('\n');
  const cols = head!.split(',');
  const vals = first!.split(',');
  vals[cols.indexOf('amount')] = (Number(vals[cols.indexOf('amount')]) + 100).toFixed(2);
  writeFileSync(join(work, 'invoices-correction.csv'), `${head}\n${vals.join(',')}\n`);
  await ingest('invoices', [join(work, 'invoices-correction.csv')]);
  // The lake as the ingest Lambda leaves it on S3.
  const store = new LocalLakeStore(local);
  for (const prefix of ['raw/', 'quarantine/', 'manifests/']) {
    for (const key of await store.list(prefix)) await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: readFileSync(store.pathOf(key)) }));
  }
  before = await buildMarts(await download());
}, 5 * 60_000);

afterAll(async () => {
  await s3?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('scheduled compaction of an S3 lake (the Compact Lambda handler on s3rver)', () => {
  it('leaves the lake alone while a running build holds it (the next schedule compacts)', async () => {
    const held = await lock().acquire('sfn:arn:aws:states:eu-west-1:123456789012:execution:creditlake-build:run-1');
    expect(held.acquired).toBe(true);
    const keys = await lake().list('');
    expect(await compact(true)).toEqual({ status: 'busy', holder: 'sfn:arn:aws:states:eu-west-1:123456789012:execution:creditlake-build:run-1', tables: [] });
    expect(await lake().list('')).toEqual(keys);
    expect(registered).toEqual([]);
  });

  it('takes over the lock of a build that is no longer running, compacts every table with small files, registers each new file’s day before its commit, frees the lock', async () => {
    const out = await compact(false);
    expect(out.status).toBe('done');
    const byTable = Object.fromEntries(out.tables.map((t) => [t.table, [t.files_before, t.files_after]]));
    expect(byTable).toEqual({ customers: [1, 1], invoices: [4, 1], payment_allocations: [1, 1], payments: [2, 1] });
    for (const table of ['invoices', 'payments']) {
      const live = await committedDataKeys(lake(), table);
      expect(live).toHaveLength(1);
      const manifests = await listManifests(lake(), table);
      const compaction = manifests.find((m) => m.compacted_sha256?.length)!;
      expect(compaction.data_key).toBe(live[0]);
      // Registered while the table still had only its original batches: the commit came after.
      const reg = registered.find((r) => r.key === compaction.data_key)!;
      expect(reg.committedThen).toBe(manifests.length - 1);
    }
    expect(registered).toHaveLength(2);
    expect(await new BuildLock(lake()).current()).toBeUndefined();
  });

  it('changes no figure: every mart of a build of the compacted lake is byte-identical; a second run has nothing to do', async () => {
    const after = await buildMarts(await download());
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect([...after].filter(([m, bytes]) => before.get(m) !== bytes).map(([m]) => m)).toEqual([]);
    const again = await compact(false);
    expect(again.tables.every((t) => t.files_before === 1 && !t.batch_id)).toBe(true);
  }, 5 * 60_000);
});
