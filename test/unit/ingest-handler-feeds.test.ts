import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler, IngestFailedError, type IngestOutcome } from '../../functions/ingest.js';
import { jsonLogger } from '../../src/aws/json-log.js';
import { routeOfKey } from '../../src/aws/s3-event.js';
import { ingestCreditReports } from '../../src/feeds/credit-report/ingest.js';
import { listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const fixture = (...p: string[]) => readFileSync(join(FIXTURES, ...p));

const s3Event = (bucket: string, key: string) => ({
  Records: [
    {
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/') } },
    },
  ],
});

let s3: TestS3;
let work: string;
const buildRequests: { batchId: string }[] = [];
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  s3 = await startTestS3();
  for (const b of ['landing', 'lake-mapped', 'lake-einvoice', 'lake-credit']) await s3.createBucket(b);
  work = mkdtempSync(join(tmpdir(), 'creditlake-ingest-feeds-'));
});
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

const lakeOf = (bucket: string) => new S3LakeStore(s3.client, parseS3Uri(`s3://${bucket}/`));

function handler(lakeBucket: string) {
  return createIngestHandler({
    s3: s3.client,
    lake: lakeOf(lakeBucket),
    requestBuild: async (r) => {
      buildRequests.push(r);
    },
    scratchDir: work,
    resources: { threads: 1, memoryLimit: '256MB' },
    maxRejectRate: 1,
    log: jsonLogger({ function: 'test' }, (l) => logLines.push(JSON.parse(l))),
  });
}

async function drop(lakeBucket: string, key: string, body: Uint8Array | string, requestId?: string): Promise<IngestOutcome> {
  await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: body }));
  const out = await handler(lakeBucket)(s3Event('landing', key), { awsRequestId: requestId });
  expect(out).toHaveLength(1);
  return out[0]!;
}

async function parquetRows(bucket: string, key: string, sql = 'SELECT count(*)::INTEGER AS n FROM t'): Promise<Record<string, unknown>[]> {
  const obj = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const local = join(work, `${bucket}_${key.replace(/\//g, '_')}`);
  writeFileSync(local, await obj.Body!.transformToByteArray());
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`CREATE VIEW t AS SELECT * FROM read_parquet('${local}')`);
    return (await conn.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
const countRows = async (bucket: string, key: string) => Number((await parquetRows(bucket, key))[0]!.n);

/** Re-delivers the event of every key and checks that nothing in the lake or the build queue changed. */
async function expectIdempotent(lakeBucket: string, keys: string[]) {
  const before = await lakeOf(lakeBucket).list('');
  const sent = buildRequests.length;
  for (const key of keys) {
    const again = await handler(lakeBucket)(s3Event('landing', key), { awsRequestId: 'redelivery' });
    expect(again[0], key).toMatchObject({ status: 'skipped', rowsLoaded: 0 });
  }
  expect(await lakeOf(lakeBucket).list('')).toEqual(before);
  expect(buildRequests).toHaveLength(sent);
}

describe('drop routing by landing prefix', () => {
  it('names the ingest of each prefix, and nothing for other keys', () => {
    expect(routeOfKey('invoices/x.csv')).toEqual({ feed: 'table', table: 'invoices' });
    expect(routeOfKey('mapped/sap-fbl5n/2024/x.txt')).toEqual({ feed: 'mapped', preset: 'sap-fbl5n' });
    expect(routeOfKey('mapped/exact-online-receivables/sheet=Blad 1/x.xlsx')).toEqual({ feed: 'mapped', preset: 'exact-online-receivables', sheet: 'Blad 1' });
    expect(routeOfKey('mapped/afas-debtor-open-items/2024-02-16/open items.csv')).toEqual({ feed: 'mapped', preset: 'afas-debtor-open-items', snapshotDate: '2024-02-16' });
    expect(routeOfKey('einvoices/2024/a.xml')).toEqual({ feed: 'einvoice' });
    expect(routeOfKey('credit-reports/a.json')).toEqual({ feed: 'credit-report' });
    for (const k of ['mapped/x.csv', 'mapped/sap-fbl5n/', 'other/a.csv', 'einvoices/']) expect(routeOfKey(k), k).toBeUndefined();
  });
});

describe('mapped/<preset>/ drops (ERP exports)', () => {
  const csvKey = 'mapped/afas-debtor-open-items/2024-01-31/open items.csv';
  const xlsxKey = 'mapped/exact-online-receivables/sheet=Openstaande posten/export 2024-02-16.xlsx';

  it('ingests a CSV export with its preset into customers and open-item snapshots (dated by its folder), quarantining the bad line', async () => {
    // The AFAS fixture plus one line whose invoice date does not exist.
    const csv = `${fixture('erp', 'afas-debtor-open-items.csv').toString('utf8').trimEnd()}\r\nD-20004;Bad Date B.V.;22334455;;NL;30;Nee;;EUR;F2024-0099;31-02-2024;01-03-2024;10,00;10,00\r\n`;
    const o = await drop('lake-mapped', csvKey, csv, 'req-m1');
    expect(o).toMatchObject({ feed: 'mapped:afas-debtor-open-items', status: 'loaded', rowsLoaded: 4, rowsRejected: 1 });
    expect([...o.tables!].sort()).toEqual(['customers', 'open_item_snapshots']);
    const batch = o.batchId!;
    const keys = await lakeOf('lake-mapped').list('');
    const invoices = keys.filter((k) => k.startsWith('raw/open_item_snapshots/'));
    expect(invoices).toEqual([expect.stringMatching(new RegExp(`/${batch}\\.parquet$`))]);
    expect(await countRows('lake-mapped', invoices[0]!)).toBe(4);
    expect(await parquetRows('lake-mapped', invoices[0]!, 'SELECT DISTINCT CAST(snapshot_date AS VARCHAR) AS d FROM t')).toEqual([{ d: '2024-01-31' }]);
    expect(keys.filter((k) => k.startsWith('raw/customers/'))).toHaveLength(1);
    const quarantine = keys.filter((k) => k.startsWith('quarantine/'));
    expect(quarantine.length).toBeGreaterThan(0);
    const quarantined = await Promise.all(quarantine.map((k) => countRows('lake-mapped', k)));
    expect(Math.max(...quarantined)).toBe(1);
    for (const t of ['customers', 'open_item_snapshots']) {
      expect((await listManifests(lakeOf('lake-mapped'), t)).map((m) => m.batch_id)).toEqual([batch]);
    }
    const committed = logLines.find((l) => l.message === 'ingest committed' && l.request_id === 'req-m1');
    expect(committed).toMatchObject({ batch_id: batch, feed: 'mapped:afas-debtor-open-items', rows_rejected: 1 });
    expect(buildRequests.at(-1)).toMatchObject({ batchId: batch });
  });

  it('ingests an xlsx workbook from the sheet named by its sheet= folder', async () => {
    const o = await drop('lake-mapped', xlsxKey, fixture('erp', 'exact-online-receivables.xlsx'));
    expect(o).toMatchObject({ feed: 'mapped:exact-online-receivables', status: 'loaded', rowsLoaded: 3, rowsRejected: 0 });
    const data = (await lakeOf('lake-mapped').list('raw/open_item_snapshots')).filter((k) => k.endsWith(`${o.batchId}.parquet`));
    const rows = await parquetRows('lake-mapped', data[0]!, 'SELECT document_id, CAST(open_amount AS VARCHAR) AS amount FROM t ORDER BY 1');
    expect(rows).toEqual([
      { document_id: '20240117', amount: '1234.56' },
      { document_id: '20240203', amount: '-150.25' },
      { document_id: '20240212', amount: '0.30' },
    ]);
  });

  it('fails on a workbook whose first sheet does not fit the preset, pointing at the sheet= folder', async () => {
    const key = 'mapped/exact-online-receivables/export.xlsx';
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: fixture('erp', 'exact-online-receivables.xlsx') }));
    await expect(handler('lake-mapped')(s3Event('landing', key))).rejects.toThrow(/mapped\/exact-online-receivables\/sheet=<name>\//);
  });

  it('lands each export once on re-delivery', async () => {
    await expectIdempotent('lake-mapped', [csvKey, xlsxKey]);
  });

  it('fails (for retry and the DLQ) on an unknown preset, and never reads a preset path from the key', async () => {
    const before = await lakeOf('lake-mapped').list('');
    for (const key of ['mapped/no-such-erp/a.csv', 'mapped/..%2Fpresets/a.csv']) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: key, Body: 'a;b\n1;2\n' }));
      await expect(handler('lake-mapped')(s3Event('landing', key))).rejects.toThrow(IngestFailedError);
    }
    expect(logLines.some((l) => l.level === 'error' && String(l.message).includes('unknown mapping preset "no-such-erp"'))).toBe(true);
    expect(await lakeOf('lake-mapped').list('')).toEqual(before);
  });
});

describe('einvoices/ drops (UBL, Peppol BIS 3, SI-UBL, CII)', () => {
  const keys = {
    siUbl: 'einvoices/2024/SI-UBL minimal.xml',
    creditNote: 'einvoices/2024/peppol-creditnote.xml',
    broken: 'einvoices/2024/not-an-invoice.xml',
  };

  it('ingests each document into invoices and customers, a credit note negative', async () => {
    const a = await drop('lake-einvoice', keys.siUbl, fixture('ubl', 'si-ubl', 'SI-UBL-2.0_ok_minimal.xml'));
    const b = await drop('lake-einvoice', keys.creditNote, fixture('ubl', 'peppol', 'peppol-bis3_base-creditnote-correction.xml'));
    for (const o of [a, b]) expect(o).toMatchObject({ feed: 'einvoice', status: 'loaded', rowsLoaded: 1, rowsRejected: 0 });
    const data = (await lakeOf('lake-einvoice').list('raw/invoices')).filter((k) => k.endsWith(`${b.batchId}.parquet`));
    const [row] = await parquetRows('lake-einvoice', data[0]!, 'SELECT document_type, amount < 0 AS negative FROM t');
    expect(row).toEqual({ document_type: 'credit_note', negative: true });
  });

  it('quarantines an XML document that is not an e-invoice', async () => {
    const o = await drop('lake-einvoice', keys.broken, '<?xml version="1.0"?><Order><ID>1</ID></Order>');
    expect(o).toMatchObject({ status: 'loaded', rowsLoaded: 0, rowsRejected: 1 });
    const q = (await lakeOf('lake-einvoice').list('quarantine')).filter((k) => k.endsWith(`${o.batchId}.parquet`));
    expect(q.length).toBeGreaterThan(0);
    expect(await countRows('lake-einvoice', q[0]!)).toBe(1);
  });

  it('lands each document once on re-delivery', async () => {
    await expectIdempotent('lake-einvoice', Object.values(keys));
  });

  it('fails on a file that is not XML at all', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'landing', Key: 'einvoices/x.csv', Body: 'a,b\n1,2\n' }));
    await expect(handler('lake-einvoice')(s3Event('landing', 'einvoices/x.csv'))).rejects.toThrow(/not an e-invoice/);
  });
});

describe('credit-reports/ drops', () => {
  const keys = { graydon: 'credit-reports/graydon-export.csv', creditsafe: 'credit-reports/2024-03/creditsafe-reports.json' };

  it('ingests reports into the S3 lake exactly as the CLI does into a local lake, identities resolved against S3 history', async () => {
    const g = await drop('lake-credit', keys.graydon, fixture('credit-reports', 'graydon-export.csv'));
    const c = await drop('lake-credit', keys.creditsafe, fixture('credit-reports', 'creditsafe-reports.json'));

    // The same two files, one call each (so the second reads the first from the lake), into a local lake.
    const localRoot = mkdtempSync(join(work, 'local-lake-'));
    const local = new LocalLakeStore(localRoot);
    const expected: string[] = [];
    for (const name of ['graydon-export.csv', 'creditsafe-reports.json']) {
      const file = join(localRoot, '..', name);
      copyFileSync(join(FIXTURES, 'credit-reports', name), file);
      const r = await ingestCreditReports({ store: local, files: [file], maxRejectRate: 1, scratchDir: work });
      expected.push(r.files[0]!.message);
    }
    expect([g.message, c.message]).toEqual(expected);
    // The second file's companies were matched to the first's: fewer new identifiers than without history.
    expect(c.message).toMatch(/new identifiers/);

    for (const o of [g, c]) {
      expect(o).toMatchObject({ feed: 'credit-report', status: 'loaded' });
      expect(o.rowsRejected).toBeGreaterThan(0);
      expect(o.tables).toContain('credit_reports');
      const q = await lakeOf('lake-credit').list('quarantine/credit_reports');
      const mine = q.filter((k) => k.endsWith(`${o.batchId}.parquet`));
      expect(mine).toHaveLength(1);
      expect(await countRows('lake-credit', mine[0]!)).toBe(o.rowsRejected);
    }
    const keysS3 = (await lakeOf('lake-credit').list('raw')).map((k) => k.split('/')[1]).sort();
    const keysLocal = (await local.list('raw')).map((k) => k.split('/')[1]).sort();
    expect(keysS3).toEqual(keysLocal);
  });

  it('lands each report file once on re-delivery', async () => {
    await expectIdempotent('lake-credit', Object.values(keys));
  });
});
