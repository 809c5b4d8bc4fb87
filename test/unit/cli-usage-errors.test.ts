import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const w = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const cwd = mkdtempSync(join(tmpdir(), 'creditlake-usage-'));
  const code = await main(argv, { stdout: w((s) => (stdout += s)), stderr: w((s) => (stderr += s)), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('usage errors', () => {
  it('print the problem and where the options are, not the whole usage text', async () => {
    const missing = await cli('ingest', 'nope.csv', '--table', 'invoices');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^creditlake ingest: no such file: .*nope\.csv\nRun `creditlake ingest --help` for the options\.\n$/);
    const flag = await cli('build', '--bogus');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("creditlake build: Unknown option '--bogus'\nRun `creditlake build --help` for the options.\n");
  });

  it('--help still prints the usage, on stdout', async () => {
    const help = await cli('ingest', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: creditlake ingest /);
  });
});
