import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import type { LakeStore } from '../../src/lake/store.js';

/**
 * A lake whose objects are not local files (as on S3): an ingest downloads the table's earlier
 * batches into its scratch folder in the background. Slow downloads make the race visible: an
 * ingest that returned (a file already ingested) while a download still wrote into the scratch folder
 * it was removing failed on CI with `ENOTEMPTY: rmdir /tmp/creditlake-ingest-p…`.
 */
class SlowRemoteStore implements LakeStore {
  pending = 0;
  constructor(private readonly local: LocalLakeStore) {}
  get location() {
    return `remote:${this.local.location}`;
  }
  exists(key: string) { return this.local.exists(key); }
  list(prefix: string) { return this.local.list(prefix); }
  readText(key: string) { return this.local.readText(key); }
  writeText(key: string, text: string) { return this.local.writeText(key, text); }
  putFile(path: string, key: string) { return this.local.putFile(path, key); }
  delete(key: string) { return this.local.delete(key); }
  async getFile(key: string, localPath: string): Promise<void> {
    this.pending++;
    try {
      await new Promise((r) => setTimeout(r, 300));
      await copyFile(this.local.pathOf(key), localPath);
    } finally {
      this.pending--;
    }
  }
}

const work = await mkdtemp(join(tmpdir(), 'creditlake-ingest-scratch-'));
afterAll(() => rm(work, { recursive: true, force: true }));

describe('ingest scratch folder', () => {
  it('is removed only after the background downloads into it have ended, also when the file was already ingested', async () => {
    const store = new SlowRemoteStore(new LocalLakeStore(join(work, 'lake')));
    const scratchDir = join(work, 'scratch');
    await mkdir(scratchDir, { recursive: true });
    const file = resolve(__dirname, '../fixtures/ingest/bad-invoices.csv');
    const first = await ingestFiles({ store, table: 'invoices', files: [file], maxRejectRate: 1, threads: 1, scratchDir });
    expect(first.files[0]!.status).toBe('loaded');

    const again = await ingestFiles({ store, table: 'invoices', files: [file], maxRejectRate: 1, threads: 1, scratchDir });
    expect(again.files[0]!.status).toBe('skipped');
    expect(store.pending).toBe(0);
    expect(await readdir(scratchDir)).toEqual([]);
  });
});
