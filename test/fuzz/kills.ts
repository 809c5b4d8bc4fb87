import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listManifests } from '../../src/lake/commit-batch.js';
import { LocalLakeStore } from '../../src/lake/local-store.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { Rng } from './mutate.js';

/**
 * The kill half of the fault run: `creditlake ingest` as a real process, SIGKILLed at a random
 * moment, then run again to the end. Afterwards the committed rows must equal those of one clean run
 * (nothing lost, nothing twice), every manifest must name objects that exist, and the file must read
 * as already ingested.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/creditlake.js');

export interface KillOutcome {
  path: string;
  delayMs: number;
  /** The process was killed before it finished (otherwise it completed first). */
  killed: boolean;
  ok: boolean;
  problem?: string;
}

interface KillPath {
  name: string;
  tables: string[];
  args: (file: string, lake: string) => string[];
  file: string;
}

function run(args: string[], killAfterMs?: number): Promise<{ code: number | null; killed: boolean; out: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let killed = false;
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => (killed = child.kill('SIGKILL')), killAfterMs);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolveRun({ code, killed: killed && code === null, out });
    });
  });
}

async function committedRows(lake: string, tables: string[]): Promise<{ rows: Record<string, number>; problem?: string }> {
  const store = new LocalLakeStore(lake);
  const rows: Record<string, number> = {};
  let problem: string | undefined;
  await withDuckDB({ threads: 1 }, async (db) => {
    for (const t of tables) {
      const ms = await listManifests(store, t);
      for (const m of ms) {
        for (const k of [m.data_key, m.quarantine_key]) if (k && !(await store.exists(k))) problem ??= `${t}: manifest names missing ${k}`;
      }
      if (!ms.length) {
        rows[t] = 0;
        continue;
      }
      const list = ms.map((m) => `'${store.pathOf(m.data_key)}'`).join(', ');
      rows[t] = Number((await db.query(`SELECT count(*) AS n FROM read_parquet([${list}])`)).rows[0]!.n);
    }
  });
  return { rows, problem };
}

export async function runKills(opts: { kills: number; seed: number; onProgress?: (done: number) => void }): Promise<KillOutcome[]> {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-kills-'));
  const rng = new Rng('kills', opts.seed);
  try {
    // Files big enough that a kill lands mid-run: 60,000 invoices, an export of 20,000 lines, 3,000 reports.
    const inv = join(work, 'invoices.csv');
    writeFileSync(
      inv,
      `document_id,customer_id,document_type,invoice_date,due_date,currency,amount\n${Array.from({ length: 60_000 }, (_, i) => `I${i},C${i % 300},invoice,2024-01-15,2024-02-14,EUR,${(i % 9_000) + 1}.25`).join('\n')}\n`,
    );
    const exact = join(work, 'exact.csv');
    const head = 'AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef';
    writeFileSync(exact, `${head}\n${Array.from({ length: 20_000 }, (_, i) => `${1000 + (i % 400)};Klant ${i % 400};${3000000 + i};15-01-2024;14-02-2024;EUR;${i},50;0,00;Monitor 27" ${i};${i};70;PO`).join('\n')}\n`, 'latin1');
    const reportText = readFileSync(join(ROOT, 'test/fixtures/credit-reports/creditsafe-reports.json'), 'utf8');
    const first = JSON.parse(reportText.slice(reportText.indexOf('{'), reportText.indexOf('\n  {', 5)).trim().replace(/,$/, '')).report;
    const reports = join(work, 'reports.json');
    writeFileSync(
      reports,
      JSON.stringify(
        Array.from({ length: 3_000 }, (_, i) => ({
          ...first,
          companyId: `NL-K-${i}`,
          companySummary: { ...first.companySummary, companyRegistrationNumber: String(20_000_000 + i), businessName: `Firma ${i}` },
        })),
      ),
    );
    const paths: KillPath[] = [
      { name: 'canonical', tables: ['invoices'], file: inv, args: (f, l) => ['ingest', f, '--table', 'invoices', '--lake', l] },
      { name: 'mapped', tables: ['customers', 'open_item_snapshots'], file: exact, args: (f, l) => ['ingest', '--mapping', 'exact-online-receivables', '--as-of', '2024-03-01', f, '--lake', l] },
      { name: 'credit-report', tables: ['companies', 'company_identifiers', 'credit_reports'], file: reports, args: (f, l) => ['ingest', '--feed', 'credit-report', f, '--lake', l, '--max-reject-rate', '1'] },
    ];
    // One clean run per path: the reference, and how long a run takes (kills land inside it).
    const reference = new Map<string, { rows: Record<string, number>; ms: number }>();
    for (const p of paths) {
      const lake = join(work, `ref-${p.name}`);
      const t = performance.now();
      const r = await run(p.args(p.file, lake));
      if (r.code !== 0) throw new Error(`reference run of ${p.name} failed: ${r.out}`);
      reference.set(p.name, { rows: (await committedRows(lake, p.tables)).rows, ms: performance.now() - t });
    }
    const outcomes: KillOutcome[] = [];
    for (let k = 0; k < opts.kills; k++) {
      const p = paths[k % paths.length]!;
      const ref = reference.get(p.name)!;
      const delayMs = Math.round(rng.uniform(0.05, 1.1) * ref.ms);
      const lake = join(work, `kill-${k}`);
      const killedRun = await run(p.args(p.file, lake), delayMs);
      const rerun = await run(p.args(p.file, lake));
      const third = await run(p.args(p.file, lake));
      const after = await committedRows(lake, p.tables);
      let problem = after.problem;
      if (!problem && rerun.code !== 0) problem = `re-run exited ${rerun.code}: ${rerun.out.slice(0, 300)}`;
      if (!problem && JSON.stringify(after.rows) !== JSON.stringify(ref.rows)) problem = `committed ${JSON.stringify(after.rows)}, a clean run commits ${JSON.stringify(ref.rows)}`;
      if (!problem && !/already ingested/.test(third.out)) problem = `a third run did not say "already ingested": ${third.out.slice(0, 300)}`;
      outcomes.push({ path: p.name, delayMs, killed: killedRun.killed, ok: !problem, problem });
      rmSync(lake, { recursive: true, force: true });
      opts.onProgress?.(k + 1);
    }
    return outcomes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatKills(outcomes: readonly KillOutcome[]): string {
  const by = new Map<string, { runs: number; killed: number; ok: number }>();
  for (const o of outcomes) {
    const b = by.get(o.path) ?? { runs: 0, killed: 0, ok: 0 };
    b.runs++;
    if (o.killed) b.killed++;
    if (o.ok) b.ok++;
    by.set(o.path, b);
  }
  const out = ['kill -9 run: path, runs, killed mid-run (the rest finished first), re-run committed exactly the clean result'];
  for (const [p, b] of by) out.push(`  ${p}: ${b.runs} runs, ${b.killed} killed, ${b.ok} correct after re-run`);
  for (const o of outcomes.filter((x) => !x.ok)) out.push(`FAIL ${o.path} killed at ${o.delayMs} ms: ${o.problem}`);
  return out.join('\n');
}
