import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { jsonOutput, snakeKey } from '../../src/cli/json-output.js';

// Issue 15: `--json` keys were camelCase while every table and column is snake_case; an unknown
// `--select` model exited 1, not 2.
const work = mkdtempSync(join(tmpdir(), 'creditlake-conventions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every object's keys, recursively. */
function objects(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) for (const x of v) objects(x, out);
  else if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) objects(x, out);
  }
  return out;
}

/** snake_case first; a camelCase key only as an alias after them, with its snake twin's value. */
function expectSnakeWithAliases(json: unknown): string[] {
  const aliases: string[] = [];
  for (const o of objects(json)) {
    const keys = Object.keys(o);
    const firstAlias = keys.findIndex((k) => snakeKey(k) !== k);
    for (const [i, k] of keys.entries()) {
      if (snakeKey(k) === k) {
        expect(firstAlias === -1 || i < firstAlias, `${k} before the aliases`).toBe(true);
        continue;
      }
      aliases.push(k);
      expect(o[snakeKey(k)], k).toEqual(o[k]);
    }
  }
  return aliases;
}

describe('--json keys are snake_case (camelCase kept as aliases for one release)', () => {
  beforeAll(async () => {
    expect((await cli(work, 'generate', '--customers', '6', '--months', '3', '--seed', '3', '--out', 'data')).code).toBe(0);
  });

  it('generate, ingest, build and tables', async () => {
    const gen = await cli(work, 'generate', '--customers', '4', '--months', '2', '--out', 'data2', '--json');
    expect(expectSnakeWithAliases(JSON.parse(gen.stdout))).toContain('outDir');
    expect(JSON.parse(gen.stdout).out_dir).toBeTruthy();

    const ing = await cli(work, 'ingest', 'data/customers.csv', '--table', 'customers', '--json');
    expect(ing.code).toBe(0);
    const ingested = JSON.parse(ing.stdout);
    expect(expectSnakeWithAliases(ingested)).toEqual(expect.arrayContaining(['rowsLoaded', 'rowsRejected']));
    expect(JSON.stringify(ingested)).toMatch(/"rows_loaded":6/);
    for (const t of ['invoices', 'payments', 'payment_allocations']) expect((await cli(work, 'ingest', `data/${t}.csv`, '--table', t)).code).toBe(0);

    const build = await cli(work, 'build', '--select', '+ar_aging', '--json');
    expect(build.code, build.stderr).toBe(0);
    const report = JSON.parse(build.stdout);
    expect(expectSnakeWithAliases(report)).toEqual(expect.arrayContaining(['lakeRoot', 'totalMs']));
    expect(typeof report.total_ms).toBe('number');
    expect(report.tests[0]).toHaveProperty('failing_rows');

    const tables = JSON.parse((await cli(work, 'tables', 'invoices', '--json')).stdout);
    expect(expectSnakeWithAliases(tables)).toEqual([]);
  });

  it('leaves data keys that are not camelCase identifiers alone', () => {
    expect(jsonOutput({ 'invoices.csv': 1, Total: 2, rowsRead: 3, a_b: 4 })).toEqual({ 'invoices.csv': 1, Total: 2, rows_read: 3, a_b: 4, rowsRead: 3 });
  });
});

describe('usage errors exit 2 everywhere', () => {
  it.each([
    [['build', '--select', 'ar_agin'], /no model named "ar_agin"; did you mean ar_aging\?/],
    [['build', '--select', '+bad+sel!'], /bad selector/],
    [['build', '--target', 'nope'], /--target/],
    [['query', 'SELECT 1', '--format', 'xml'], /--format/],
    [['query', 'SELECT 1', '--max-rows', 'x'], /--max-rows/],
    [['tables', 'nope'], /unknown table nope/],
    [['generate', '--customers', 'abc'], /--customers/],
    [['ingest', 'data/customers.csv', '--table', 'nope'], /unknown table "nope"/],
    [['nope'], /unknown command "nope"/],
  ])('creditlake %s', async (argv, message) => {
    const r = await cli(work, ...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
