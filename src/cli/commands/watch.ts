import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { sink } from '../capture.js';
import { CANONICAL_TABLES } from '../../schema/index.js';

const usage = `Usage: creditlake watch <folder> [--quiet-seconds N] [--poll-ms N] [--once] [--lake DIR] [--config FILE]

Runs the pipeline on a landing folder laid out like the AWS landing bucket:

  <folder>/<table>/…            canonical CSV of that table (invoices/, payments/, …)
  <folder>/mapped/<preset>/…    ERP exports through a mapping preset (mapped/exact-online-receivables/…)
  <folder>/einvoices/…          UBL / Peppol e-invoices
  <folder>/credit-reports/…     credit-report files
  <folder>/fx-rates/…           exchange rates (ECB reference-rate CSV or canonical fx_rates CSV)
  <folder>/bank-statements/…    bank statements (CAMT.053 XML or MT940): credits become payments

Each new file is ingested once (a file seen before is recognised by its content hash), then moved
to <folder>/done/… or, when its ingest fails, to <folder>/failed/… with a <file>.reason.txt beside
it. After a quiet window with no new file, the warehouse is rebuilt. One log line per file and per
build. Ctrl-C stops after the file in hand; a restart picks up what is still waiting and never
ingests a file twice.

  --quiet-seconds <n>   seconds without new files before a build (default 10)
  --poll-ms <n>         how often the folder is scanned (default 1000)
  --once                process what is waiting, build, and exit (for cron or a CI job)`;

type Run = (argv: string[], io: CliIO) => Promise<number>;

interface Landing {
  /** Path relative to the watched folder. */
  rel: string;
  args: string[];
}

/** Which ingest a file in the landing folder gets, from where it lies; undefined for unknown places. */
export function landingArgs(rel: string): string[] | { problem: string } | undefined {
  const parts = rel.split(sep);
  if (parts.length < 2) return undefined;
  const [top, second] = parts as [string, string];
  if (top === 'done' || top === 'failed' || top.startsWith('.')) return undefined;
  if (parts.some((p) => p.startsWith('.') || p.endsWith('.reason.txt'))) return undefined;
  if (top === 'mapped') return parts.length >= 3 ? ['--mapping', second] : { problem: 'mapped/ files go in mapped/<preset>/' };
  if (top === 'einvoices') return [];
  if (top === 'credit-reports') return ['--feed', 'credit-report'];
  // The fx-rates feed takes the ECB reference-rate CSV as well as canonical fx_rates CSV.
  if (top === 'fx-rates') return ['--feed', 'fx-rates'];
  if (top === 'bank-statements') return ['--feed', 'bank-statements'];
  if (CANONICAL_TABLES.some((t) => t.name === top)) return ['--table', top];
  return { problem: `unknown folder ${top}/: use <table>/, mapped/<preset>/, einvoices/, credit-reports/, fx-rates/ or bank-statements/` };
}

function listFiles(dir: string, root: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = relative(root, p);
    if (e.isDirectory()) {
      if (rel === 'done' || rel === 'failed' || e.name.startsWith('.')) continue;
      listFiles(p, root, out);
    } else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

function moveTo(folder: string, rel: string, where: 'done' | 'failed'): string {
  let target = join(folder, where, rel);
  if (existsSync(target)) target = `${target}.${Date.now()}`;
  mkdirSync(dirname(target), { recursive: true });
  renameSync(join(folder, rel), target);
  return target;
}

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export const watchCommand: Command = {
  name: 'watch',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(
      argv,
      { 'quiet-seconds': { type: 'string', default: '10' }, 'poll-ms': { type: 'string', default: '1000' }, once: { type: 'boolean', default: false } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('give the landing folder to watch');
    const folder = resolve(io.cwd, positionals[0]!);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`no such folder: ${positionals[0]}`);
    const quietMs = Number(values['quiet-seconds']) * 1000;
    const pollMs = Number(values['poll-ms']);
    if (!(quietMs >= 0) || !(pollMs > 0)) throw new UsageError('--quiet-seconds and --poll-ms must be positive numbers');
    const { lakeRoot } = configFrom(values, io);
    const passOn = [...(values.config ? ['--config', values.config] : []), '--lake', lakeRoot];
    // The commands run in-process; their output is kept for the log line and the reason file.
    const { main } = await import('../main.js');
    const run: Run = (args, cio) => main(args, cio);
    const log = (msg: string) => line(io.stdout, `${stamp()} ${msg}`);

    let stopping = false;
    const stop = () => {
      if (!stopping) log('stopping (Ctrl-C): finishing the file in hand');
      stopping = true;
    };
    if (!values.once) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
    const seen = new Map<string, string>();
    let pendingBuild = false;
    let lastIngest = 0;
    let failures = 0;
    log(`watching ${folder} → lake ${lakeRoot}${values.once ? ' (once)' : ''}`);

    const ingest = async (landing: Landing) => {
      const out = sink();
      const code = await run(['ingest', ...landing.args, join(folder, landing.rel), ...passOn], { ...io, stdout: out.stream, stderr: out.stream });
      const text = out.text().trim();
      const first = text.split('\n')[0]?.replace(`${join(folder, landing.rel)}: `, '') ?? '';
      if (code === 0) {
        moveTo(folder, landing.rel, 'done');
        log(`${landing.rel}: ${first} → done/`);
        if (!/already ingested/.test(first)) {
          pendingBuild = true;
          lastIngest = Date.now();
        }
      } else {
        const target = moveTo(folder, landing.rel, 'failed');
        writeFileSync(`${target}.reason.txt`, `creditlake ingest exited ${code}\n${text}\n`);
        log(`${landing.rel}: FAILED (exit ${code}) ${first} → failed/ (reason beside it)`);
        failures++;
      }
    };

    const build = async () => {
      pendingBuild = false;
      const out = sink();
      const code = await run(['build', ...passOn], { ...io, stdout: out.stream, stderr: out.stream });
      const summary = out.text().trim().split('\n').filter((l) => /^(ok|FAILED)|creditlake build/.test(l)).pop() ?? '';
      log(`build ${code === 0 ? 'ok' : `FAILED (exit ${code})`}: ${summary}`);
      if (code !== 0) failures++;
    };

    while (!stopping) {
      // A file is taken once its size and time stop changing between two scans (its upload is done).
      const ready: Landing[] = [];
      for (const rel of listFiles(folder, folder)) {
        const s = statSync(join(folder, rel));
        const sig = `${s.size}:${s.mtimeMs}`;
        const stable = values.once || seen.get(rel) === sig;
        seen.set(rel, sig);
        if (!stable) continue;
        const args = landingArgs(rel);
        if (args === undefined) continue;
        if ('problem' in args) {
          const target = moveTo(folder, rel, 'failed');
          writeFileSync(`${target}.reason.txt`, `${args.problem}\n`);
          log(`${rel}: FAILED ${args.problem} → failed/`);
          failures++;
          continue;
        }
        ready.push({ rel, args });
      }
      for (const r of ready) {
        if (stopping) break;
        seen.delete(r.rel);
        await ingest(r);
      }
      if (pendingBuild && (values.once || Date.now() - lastIngest >= quietMs) && !stopping) await build();
      if (values.once) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    log(`stopped${failures ? ` (${failures} failure${failures === 1 ? '' : 's'})` : ''}`);
    return values.once && failures ? EXIT.FAILED : EXIT.OK;
  },
};
