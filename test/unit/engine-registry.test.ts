/** One registry of engines: names, dialects and capabilities with reasons; the CLI picks from it by name. */
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINE_NAMES, ENGINES } from '../../src/warehouse/engines.js';
import { fixtureLake } from '../helpers/lake-fixture.js';
import { customer } from '../helpers/warehouse.js';
import { cli } from '../helpers/cli.js';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('engine registry', () => {
  it('lists every engine once, with its own dialect and a reason for every capability', () => {
    expect(Object.keys(ENGINES).sort()).toEqual([...ENGINE_NAMES].sort());
    for (const [name, e] of Object.entries(ENGINES)) {
      expect(e.name).toBe(name);
      expect(e.dialect.name).toBe(name);
      for (const [cap, c] of Object.entries(e.capabilities)) expect(c.reason.length, `${name}.${cap}`).toBeGreaterThan(5);
      // Every engine builds through the one runner (src/warehouse/runner.ts).
      expect(typeof e.openBuild, name).toBe('function');
    }
  });

  it('offers every engine to --target, and refuses an unknown one naming them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'creditlake-registry-'));
    const r = await cli(cwd, 'build', '--target', 'spark', '--lake', join(cwd, 'lake'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--target must be one of duckdb, athena, trino/);
  });

  it('build and query --target trino without a Trino: one line that says how to start one, exit 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'creditlake-registry-'));
    const port = await closedPort();
    // A lake with a batch, so the build gets as far as the engine.
    const lake = await fixtureLake({ customers: [customer('C1')] });
    writeFileSync(join(cwd, 'creditlake.config.json'), JSON.stringify({ lake, trino: { url: `http://127.0.0.1:${port}` } }));
    for (const argv of [['build', '--target', 'trino'], ['query', '--target', 'trino', 'SELECT 1']]) {
      const r = await cli(cwd, ...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`cannot reach Trino at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED.*npm run trino:start`));
    }
    const serve = await cli(cwd, 'serve', '--target', 'trino', '--port', '0');
    expect(serve.code).toBe(1);
    expect(serve.stderr.trim()).toBe(`creditlake serve: no Trino answers at http://127.0.0.1:${port} (\`npm run trino:start\` starts a local one)`);
  });
});
