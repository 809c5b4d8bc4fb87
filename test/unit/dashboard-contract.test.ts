import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SLICE_NAMES } from '../../src/serve/contract.js';
import { slices } from '../../src/serve/slices/index.js';

/**
 * Issue 14, problem 11: slice names and column types were copied by hand between server and
 * browser, and `npm test` did not type-check. One contract module now holds them, and the type
 * check of both projects (server and dashboards) runs first in `npm test`.
 */
describe('the dashboard API contract', () => {
  it('names exactly the slices the server serves, each once', () => {
    const served = slices.map((s) => s.name);
    expect(new Set(served).size).toBe(served.length);
    expect([...served].sort()).toEqual([...SLICE_NAMES].sort());
  });

  it('is what the browser imports its API types and view state from', () => {
    const api = readFileSync(new URL('../../dashboards/src/api.ts', import.meta.url), 'utf8');
    expect(api).toMatch(/from '\.\.\/\.\.\/src\/serve\/contract\.js'/);
    const state = readFileSync(new URL('../../dashboards/src/state.ts', import.meta.url), 'utf8');
    expect(state).toMatch(/export \* from '\.\.\/\.\.\/src\/serve\/view-state\.js'/);
  });

  it('npm test type-checks the server and the dashboards before running the tests', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toMatch(/^npm run typecheck && /);
    expect(pkg.scripts.typecheck).toContain('tsc --noEmit -p .');
    expect(pkg.scripts.typecheck).toContain('tsc --noEmit -p dashboards');
  });
});
