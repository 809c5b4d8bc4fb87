import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INGEST_FILES } from '../../infra/constructs/pipeline-functions.js';
import { bundleHandler, type BundleResult } from '../../infra/lambda-code.js';

const built: BundleResult[] = [];
afterAll(() => {
  for (const b of built) rmSync(b.dir, { recursive: true, force: true });
});

/** Imports the bundle in a fresh Node from its own folder (under the OS temp dir: no project node_modules above it). */
function load(dir: string, extra = ''): string {
  const script = `const m = await import('./index.mjs'); console.log(typeof m.handler); ${extra}`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
}

describe('Lambda bundles (real esbuild, in-process, no Docker)', () => {
  it('bundles the ingest handler with DuckDB shipped as linux-x64 node_modules, and it loads and queries', () => {
    const b = bundleHandler('functions/ingest.ts', { copyDirs: INGEST_FILES });
    built.push(b);
    expect(b.withDuckDB).toBe(true);
    for (const p of ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc']) {
      expect(existsSync(join(b.dir, 'node_modules', p, 'package.json')), p).toBe(true);
    }
    const out = load(
      b.dir,
      "const { DuckDBInstance } = await import('@duckdb/node-api'); const db = await DuckDBInstance.create(':memory:'); " +
        "const c = await db.connect(); const r = await c.runAndReadAll('SELECT CAST(1.10 AS DECIMAL(18,2)) + 2 AS x'); console.log(String(r.getRowObjects()[0].x));",
    );
    expect(out.trim().split('\n')).toEqual(['function', '3.10']);
    // Data files the feeds resolve by new URL('./x', import.meta.url): in the bundle, beside index.mjs.
    const code = readFileSync(join(b.dir, 'index.mjs'), 'utf8');
    for (const [ref, file] of <[string, string][]>[
      ['./presets/', 'presets/afas-debtor-open-items.json'],
      ['./einvoice-mapping.json', 'einvoice-mapping.json'],
      ['./sbi/', 'sbi/sbi2008_codes_to_section_apollor.csv'],
    ]) {
      expect(code, ref).toContain(ref);
      expect(existsSync(join(b.dir, file)), file).toBe(true);
    }
  });

  it('bundles the build steps with the sql/ project beside it and without DuckDB', () => {
    const b = bundleHandler('functions/build-step.ts', { copyDirs: ['sql'] });
    built.push(b);
    expect(b.withDuckDB).toBe(false);
    expect(existsSync(join(b.dir, 'sql', 'marts'))).toBe(true);
    expect(load(b.dir).trim()).toBe('function');
  });

  it('bundles the scheduled compaction handler with DuckDB (it rewrites Parquet), and it loads', () => {
    const b = bundleHandler('functions/compact.ts');
    built.push(b);
    expect(b.withDuckDB).toBe(true);
    expect(load(b.dir).trim()).toBe('function');
  });
});
