/**
 * The two gates of sql-portability.md over the real model project: every model compiled for Athena
 * is valid Trino (dt-sql-parser's TrinoSQL grammar) and free of DuckDB-only syntax, in the exact
 * statement form the Athena build sends; every model compiled for DuckDB runs on a small generated
 * ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { defaultConfig } from '../../src/config/config.js';
import { LEDGER_TABLES_FOR_GATE } from '../support/ledger-tables.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { typedSelect } from '../../src/warehouse/athena/mart-writer.js';
import { tablesWithFiles } from '../../src/warehouse/build.js';
import { athenaTarget, buildOrder, compileModel, duckdbTarget, loadProject } from '../../src/warehouse/compile/index.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';

/** DuckDB-only syntax Athena rejects, found outside string literals and comments. */
export function duckdbOnlySyntax(sql: string): string[] {
  const code = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
  const found: string[] = [];
  if (/\bQUALIFY\b/i.test(code)) found.push('QUALIFY');
  if (/::/.test(code)) found.push(':: cast');
  if (/\bEXCLUDE\s*\(/i.test(code)) found.push('SELECT * EXCLUDE');
  if (/\bINTERVAL\s+(?!'')/i.test(code)) found.push('unquoted interval');
  return found;
}

const trino = new TrinoSQL();
const trinoErrors = (sql: string) => trino.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);

const project = loadProject();
const ordered = buildOrder(project);
const config = defaultConfig();

describe('Athena gate', () => {
  it('the gate itself catches each DuckDB-only construct and Trino syntax errors', () => {
    expect(duckdbOnlySyntax('SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a) = 1')).toEqual(['QUALIFY']);
    expect(duckdbOnlySyntax('SELECT a::INTEGER FROM t')).toEqual([':: cast']);
    expect(duckdbOnlySyntax('SELECT * EXCLUDE (a) FROM t')).toEqual(['SELECT * EXCLUDE']);
    expect(duckdbOnlySyntax("SELECT d + INTERVAL 3 DAY, d + INTERVAL '3' DAY FROM t")).toEqual(['unquoted interval']);
    expect(duckdbOnlySyntax("SELECT 'a::b QUALIFY' AS s -- INTERVAL 3 DAY\nFROM t")).toEqual([]);
    expect(trinoErrors('SELECT a FROM t QUALIFY row_number() OVER () = 1').length).toBeGreaterThan(0);
    expect(trinoErrors("SELECT CAST(d + INTERVAL '3' DAY AS DATE) FROM t")).toEqual([]);
  });

  it('has models to check', () => {
    expect(project.filter((m) => m.kind === 'marts').map((m) => m.name).sort()).toEqual(MART_TABLES.map((t) => t.name).sort());
  });

  for (const m of ordered) {
    it(`${m.path} compiles to valid Trino without DuckDB-only syntax`, () => {
      const sql = compileModel(m, athenaTarget(), config, project).sql;
      const mart = MART_TABLES.find((t) => t.name === m.name);
      // The statement the Athena build actually sends for this model.
      const statement =
        m.kind === 'marts' && mart
          ? `CREATE TABLE ${m.name}__ctas_x WITH (format = 'PARQUET', external_location = 's3://b/marts/${m.name}/') AS\n${typedSelect(sql, mart)}`
          : m.kind === 'tests'
            ? `SELECT count(*) OVER () AS failing_rows__, t.* FROM (${sql}) t LIMIT 5`
            : `CREATE OR REPLACE VIEW ${m.name} AS\n${sql}`;
      expect(duckdbOnlySyntax(statement)).toEqual([]);
      expect(trinoErrors(statement)).toEqual([]);
    });
  }
});

describe('DuckDB gate', () => {
  let work: string;
  let engine: DuckDBEngine;
  const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'creditlake-gate-'));
    const io = { stdout: quiet(), stderr: quiet(), cwd: work, env: {} };
    expect(await main(['generate', '--customers', '12', '--months', '4', '--seed', '7', '--out', 'ledger'], io)).toBe(0);
    for (const t of LEDGER_TABLES_FOR_GATE) {
      expect(await main(['ingest', join(work, 'ledger', `${t}.csv`), '--table', t, '--lake', 'lake', '--max-reject-rate', '1'], io)).toBe(0);
    }
    engine = await DuckDBEngine.open({ threads: 1, lakeRoot: join(work, 'lake') });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs every model, in dependency order, on the generated ledger', async () => {
    const lakeRoot = join(work, 'lake');
    const target = duckdbTarget({ tablesWithFiles: tablesWithFiles(lakeRoot) });
    const counts: Record<string, number> = {};
    for (const m of ordered) {
      const sql = compileModel(m, target, config, project).sql;
      // Models are materialised as tables, as a build does, so each downstream model reads its
      // inputs once: a stack of views re-expands every upstream model per reference, and with ~80
      // models that took minutes on two cores.
      if (m.kind !== 'tests') await engine.execute(`CREATE OR REPLACE TABLE ${m.name} AS ${sql}`);
      const res = await engine.query(`SELECT count(*)::INTEGER AS n FROM ${m.kind === 'tests' ? `(${sql}) q` : m.name}`);
      counts[m.name] = Number(res.rows[0]!.n);
    }
    // Real data flowed through the ledger marts (marts over credit-report or reference feeds may be
    // empty on a generated ledger: they only have to run); data tests find no failing rows.
    expect(counts.stg_invoices).toBeGreaterThan(0);
    for (const name of ['ar_open_items', 'ar_aging', 'dso_monthly']) expect(counts[name], name).toBeGreaterThan(0);
    expect(Object.keys(counts).sort()).toEqual(ordered.map((m) => m.name).sort());
    for (const m of ordered.filter((x) => x.kind === 'tests')) expect(counts[m.name], m.name).toBe(0);
  });
});
