import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCreditReports } from '../../src/feeds/credit-report/ingest.js';
import { INDEX_KEY, loadKnownStateIndexed, readIndex } from '../../src/feeds/credit-report/known-index.js';
import type { KnownState } from '../../src/feeds/credit-report/normalise.js';
import { findManifest, listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { listBatches, retireBatch, restoreBatch } from '../../src/lake/retire.js';
import { batchTables } from '../../src/cli/commands/batches.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import type { LakeStore } from '../../src/lake/store.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { FaultyStore, InjectedFault } from '../support/faulty-store.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

/**
 * Issue 13 item 7: the credit-report ingest checks new reports against an identity index instead of
 * reading every committed file. The index must give exactly what the full scan gives (same verdicts,
 * same committed rows), after retire/restore, after a run killed before the index was rewritten and
 * with the index deleted; and on S3 an ingest reads the index and its own new batches, no history.
 */

const FIX = resolve(__dirname, '../fixtures/credit-reports');
const work = mkdtempSync(join(tmpdir(), 'creditlake-credit-index-'));
const HEAD = 'graydon_id;kvk_number;branch_number;company_name;country;sbi_code;legal_form;employees;report_date;rating;probability_of_default;credit_flag;credit_advice;currency;payment_score;scorecard_version;status;insolvency_type;insolvency_date';

/** Daily drops that lean on history: repeats of committed reports, known companies, new ones. */
function drops(): string[] {
  const files: string[] = [];
  const add = (name: string, text: string) => {
    const p = join(work, name);
    writeFileSync(p, text);
    files.push(p);
  };
  copyFileSync(join(FIX, 'graydon-export.csv'), join(work, 'd1-graydon.csv'));
  files.push(join(work, 'd1-graydon.csv'));
  copyFileSync(join(FIX, 'creditsafe-reports.json'), join(work, 'd2-creditsafe.json'));
  files.push(join(work, 'd2-creditsafe.json'));
  add('d3.csv', [HEAD,
    // same company, next month: loads under the key history gave it
    'G-501;10000001;000012345678;Bakker Bouw B.V.;NL;4120;BV;23;15-04-2024;BBB;0,9;green;20.000,00;EUR;82;2023-11;actief;;',
    // a report already in the lake (d1): rejected as a duplicate only if history is read
    'G-502;20000002;;Transport Van Dijk;NL;4941;BV;60;15-03-2024;CC;4,5;orange;5.000,00;EUR;41;2023-11;actief;;',
    'G-601;30000001;;Nieuw Bedrijf BV;NL;6201;BV;9;15-04-2024;A;0,5;green;10.000,00;EUR;88;2023-11;actief;;',
  ].join('\n') + '\n');
  add('d4.csv', [HEAD,
    // the insolvency already committed (d1) and a new one
    'G-503;20000003;;Failliet Handel BV;NL;4690;BV;4;15-04-2024;D;100;red;0;EUR;5;2023-11;failliet;faillissement;02-03-2024',
    'G-601;30000001;;Nieuw Bedrijf BV;NL;6201;BV;9;15-04-2024;A;0,5;green;10.000,00;EUR;88;2023-11;actief;;',
    'G-602;30000002;;Surseance BV;NL;4690;BV;4;16-04-2024;D;90;red;0;EUR;5;2023-11;surseance;surseance;10-04-2024',
  ].join('\n') + '\n');
  return files;
}

const serialise = async (s: KnownState) => ({
  ids: s.index.rows().map((r) => `${r.id_type} ${r.id_value} ${r.company_key}`).sort(),
  // report ids (i:…) and provider|company|date keys (k:…)
  reports: await s.reports.keys(),
  eventIds: [...s.eventIds].sort(),
});
const reportIds = async (s: KnownState) => (await s.reports.keys()).filter((k) => k.startsWith('i:'));

/** The known state from the index (plus newer batches) and from every file, which must agree. */
async function bothWays(store: LakeStore) {
  return withDuckDB({ threads: 1 }, async (db) => {
    const indexed = await loadKnownStateIndexed(db, store, work);
    const full = await loadKnownStateIndexed(db, withoutIndex(store), work);
    expect(full.source).toBe('files');
    const [a, b] = [await serialise(indexed.state), await serialise(full.state)];
    expect(a).toEqual(b);
    return { indexed, full, reportIds: await reportIds(indexed.state) };
  });
}

/** A view of the store in which the index does not exist (forces the full scan). */
function withoutIndex(store: LakeStore): LakeStore {
  return new Proxy(store, {
    get(target, prop, recv) {
      if (prop === 'exists') return async (k: string) => (k === INDEX_KEY ? false : target.exists(k));
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Verdicts and committed rows of a run, comparable between lakes. */
async function committedRows(store: LakeStore) {
  const out: Record<string, string[]> = {};
  await withDuckDB({ threads: 1 }, async (db) => {
    for (const t of ['companies', 'company_identifiers', 'credit_reports', 'insolvency_events']) {
      const files: string[] = [];
      for (const [i, m] of (await listManifests(store, t)).entries()) {
        const local = (store as LakeStore & { pathOf?: (k: string) => string }).pathOf;
        if (local) files.push(local.call(store, m.data_key));
        else {
          const p = join(work, `rows-${t}-${i}-${Math.random().toString(36).slice(2)}.parquet`);
          await store.getFile!(m.data_key, p);
          files.push(p);
        }
      }
      out[t] = files.length ? (await db.query(`SELECT to_json(x)::VARCHAR AS j FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) x`)).rows.map((r) => String(r.j)).sort() : [];
    }
  });
  return out;
}

const verdict = (r: Awaited<ReturnType<typeof ingestCreditReports>>) =>
  r.files.map((f) => `${f.status} ${f.rowsLoaded}/${f.rowsRejected} ${f.topReasons.map((x) => x.reason).join(',')}`);

async function ingest(store: LakeStore, file: string, day: number) {
  return ingestCreditReports({ store, files: [file], maxRejectRate: 1, scratchDir: work, now: () => new Date(Date.UTC(2024, 4, day, 10)) });
}

/** Two lakes fed the same drops, one file per run: one keeps its index, the other loses it before every run. */
async function sameAsFullScan(indexed: LakeStore, scanned: LakeStore) {
  const files = drops();
  for (const [i, f] of files.entries()) {
    const a = await ingest(indexed, f, i + 1);
    await scanned.delete(INDEX_KEY);
    const b = await ingest(scanned, f, i + 1);
    expect(verdict(a), f).toEqual(verdict(b));
    const { indexed: state } = await bothWays(indexed);
    expect(state.source).toBe('index');
    // The run wrote the index after its commit: nothing is left to read from files.
    expect(state.filesRead).toBe(0);
  }
  // History mattered: d3 repeats a committed report, d4 a committed insolvency.
  const all = await listManifests(indexed, 'credit_reports');
  expect(all.some((m) => m.source_file === 'd3.csv' && m.rows_rejected === 1)).toBe(true);
  expect(await committedRows(indexed)).toEqual(await committedRows(scanned));
  return files;
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('credit-report identity index', () => {
  it('local lake: same verdicts and rows as the full scan; retire, restore, a killed run and a lost index', async () => {
    const lake = new LocalLakeStore(join(work, 'lake-a'));
    await sameAsFullScan(lake, new LocalLakeStore(join(work, 'lake-b')));

    // Retiring a batch the index covers: the index no longer agrees with the commit records, so the
    // state is rebuilt from the files (the retired reports are no longer known).
    const d3 = (await listManifests(lake, 'credit_reports')).find((m) => m.source_file === 'd3.csv')!;
    await retireBatch(lake, d3, { now: new Date('2024-06-01T00:00:00Z') });
    let r = await bothWays(lake);
    expect(r.indexed.source).toBe('files');
    expect(r.reportIds.some((id) => id.includes('2024-04-15') && id.includes('30000001'))).toBe(false);
    await restoreBatch(lake, d3, { now: new Date('2024-06-02T00:00:00Z') });
    r = await bothWays(lake);
    expect([r.indexed.source, r.indexed.filesRead]).toEqual(['index', 0]);

    // A run killed after its commit records but before the index: the lake is consistent (the old
    // index still describes exactly the batches it names) and the next read adds the new batch.
    const before = (await withDuckDB({ threads: 1 }, (db) => readIndex(db, lake, work)))!;
    const d5 = join(work, 'd5.csv');
    writeFileSync(d5, `${HEAD}\nG-701;40000001;;Later BV;NL;6201;BV;2;01-05-2024;A;0,5;green;1000;EUR;80;2023-11;actief;;\n`);
    const faulty = new FaultyStore(lake, Number.MAX_SAFE_INTEGER);
    await ingest(faulty, d5, 9);
    const indexWrite = faulty.log.findIndex((w) => w.includes(INDEX_KEY)) + 1;
    expect(indexWrite).toBe(faulty.log.length);
    const d6 = join(work, 'd6.csv');
    writeFileSync(d6, `${HEAD}\nG-702;40000002;;Nog Later BV;NL;6201;BV;2;02-05-2024;A;0,5;green;1000;EUR;80;2023-11;actief;;\n`);
    const killed = failingIndexWrite(lake);
    await expect(ingest(killed, d6, 10)).rejects.toBeInstanceOf(InjectedFault);
    expect(await findManifest(lake, 'credit_reports', (await listManifests(lake, 'credit_reports')).find((m) => m.source_file === 'd6.csv')!.sha256)).toBeDefined();
    const stale = (await withDuckDB({ threads: 1 }, (db) => readIndex(db, lake, work)))!;
    expect(stale.batches.get('credit_reports')!.size).toBe(before.batches.get('credit_reports')!.size + 1);
    r = await bothWays(lake);
    expect(r.indexed.source).toBe('index');
    expect(r.indexed.filesRead).toBeGreaterThan(0);
    expect(r.reportIds.some((id) => id.includes('40000002'))).toBe(true);

    // The index lost altogether: rebuilt from the files by the next run that commits.
    await lake.delete(INDEX_KEY);
    const d7 = join(work, 'd7.csv');
    writeFileSync(d7, `${HEAD}\nG-501;10000001;000012345678;Bakker Bouw B.V.;NL;4120;BV;23;15-03-2024;BBB;0,9;green;20.000,00;EUR;82;2023-11;actief;;\n`);
    const again = await ingest(lake, d7, 11);
    expect(verdict(again)).toEqual(['loaded 0/1 duplicate report']);
    r = await bothWays(lake);
    expect([r.indexed.source, r.indexed.filesRead]).toEqual(['index', 0]);

    // `creditlake batches` lists tables, not the feed's commit records and index beside them.
    expect(await batchTables(lake)).toEqual(['companies', 'company_identifiers', 'credit_reports', 'insolvency_events']);
    expect((await listBatches(lake, await batchTables(lake))).length).toBeGreaterThan(0);
  }, 120_000);

  it('S3 lake: same as the full scan, and an ingest reads the index and its own batches, no history', async () => {
    await s3.createBucket('index-a');
    await s3.createBucket('index-b');
    const a = new S3LakeStore(s3.client, parseS3Uri('s3://index-a/lake'));
    const files = await sameAsFullScan(a, new S3LakeStore(s3.client, parseS3Uri('s3://index-b/lake')));
    const history = new Set([...(await a.list('raw')), ...(await a.list('manifests'))]);

    const reads: string[] = [];
    const counting = new Proxy(a, {
      get(target, prop, recv) {
        if (prop === 'getFile' || prop === 'readText') return async (k: string, ...rest: string[]) => {
          reads.push(k);
          return (target[prop] as (k: string, ...r: string[]) => Promise<unknown>).call(target, k, ...rest);
        };
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const d8 = join(work, 'd8.csv');
    writeFileSync(d8, `${HEAD}\nG-801;50000001;;Nieuw S3 BV;NL;6201;BV;2;01-05-2024;A;0,5;green;1000;EUR;80;2023-11;actief;;\n`);
    const r = await ingest(counting, d8, 20);
    expect(verdict(r)).toEqual(['loaded 1/0 ']);
    const historical = reads.filter((k) => history.has(k) && k !== INDEX_KEY);
    expect(historical, 'objects of earlier batches read by the ingest').toEqual([]);
    expect(reads).toContain(INDEX_KEY);
    expect(files.length).toBe(4);
  }, 120_000);
});

/** The store, but the index put fails: a run killed after its commit records, before its index. */
function failingIndexWrite(store: LakeStore): LakeStore {
  return new Proxy(store, {
    get(target, prop, recv) {
      if (prop === 'putFile') return async (p: string, k: string) => {
        if (k === INDEX_KEY) throw new InjectedFault('killed before the index write');
        return target.putFile(p, k);
      };
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
