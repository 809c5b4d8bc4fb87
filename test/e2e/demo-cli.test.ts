/** `creditlake demo --no-serve` through the CLI entry point, on a tiny ledger. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { followUpFlags } from '../../src/cli/commands/demo.js';

const work = mkdtempSync(join(tmpdir(), 'creditlake-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const w = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(argv, { stdout: w((s) => (stdout += s)), stderr: w((s) => (stderr += s)), cwd: work, env: {} });
  return { code, stdout, stderr };
}

describe('followUpFlags', () => {
  it('repeats --config, --lake and a non-default port, quoting paths that need it', () => {
    expect(followUpFlags({})).toBe('');
    expect(followUpFlags({}, 8765)).toBe('');
    expect(followUpFlags({}, 0)).toBe('');
    expect(followUpFlags({ lake: 'my lake', config: 'c.json' }, 9001)).toBe(" --config c.json --lake 'my lake' --port 9001");
  });
});

describe('creditlake demo --no-serve', () => {
  it('suggests follow-up commands that reach the lake and port the demo used', async () => {
    const r = await cli('demo', '--no-serve', '--customers', '20', '--months', '2', '--out', 'data', '--lake', 'other lake', '--port', '9001');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`npx creditlake query --lake 'other lake' "SELECT * FROM dso_monthly`);
    expect(r.stdout).toContain(`npx creditlake serve --lake 'other lake' --port 9001   →   http://127.0.0.1:9001/`);
    // The printed aging shows each debit bucket's share of the debit balances (issue 11), none for
    // unapplied cash and credit balances: they are not part of that base.
    expect(r.stdout).toMatch(/bucket\s+open_count\s+open_amount\s+pct_of_debit_ar/);
    expect(r.stdout).toMatch(/unapplied cash\s+\d+\s+-?[\d.]+\s+NULL/);
    // The suggested query runs as printed.
    const q = await cli('query', '--lake', 'other lake', "SELECT count(*) AS n FROM dso_monthly WHERE segment = 'ALL'");
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(/\(1 row\)/);
  });
});
