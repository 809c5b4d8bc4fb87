import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitBatch, committedDataKeys, findManifest, findOrphans } from '../../src/lake/commit-batch.js';
import { LocalLakeStore, TEMP_PREFIX } from '../../src/lake/local-store.js';
import type { BatchManifest } from '../../src/lake/manifest.js';
import type { LakeStore } from '../../src/lake/store.js';

const dir = mkdtempSync(join(tmpdir(), 'ingest-lake-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHA = 'ab'.repeat(32);
function manifest(batch: string, quarantine: boolean): BatchManifest {
  return {
    format_version: 1,
    batch_id: batch,
    table: 'invoices',
    source_file: 'x.csv',
    sha256: SHA,
    size_bytes: 1,
    rows_read: 1,
    rows_loaded: 1,
    rows_rejected: 0,
    top_reasons: [],
    ingest_date: '2024-05-01',
    started_at: '2024-05-01T00:00:00.000Z',
    finished_at: '2024-05-01T00:00:01.000Z',
    data_key: `raw/invoices/ingest_date=2024-05-01/${batch}.parquet`,
    quarantine_key: quarantine ? `quarantine/invoices/${batch}.parquet` : null,
  };
}

describe('LocalLakeStore', () => {
  const store = new LocalLakeStore(join(dir, 'lake1'));

  it('puts, lists, reads and deletes by lake key', async () => {
    const src = join(dir, 'src.bin');
    writeFileSync(src, 'hello');
    await store.putFile(src, 'raw/t/ingest_date=2024-01-01/a.parquet');
    await store.writeText('manifests/t/h.json', '{}');
    expect(await store.list('raw')).toEqual(['raw/t/ingest_date=2024-01-01/a.parquet']);
    expect(await store.readText('manifests/t/h.json')).toBe('{}');
    expect(await store.readText('manifests/t/nope.json')).toBeUndefined();
    expect(await store.exists('raw/t/ingest_date=2024-01-01/a.parquet')).toBe(true);
    await store.delete('raw/t/ingest_date=2024-01-01/a.parquet');
    await store.delete('raw/t/ingest_date=2024-01-01/a.parquet');
    expect(await store.list('raw')).toEqual([]);
    expect(await store.list('no/such/prefix')).toEqual([]);
  });

  it('never lists in-flight temporaries and leaves none after a failed put', async () => {
    const folder = join(store.root, 'raw/t/ingest_date=2024-01-02');
    await store.writeText('raw/t/ingest_date=2024-01-02/b.json', 'x');
    writeFileSync(join(folder, `${TEMP_PREFIX}c.parquet.1.abcd`), 'partial');
    expect(await store.list('raw/t/ingest_date=2024-01-02')).toEqual(['raw/t/ingest_date=2024-01-02/b.json']);
    await expect(store.putFile(join(dir, 'missing-file'), 'raw/t/ingest_date=2024-01-02/d.parquet')).rejects.toThrow();
    expect(readdirSync(folder).sort()).toEqual([`${TEMP_PREFIX}c.parquet.1.abcd`, 'b.json']);
  });

  it('puts a local file as a link or a copy with the same bytes, and the same file twice leaves no temporary', async () => {
    const src = join(dir, 'twice.bin');
    writeFileSync(src, 'bytes');
    const key = 'raw/t/ingest_date=2024-01-03/e.parquet';
    await store.putFile(src, key);
    await store.putFile(src, key);
    rmSync(src);
    // The scratch file's removal leaves the lake's object whole.
    expect(readFileSync(join(store.root, key), 'utf8')).toBe('bytes');
    expect(readdirSync(join(store.root, 'raw/t/ingest_date=2024-01-03'))).toEqual(['e.parquet']);
  });

  it('refuses keys that escape the lake', () => {
    expect(() => store.pathOf('../etc/passwd')).toThrow(/escapes/);
  });
});

describe('commitBatch', () => {
  const store: LakeStore = new LocalLakeStore(join(dir, 'lake2'));
  const data = join(dir, 'data.parquet');
  const quar = join(dir, 'quar.parquet');
  writeFileSync(data, 'D');
  writeFileSync(quar, 'Q');

  it('writes data, quarantine and the manifest last, recording the file hash', async () => {
    const order: string[] = [];
    const spy: LakeStore = {
      location: 'spy',
      exists: (k) => store.exists(k),
      list: (p) => store.list(p),
      readText: (k) => store.readText(k),
      writeText: async (k, t) => (order.push(k), store.writeText(k, t)),
      putFile: async (f, k) => (order.push(k), store.putFile(f, k)),
      delete: (k) => store.delete(k),
    };
    const m = manifest('20240501T000000Z-abababababab', true);
    await commitBatch(spy, m, { dataFile: data, quarantineFile: quar });
    expect(order).toEqual([m.data_key, m.quarantine_key, `manifests/invoices/${SHA}.json`]);
    expect(await findManifest(store, 'invoices', SHA)).toEqual(m);
    expect(await committedDataKeys(store, 'invoices')).toEqual([m.data_key]);
  });

  it('removes orphans of an interrupted attempt at the same file before committing again', async () => {
    const lake = new LocalLakeStore(join(dir, 'lake3'));
    // A crash after the data put of an earlier attempt (yesterday) left an orphan without manifest.
    const old = manifest('20240430T235959Z-abababababab', true);
    old.data_key = 'raw/invoices/ingest_date=2024-04-30/20240430T235959Z-abababababab.parquet';
    await lake.putFile(data, old.data_key);
    await lake.putFile(quar, old.quarantine_key!);
    await lake.putFile(data, 'raw/invoices/ingest_date=2024-04-30/20240430T000000Z-cdcdcdcdcdcd.parquet');
    expect(await findOrphans(lake, 'invoices', SHA)).toHaveLength(2);
    const m = manifest('20240501T000000Z-abababababab', false);
    await commitBatch(lake, m, { dataFile: data });
    expect(await lake.list('raw/invoices')).toEqual([
      'raw/invoices/ingest_date=2024-04-30/20240430T000000Z-cdcdcdcdcdcd.parquet',
      m.data_key,
    ]);
    expect(await lake.list('quarantine')).toEqual([]);
    expect(existsSync(lake.pathOf(`manifests/invoices/${SHA}.json`))).toBe(true);
  });

  it('never deletes an object a manifest names, nor a young orphan a running attempt may still commit', async () => {
    const lake = new LocalLakeStore(join(dir, 'lake4'));
    const committed = manifest('20240501T000000Z-abababababab', false);
    await commitBatch(lake, committed, { dataFile: data });
    await lake.putFile(data, 'raw/invoices/ingest_date=2024-05-01/20240501T095900Z-abababababab.parquet');
    const now = new Date('2024-05-01T10:00:00Z');
    // Committed (named by its manifest) and young (an attempt of a minute ago may still commit it).
    expect(await findOrphans(lake, 'invoices', SHA, { now })).toEqual([]);
    // Without its manifest the old object is an orphan; the young one still is not.
    await lake.delete(`manifests/invoices/${SHA}.json`);
    expect(await findOrphans(lake, 'invoices', SHA, { now })).toEqual([committed.data_key]);
    // Any manifest naming an object keeps it.
    await lake.writeText(`manifests/invoices/${'cd'.repeat(32)}.json`, JSON.stringify({ ...committed, sha256: 'cd'.repeat(32) }));
    expect(await findOrphans(lake, 'invoices', SHA, { now })).toEqual([]);
  });

  it('a retry that finds the batch committed keeps it and writes nothing (roll forward)', async () => {
    const lake = new LocalLakeStore(join(dir, 'lake5'));
    const first = manifest('20240501T000000Z-abababababab', false);
    await commitBatch(lake, first, { dataFile: data });
    const writes: string[] = [];
    const spy: LakeStore = {
      location: 'spy',
      exists: (k) => lake.exists(k),
      list: (p) => lake.list(p),
      readText: (k) => lake.readText(k),
      writeText: async (k, t) => (writes.push(k), lake.writeText(k, t)),
      putFile: async (f, k) => (writes.push(k), lake.putFile(f, k)),
      delete: async (k) => (writes.push(k), lake.delete(k)),
    };
    const r = await commitBatch(spy, manifest('20240502T000000Z-abababababab', false), { dataFile: data }, { now: new Date('2024-05-03T00:00:00Z') });
    expect(r).toEqual({ manifest: first, written: false });
    expect(writes).toEqual([]);
    expect(await committedDataKeys(lake, 'invoices')).toEqual([first.data_key]);
  });
});
