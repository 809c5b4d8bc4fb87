import { DuckDBInstance } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticInvoicesSql } from '../../bench/synthetic-invoices.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import type { LakeStore } from '../../src/lake/store.js';

const ROOT = resolve(__dirname, '../..');
const ROWS = 300_000;
const work = mkdtempSync(join(tmpdir(), 'ingest-kill-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function query(sql: string): Promise<unknown[][]> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRows();
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Files below a folder, recursively, as paths relative to the lake. */
function filesUnder(lake: string, sub: string): string[] {
  const dir = join(lake, sub);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(lake.length + 1));
}

/** The invariant readers rely on: every Parquet under raw/ and quarantine/ is whole and committed. */
async function assertNoVisiblePartialBatch(lake: string): Promise<void> {
  const committed = new Set((await listManifests(new LocalLakeStore(lake), 'invoices')).flatMap((m) => [m.data_key, m.quarantine_key]));
  for (const f of [...filesUnder(lake, 'raw'), ...filesUnder(lake, 'quarantine')].filter((x) => x.endsWith('.parquet'))) {
    await query(`SELECT count(*) FROM '${join(lake, f)}'`); // throws on a truncated file
    expect(committed.has(f), `${f} has a manifest`).toBe(true);
  }
}

function runCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/creditlake.js'), ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, done, output: () => out };
}

describe('an ingest killed mid-run', () => {
  it('leaves no visible partial batch, and a re-run loads the file exactly once', async () => {
    const csv = join(work, 'big.csv');
    await query(syntheticInvoicesSql(ROWS, csv));
    const lake = join(work, 'lake');
    const scratch = join(work, 'scratch');
    mkdirSync(scratch, { recursive: true });
    const args = ['ingest', csv, '--table', 'invoices', '--lake', lake];

    // Kill the moment DuckDB starts writing the batch Parquet in the scratch folder. On a loaded
    // machine a 5 ms poll can miss that moment (the write is short), so try a few times; the last try
    // kills as soon as the conversion has started, which still must leave nothing visible.
    const ATTEMPTS = 4;
    let killed = false;
    let lastOutput = '';
    for (let attempt = 1; attempt <= ATTEMPTS && !killed; attempt++) {
      rmSync(lake, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
      mkdirSync(scratch, { recursive: true });
      const run = runCli(args, { TMPDIR: scratch });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const entries = readdirSync(scratch, { recursive: true }).map(String);
        const writing = entries.some((f) => f.endsWith('.parquet')) || (attempt === ATTEMPTS && entries.length > 0);
        if (writing) {
          killed = run.child.kill('SIGKILL');
          break;
        }
        if (run.child.exitCode !== null) break;
        await sleep(5);
      }
      const code = await run.done;
      lastOutput = `exit ${code}: ${run.output()}`;
    }
    expect(killed, `ingest was killed mid-run (${lastOutput})`).toBe(true);
    await assertNoVisiblePartialBatch(lake);
    expect(await listManifests(new LocalLakeStore(lake), 'invoices')).toEqual([]);

    const rerun = runCli(args, { TMPDIR: scratch });
    expect(await rerun.done, rerun.output()).toBe(0);
    expect(rerun.output()).toContain(`${ROWS} loaded, 0 rejected`);
    await assertNoVisiblePartialBatch(lake);
    const [[n, distinct]] = (await query(
      `SELECT count(*), count(DISTINCT document_id) FROM '${lake}/raw/invoices/ingest_date=*/*.parquet'`,
    )) as [[bigint, bigint]];
    expect([Number(n), Number(distinct)]).toEqual([ROWS, ROWS]);
  }, 120_000);

  it('a crash between data and manifest leaves an orphan that the re-run replaces', async () => {
    const lake = join(work, 'lake-crash');
    const file = resolve(__dirname, '../fixtures/ingest/bad-invoices.csv');
    const real = new LocalLakeStore(lake);
    // A store that dies right before the manifest: the data and quarantine objects are already in.
    const crashing: LakeStore = {
      location: real.location,
      exists: (k) => real.exists(k),
      list: (p) => real.list(p),
      readText: (k) => real.readText(k),
      putFile: (f, k) => real.putFile(f, k),
      delete: (k) => real.delete(k),
      writeText: async () => {
        throw new Error('simulated crash before the manifest');
      },
    };
    await expect(ingestFiles({ store: crashing, table: 'invoices', files: [file], now: () => new Date('2024-05-01T10:00:00Z') })).rejects.toThrow(/simulated crash/);
    expect(filesUnder(lake, 'raw')).toHaveLength(1);
    expect(filesUnder(lake, 'manifests')).toHaveLength(0);

    const r = await ingestFiles({ store: real, table: 'invoices', files: [file], maxRejectRate: 1, now: () => new Date('2024-05-02T10:00:00Z') });
    expect(r.files[0]!.status).toBe('loaded');
    await assertNoVisiblePartialBatch(lake);
    expect(filesUnder(lake, 'raw')).toEqual([r.files[0]!.dataKey]);
    expect(filesUnder(lake, 'quarantine')).toEqual([r.files[0]!.quarantineKey]);
    const [[n]] = (await query(`SELECT count(*) FROM '${lake}/raw/invoices/ingest_date=*/*.parquet'`)) as [[bigint]];
    expect(Number(n)).toBe(2);
  });
});
