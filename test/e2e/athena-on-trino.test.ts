/**
 * The Athena build executed for real: the statements `build --target athena` sends go through the
 * Athena-API stand-in (test/support/athena-on-trino.ts) to the real Trino, over a lake on an
 * S3-protocol server, with the Glue tables the CDK stack creates. The marts it publishes must equal
 * the DuckDB build of the same lake; a second build and a rollback switch the Glue tables between
 * versions that Trino then reads; no temporary table is left.
 *
 * Needs a Trino (`npm run trino:start`); skipped with one line when none runs, except in CI.
 */
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gluePartitionRegistrar, registerLakePartitions } from '../../src/aws/glue-partitions.js';
import { defaultConfig } from '../../src/config/config.js';
import { readBuildMarker } from '../../src/lake/build-marker.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { buildWarehouseAthena, rollbackAthena, type AthenaBuildReport } from '../../src/warehouse/athena/athena-build.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { AthenaOnTrino } from '../support/athena-on-trino.js';
import { diffMarts } from '../support/mart-diff.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { buildSmallLake } from '../support/small-lake.js';
import { trinoAvailable } from '../support/trino.js';

const available = await trinoAvailable();

describe.skipIf(!available)('the Athena build on a real Trino through the Athena API stand-in', () => {
  const database = `athena_${randomBytes(3).toString('hex')}`;
  const config = defaultConfig();
  let s3: TestS3;
  let standIn: AthenaOnTrino;
  let store: S3LakeStore;
  let lake: string;
  let duck: DuckDBEngine;
  let first: AthenaBuildReport;
  const engine = () => new AthenaEngine({ client: standIn.athena as never, workgroup: 'wg', database, pollInitialMs: 20, pollMaxMs: 200 });
  const build = (select?: string[]) => buildWarehouseAthena({ engine: engine(), store, config, select, glue: standIn.glue as unknown as GlueClient });

  beforeAll(async () => {
    // With a bank statement, so the matching marts (bank_receipts, payment_matching) have rows to compare.
    lake = await buildSmallLake({ customers: 40, months: 13, seed: '21', bankStatement: true });
    duck = await DuckDBEngine.open({ path: join(lake, 'warehouse.duckdb'), readOnly: true });
    s3 = await startTestS3();
    await s3.createBucket('lake');
    store = new S3LakeStore(s3.client, parseS3Uri('s3://lake/'));
    // The lake as the ingest Lambda leaves it: raw batches, manifests (and retire records) on S3.
    const local = new LocalLakeStore(lake);
    for (const prefix of ['raw/', 'manifests/', 'retired/']) {
      for (const key of await local.list(prefix)) {
        await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: readFileSync(local.pathOf(key)) }));
      }
    }
    standIn = new AthenaOnTrino({ s3: s3.client });
    await standIn.createStackTables(database, 'lake');
    const glue = standIn.glue as unknown as GlueClient;
    await registerLakePartitions(store, gluePartitionRegistrar({ client: glue, database }), CANONICAL_TABLES.map((t) => t.name));
    first = await build();
  }, 30 * 60_000);

  afterAll(async () => {
    await duck?.close();
    await standIn?.dropDatabase(database);
    standIn?.close();
    await s3?.close();
  }, 5 * 60_000);

  it('runs every statement of the Athena build on Trino: every model and data test passes, every mart is published', () => {
    const failed = first.tests.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? `${t.failingRows} rows ${JSON.stringify(t.sample)}`}`);
    expect(failed).toEqual([]);
    expect(first).toMatchObject({ ok: true, published: true, engine: 'athena' });
    expect(Object.keys(first.marts!).sort()).toEqual(MART_TABLES.map((m) => m.name).sort());
    expect(standIn.executions.filter((e) => e.state !== 'SUCCEEDED').map((e) => `${e.reason}\n${e.query.slice(0, 200)}`)).toEqual([]);
    // The CTAS statements really carried Athena's properties and S3 locations.
    expect(standIn.executions.some((e) => /write_compression = 'SNAPPY'.*external_location = 's3:\/\/lake\/marts\//s.test(e.query))).toBe(true);
    expect(first.scanned.bytes_scanned).toBeGreaterThan(0);
  });

  it('publishes marts equal to the DuckDB build of the same lake, read through the Glue tables', async () => {
    expect(await diffMarts(duck, engine(), ['DuckDB', 'Athena on Trino'])).toEqual([]);
  }, 10 * 60_000);

  it('leaves no temporary table, records the marts in the marker, and a second build plus a rollback switch the Glue tables', async () => {
    const tables = await engine().query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${database}' AND table_name LIKE '%\\_\\_ctas\\_%' ESCAPE '\\'`);
    expect(tables.rows).toEqual([]);
    const marker = (await readBuildMarker(store))!;
    expect(marker).toMatchObject({ build_id: first.build_id, engine: 'athena', marts: { dso_monthly: `marts/dso_monthly/${first.build_id}` } });

    // A second build of one mart: the collector's worklist, which reads two marts of the first build
    // (ar_open_items, customer_risk: kept, not rebuilt) and a staging model it copies again under its
    // own build. A mart with little upstream, so the second build costs seconds, not the full staging
    // chain again (dso_monthly's is 30 models); every other mart stays on the first build.
    const before = standIn.executions.length;
    const second = await build(['collection_worklist']);
    expect(second).toMatchObject({ ok: true, published: true });
    const ran = standIn.executions.slice(before).map((e) => e.query);
    const suffix = second.build_id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    expect(ran.filter((q) => q.startsWith(`CREATE TABLE stg_collection_actions__stg_${suffix} `))).toHaveLength(1);
    expect(ran.filter((q) => /^CREATE TABLE [a-z_]+__ctas_/.test(q)).map((q) => q.split(' ')[2])).toEqual([`collection_worklist__ctas_${suffix}`]);
    // No model changed: the readers' views the first build published stand as they are (recreating
    // them is most of a publish), and the marker keeps their fingerprints.
    const readerViews = (qs: string[]) => qs.filter((q) => /^CREATE OR REPLACE VIEW (?![a-z0-9_]+__v_)/.test(q));
    expect(readerViews(standIn.executions.slice(0, before).map((e) => e.query)).length).toBeGreaterThan(40);
    expect(readerViews(ran)).toEqual([]);
    expect(Object.keys(first.marker!.views!).length).toBeGreaterThan(40);
    expect((await readBuildMarker(store))!.views).toEqual(first.marker!.views);
    expect((await readBuildMarker(store))!.marts).toMatchObject({
      collection_worklist: `marts/collection_worklist/${second.build_id}`,
      ar_open_items: `marts/ar_open_items/${first.build_id}`,
      customer_risk: `marts/customer_risk/${first.build_id}`,
    });
    expect((await readBuildMarker(store))!.history!.map((h) => h.build_id)).toEqual([first.build_id]);
    const location = async () =>
      ((await standIn.glue.send(new GetTableCommand({ DatabaseName: database, Name: 'collection_worklist' }) as never)) as { Table: { StorageDescriptor: { Location: string } } }).Table.StorageDescriptor.Location;
    expect(await location()).toBe(`s3://lake/marts/collection_worklist/${second.build_id}/`);
    const count = async () => Number((await engine().query('SELECT count(*) AS n FROM collection_worklist')).rows[0]!.n);
    const rows = await count();
    expect(rows).toBeGreaterThan(0);
    const worklist = MART_TABLES.filter((m) => m.name === 'collection_worklist');
    expect(await diffMarts(duck, engine(), ['DuckDB', 'Athena on Trino'], worklist)).toEqual([]);
    const rolled = await rollbackAthena({ store, database, glue: standIn.glue as unknown as GlueClient });
    expect(rolled!.to.build_id).toBe(first.build_id);
    // The mart reads the first build's folder again, with the same rows.
    expect(await location()).toBe(`s3://lake/marts/collection_worklist/${first.build_id}/`);
    const locations = standIn.executions.length;
    expect(await count()).toBe(rows);
    expect(standIn.executions.length).toBe(locations + 1);
    expect(await diffMarts(duck, engine(), ['DuckDB', 'Athena on Trino'], worklist)).toEqual([]);
  }, 20 * 60_000);
});
