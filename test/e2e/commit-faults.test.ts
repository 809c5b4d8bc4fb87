import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCreditReports } from '../../src/feeds/credit-report/ingest.js';
import { INDEX_KEY } from '../../src/feeds/credit-report/known-index.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { ingestMapped } from '../../src/feeds/ingest-mapped.js';
import { loadPreset } from '../../src/feeds/mapping/load.js';
import { prepareCsv } from '../../src/feeds/mapping/prepare.js';
import { einvoiceMapping, prepareEInvoice } from '../../src/feeds/ubl/prepare.js';
import { listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import type { LakeStore } from '../../src/lake/store.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { FaultyStore, InjectedFault, type FaultMode } from '../support/faulty-store.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

/**
 * Issue 10 item 2: a failure at EVERY write of every commit path (canonical CSV, mapped export,
 * e-invoice, credit report), on a local lake and on S3 (s3rver), then a retry. The retry must end
 * with exactly what one clean run commits: nothing lost (the credit-report retry once wiped its own
 * batch), nothing twice, no manifest naming a missing object, and a third run a no-op.
 */

const FIX = resolve(__dirname, '../fixtures');
const work = mkdtempSync(join(tmpdir(), 'creditlake-commit-faults-'));
let s3: TestS3;
let bucketN = 0;

beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Path {
  name: string;
  tables: string[];
  /** Runs the ingest; resolves when the file is committed, rejects (or reports an error) on a fault. */
  run(store: LakeStore): Promise<{ ok: boolean; skipped: boolean }>;
}

const exact = loadPreset('exact-online-receivables');
const einvoice = einvoiceMapping();
const at = new Date('2024-05-01T10:00:00Z');

const PATHS: Path[] = [
  {
    name: 'canonical CSV',
    tables: ['invoices'],
    run: async (store) => {
      const r = await ingestFiles({ store, table: 'invoices', files: [join(FIX, 'ingest/bad-invoices.csv')], maxRejectRate: 1, threads: 1, now: () => at });
      return { ok: r.ok, skipped: r.files[0]!.status === 'skipped' };
    },
  },
  {
    name: 'mapped export',
    tables: ['customers', 'open_item_snapshots'],
    run: async (store) => {
      const r = await ingestMapped({ store, mapping: exact, files: [join(FIX, 'erp/exact-online-receivables.csv')], prepare: (f, s) => prepareCsv(exact, f, s), threads: 1, now: () => at, asOf: '2024-03-01' });
      const f = r.files[0]!;
      if (f.status === 'error') throw new Error(f.message);
      return { ok: r.ok, skipped: f.status === 'skipped' };
    },
  },
  {
    name: 'e-invoice',
    tables: ['customers', 'invoices'],
    run: async (store) => {
      const r = await ingestMapped({ store, mapping: einvoice, files: [join(FIX, 'ubl/peppol/peppol-bis3_base-example.xml')], prepare: (f, s) => prepareEInvoice(f, s), threads: 1, now: () => at });
      return { ok: r.ok, skipped: r.files[0]!.status === 'skipped' };
    },
  },
  {
    name: 'credit report',
    tables: ['companies', 'company_identifiers', 'credit_reports', 'insolvency_events'],
    run: async (store) => {
      const r = await ingestCreditReports({ store, files: [join(FIX, 'credit-reports/creditsafe-reports.json')], maxRejectRate: 1, now: () => at, scratchDir: work });
      return { ok: r.ok, skipped: r.files[0]!.status === 'skipped' };
    },
  },
];

/** Every committed row of the path's tables, as sorted JSON lines (compared between runs). */
async function committed(store: LakeStore, tables: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await withDuckDB({ threads: 1 }, async (db) => {
    for (const t of tables) {
      const files: string[] = [];
      for (const [i, m] of (await listManifests(store, t)).entries()) {
        for (const key of [m.data_key, m.quarantine_key]) {
          if (key) expect(await store.exists(key), `${t}: manifest names ${key}, which must exist`).toBe(true);
        }
        const local = (store as LakeStore & { pathOf?: (k: string) => string }).pathOf;
        if (local) files.push(local.call(store, m.data_key));
        else {
          const local = join(work, `copy-${process.pid}-${bucketN}-${t}-${i}.parquet`);
          await store.getFile!(m.data_key, local);
          files.push(local);
        }
      }
      if (files.length === 0) {
        out[t] = [];
        continue;
      }
      const list = files.map((f) => `'${f}'`).join(', ');
      const rows = await db.query(`SELECT to_json(x)::VARCHAR AS j FROM read_parquet([${list}]) x`);
      out[t] = rows.rows.map((r) => String(r.j)).sort();
    }
  });
  return out;
}

async function freshStore(kind: 'local' | 's3'): Promise<LakeStore> {
  bucketN++;
  if (kind === 'local') return new LocalLakeStore(join(work, `lake-${bucketN}`));
  const bucket = `faults-${bucketN}`;
  await s3.createBucket(bucket);
  return new S3LakeStore(s3.client, parseS3Uri(`s3://${bucket}/lake`));
}

describe.each(['local', 's3'] as const)('a failed write at every commit step, then a retry (%s lake)', (kind) => {
  it.each(PATHS.map((p) => [p.name, p] as const))('%s', async (_name, path) => {
    const clean = new FaultyStore(await freshStore(kind));
    await path.run(clean);
    const expected = await committed(clean, path.tables);
    const writes = clean.writes;
    expect(writes).toBeGreaterThan(1);
    expect(Object.values(expected).flat().length).toBeGreaterThan(0);

    const outcomes: string[] = [];
    const modes: [number, FaultMode][] = [];
    for (let k = 1; k <= writes; k++) modes.push([k, 'before']);
    // The last write (the commit record) landing but reported as failed: the case that once wiped
    // the credit-report batch on retry.
    modes.push([writes, 'after']);
    // The credit-report ingest rewrites its identity index (a cache) after the commit record: the
    // commit record's own 'after' case is then the write before it.
    if (clean.log[writes - 1]!.includes(INDEX_KEY)) modes.push([writes - 1, 'after']);
    for (const [k, mode] of modes) {
      const base = await freshStore(kind);
      const faulty = new FaultyStore(base, k, mode);
      await expect(path.run(faulty), `${path.name}: write ${k} ${mode} must fail the run`).rejects.toBeInstanceOf(InjectedFault);
      const retry = await path.run(base);
      expect(retry.ok, `${path.name}: retry after write ${k} (${mode})`).toBe(true);
      expect(await committed(base, path.tables), `${path.name}: committed data after a failure at write ${k} (${faulty.log[k - 1]}, ${mode})`).toEqual(expected);
      const again = await path.run(base);
      expect(again.skipped, `${path.name}: a third run is a no-op`).toBe(true);
      expect(await committed(base, path.tables)).toEqual(expected);
      outcomes.push(`write ${k} ${mode}: retried, committed data identical`);
    }
    expect(outcomes).toHaveLength(modes.length);
  }, 300_000);
});
