import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { commands } from '../../src/cli/registry.js';

// Issue 15: the README's command table and exit codes stay true: every `creditlake …` the README
// shows names a real command with options it really has, and the ones that need no placeholder
// and no cloud run, successfully, against a freshly built lake.
const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** Splits a command line like a shell would (quotes, no expansion). */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** Every `creditlake …` command the README shows: in sh code blocks and in inline code. */
function readmeCommands(): string[] {
  const found: string[] = [];
  for (const block of README.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let l = lines[i]!;
      // A quoted argument that runs on to the next line.
      while ((l.match(/"/g)?.length ?? 0) % 2 === 1 && i + 1 < lines.length) l = `${l} ${lines[++i]!.trim()}`;
      const m = /^(?:npx )?creditlake (.*?)(?:\s+#.*)?$/.exec(l.trim());
      if (m) found.push(m[1]!.trim());
    }
  }
  for (const span of README.matchAll(/`(?:npx )?creditlake ([^`]+)`/g)) found.push(span[1]!.replace(/\\\|/g, '|').trim());
  return [...new Set(found)];
}

const PLACEHOLDER = /[<>…[\]|]|^(?:N|M|S|R|DIR|FILE)$/;
const RUNNABLE = new Set(['query', 'tables', 'mappings', 'batches', 'rejects', 'build']);

describe('every command the README shows', () => {
  const shown = readmeCommands();
  const work = mkdtempSync(join(tmpdir(), 'creditlake-readme-'));
  const lake = join(work, 'lake');
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    expect((await cli(work, 'generate', '--customers', '30', '--months', '8', '--seed', '5', '--out', 'ledger')).code).toBe(0);
    for (const f of readdirSync(join(work, 'ledger')).filter((x) => x.endsWith('.csv'))) {
      const table = f.replace(/\.csv$/, '');
      const r = await cli(work, 'ingest', join('ledger', f), '--table', table, '--lake', lake, '--max-reject-rate', '1');
      expect(r.code, `${table}: ${r.stderr}`).toBe(0);
    }
    expect((await cli(work, 'build', '--lake', lake)).code).toBe(0);
  }, 300_000);

  it('finds the command table and the examples', () => {
    expect(shown.length).toBeGreaterThan(30);
    for (const c of commands) expect(shown.some((s) => s.startsWith(c.name)), `README shows creditlake ${c.name}`).toBe(true);
  });

  it('names real commands with options they have', async () => {
    for (const line of shown.filter((l) => !l.startsWith('<command>'))) {
      const [name, ...args] = words(line);
      if (name!.startsWith('--')) {
        expect((await cli(work, name!)).code, `creditlake ${line}`).toBe(0);
        continue;
      }
      const entry = commands.find((c) => c.name === name);
      expect(entry, `creditlake ${line}`).toBeTruthy();
      const usage = (await entry!.load()).usage;
      for (const flag of args.filter((a) => /^--[a-z]/.test(a))) {
        expect(`${usage} --lake --config --json --help`, `creditlake ${line}: ${flag}`).toContain(flag.split('=')[0]);
      }
    }
  });

  it('runs the ones that need no placeholder and no cloud', async () => {
    const runnable = shown.filter((line) => {
      const w = words(line);
      // `creditlake query` named in prose (no SQL) is a reference to the command, not a run.
      return RUNNABLE.has(w[0]!) && !w.some((x) => PLACEHOLDER.test(x)) && !w.includes('athena') && !(w[0] === 'query' && w.length === 1);
    });
    expect(runnable).toEqual(expect.arrayContaining(['build', 'tables', 'mappings']));
    expect(runnable.filter((l) => l.startsWith('query')).length).toBeGreaterThanOrEqual(2);
    for (const line of runnable) {
      const r = await cli(work, ...words(line), '--lake', lake);
      expect(r.code, `creditlake ${line}\n${r.stderr}`).toBe(0);
    }
    expect(existsSync(join(lake, 'warehouse.duckdb'))).toBe(true);
  }, 300_000);
});
