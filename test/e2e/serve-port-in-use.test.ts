/** `creditlake serve` on a port that is already taken: one line, exit 1, no stack trace. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { portInUse } from '../../src/cli/port-in-use.js';

const work = mkdtempSync(join(tmpdir(), 'creditlake-serve-port-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('portInUse', () => {
  it('recognises only EADDRINUSE', () => {
    expect(portInUse(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }), 8765)).toMatch(/^port 8765 on 127\.0\.0\.1 is already in use/);
    expect(portInUse(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), 80)).toBeUndefined();
    expect(portInUse(new Error('other'), 8765)).toBeUndefined();
  });
});

describe('creditlake serve --port <taken>', () => {
  it('says the port is in use and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      mkdirSync(join(work, 'lake'));
      writeFileSync(join(work, 'lake', 'warehouse.duckdb'), '');
      let stderr = '';
      const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
      const code = await main(['serve', '--lake', 'lake', '--port', String(port)], {
        stdout: sink(() => undefined),
        stderr: sink((s) => (stderr += s)),
        cwd: work,
        env: {},
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`creditlake serve: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).not.toContain('    at ');
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
