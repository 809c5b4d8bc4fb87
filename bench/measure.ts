/**
 * Times one step of `npm run bench` as whole child processes: wall time, CPU seconds (user + sys of
 * the child, all its threads) and peak RSS, from bench/rusage-preload.mjs, with the 1-minute load
 * average before and after. The machine may be shared: wall time inflates with load, CPU seconds
 * much less, so both are reported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const PRELOAD = new URL('./rusage-preload.mjs', import.meta.url).href;

export interface Measured {
  name: string;
  wallS: number;
  cpuS: number;
  /** Highest peak RSS of the step's processes. */
  rssMb: number;
  loadBefore: number;
  loadAfter: number;
  processes: number;
  /** Standard output of the step's last process (not in results.json). */
  stdout?: string;
}

/** Runs `node <args>` with the rusage preload; rejects on a non-zero exit with the tail of stderr. */
export async function runNode(args: readonly string[], opts: { cwd?: string; quiet?: boolean } = {}): Promise<{ wallS: number; cpuS: number; rssMb: number; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'creditlake-bench-'));
  const out = join(dir, 'rusage.json');
  const t0 = performance.now();
  try {
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, BENCH_RUSAGE_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const code: number = await new Promise((res, rej) => {
      child.on('error', rej);
      child.on('close', (c) => res(c ?? 1));
    });
    const wallS = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}:\n${stderr}`);
    const u = JSON.parse(readFileSync(out, 'utf8')) as { userUs: number; systemUs: number; maxRssKb: number };
    return { wallS, cpuS: (u.userUs + u.systemUs) / 1e6, rssMb: Math.round(u.maxRssKb / 1024), stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A step made of one or more node processes run one after the other. */
export async function measure(name: string, commands: readonly (readonly string[])[]): Promise<Measured> {
  const loadBefore = loadavg()[0]!;
  let wallS = 0;
  let cpuS = 0;
  let rssMb = 0;
  let stdout = '';
  for (const args of commands) {
    const r = await runNode(args);
    wallS += r.wallS;
    cpuS += r.cpuS;
    rssMb = Math.max(rssMb, r.rssMb);
    stdout = r.stdout;
  }
  const m: Measured = { name, wallS, cpuS, rssMb, loadBefore, loadAfter: loadavg()[0]!, processes: commands.length };
  Object.defineProperty(m, 'stdout', { value: stdout, enumerable: false });
  return m;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The median run of several measurements of one step (by CPU seconds), with the range of walls. */
export function medianOf(runs: readonly Measured[]): Measured {
  const cpu = median(runs.map((r) => r.cpuS));
  const pick = [...runs].sort((a, b) => Math.abs(a.cpuS - cpu) - Math.abs(b.cpuS - cpu))[0]!;
  return { ...pick, wallS: median(runs.map((r) => r.wallS)), cpuS: cpu, rssMb: Math.max(...runs.map((r) => r.rssMb)) };
}

export function formatTable(rows: readonly Measured[]): string {
  const head = ['step', 'wall s', 'CPU s', 'peak RSS MB', 'load 1m before→after'];
  const body = rows.map((r) => [
    r.name,
    r.wallS.toFixed(2),
    r.cpuS.toFixed(2),
    String(r.rssMb),
    `${r.loadBefore.toFixed(2)}→${r.loadAfter.toFixed(2)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
