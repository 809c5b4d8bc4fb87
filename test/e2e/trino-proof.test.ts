/**
 * Every model proven on a real Trino: the same generated ledger is built on DuckDB and on Trino, every
 * model and data test runs on Trino, every mart is compared row by row and column by column (exact
 * for DECIMAL, DATE, text, integers and booleans; DOUBLE within the stated relative tolerance), every
 * dashboard slice returns the same rows on both engines, and the statements the Athena build sends are
 * validated by the same Trino (types, functions, tables: what the grammar gate cannot see).
 *
 * Needs a Trino (`npm run trino:start`); skipped with one line when none runs, except in CI.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config/config.js';
import { loadCatalog, type Catalog } from '../../src/serve/catalog.js';
import { defaultSettings } from '../../src/serve/settings.js';
import { slices } from '../../src/serve/slices/index.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { quoteIdent } from '../../src/schema/index.js';
import { writeMart } from '../../src/warehouse/athena/mart-writer.js';
import type { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';
import { athenaTarget, buildOrder, compileModel, loadProject } from '../../src/warehouse/compile/index.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import type { Row, WarehouseEngine } from '../../src/warehouse/engine.js';
import { runBuild } from '../../src/warehouse/runner.js';
import { type BuildReport } from '../../src/warehouse/build-session.js';
import { openTrinoBuild } from '../../src/warehouse/trino/trino-build.js';
import { trinoConnection } from '../../src/warehouse/trino/trino-connection.js';
import { TrinoEngine } from '../../src/warehouse/trino/trino-engine.js';
import { buildSmallLake } from '../support/small-lake.js';
import { TRINO_URL, trinoAvailable } from '../support/trino.js';
import { diffMarts, diffRows } from '../support/mart-diff.js';
import type { S3LakeStore } from '../../src/lake/s3-store.js';

const available = await trinoAvailable();

describe.skipIf(!available)(`every model on a real Trino (${TRINO_URL})`, () => {
  const schema = `proof_${randomBytes(3).toString('hex')}`;
  let lake: string;
  let config: Config;
  let report: BuildReport;
  let duck: DuckDBEngine;
  let trino: TrinoEngine;

  beforeAll(async () => {
    // Small enough for the suite, and it still reaches every model (credit reports, bankruptcies, write-offs)
    // and every branch of them: foreign currencies (revaluation, realised FX), credit balances,
    // recoveries, disputes, delivery channels, a partial last month (a mid-month end date), a bank
    // statement matched by every rule, and payments by a third party (49 of the 972 payments are
    // credited to the invoice customer, 20 of them across segments: int_payment_customers).
    lake = await buildSmallLake({
      customers: 60, months: 14, seed: '12', endDate: '2026-10-14',
      situations: { currencies: 0.2, creditBalances: 0.05, recoveries: 0.4, disputes: 0.05, thirdPartyPayments: 0.05 }, deliveryChannels: true,
      bankStatement: true,
    });
    config = parseConfig({ trino: { url: TRINO_URL, schema } });
    report = await runBuild(await openTrinoBuild(lake, config), { config });
    duck = await DuckDBEngine.open({ path: join(lake, 'warehouse.duckdb'), readOnly: true });
    trino = new TrinoEngine(trinoConnection(config));
  }, 20 * 60_000);

  afterAll(async () => {
    await duck?.close();
    if (!trino) return;
    const objects = await trino.query(`SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '${schema}'`);
    for (const o of objects.rows.filter((r) => r.table_type === 'VIEW')) await trino.execute(`DROP VIEW IF EXISTS ${quoteIdent(String(o.table_name))}`);
    for (const o of objects.rows.filter((r) => r.table_type !== 'VIEW')) await trino.execute(`DROP TABLE IF EXISTS ${quoteIdent(String(o.table_name))}`);
    await trino.execute(`DROP SCHEMA IF EXISTS creditlake.${quoteIdent(schema)}`);
  }, 5 * 60_000);

  it('builds every model and passes every data test on Trino', () => {
    const failed = report.tests.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? `${t.failingRows} rows ${JSON.stringify(t.sample)}`}`);
    expect(failed).toEqual([]);
    expect(report.ok).toBe(true);
    const marts = report.models.filter((m) => m.kind === 'marts');
    expect(marts.map((m) => [m.name, m.materialised])).toEqual(marts.map((m) => [m.name, 'table']));
    expect(marts.length).toBe(MART_TABLES.length);
    // The SQL data tests and the schema tests of every model ran.
    expect(report.tests.length).toBeGreaterThan(100);
  });

  it('gives every mart the same rows as DuckDB, column by column', async () => {
    expect(await diffMarts(duck, trino)).toEqual([]);
  });

  it('answers every dashboard slice with the same rows on both engines', async () => {
    const catalogs: [WarehouseEngine, Catalog][] = [
      [duck, await loadCatalog(duck)],
      [trino, await loadCatalog(trino)],
    ];
    const values = catalogs[0]![1].values;
    expect(catalogs[1]![1].values).toEqual(values);
    const real: Record<string, string> = {
      as_of: values.as_of.at(-1)!,
      period: '12m',
      segment: values.segment[0]!,
      sbi_section: values.sbi_section[0]!,
      country: values.country[0]!,
      size: values.size[0]!,
      score_band: values.score_band[0]!,
      priority: 'grow',
      limit: '25',
      group_by: 'sbi_section',
    };
    const firstCustomer = await duck.query('SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1');
    real.customer_id = String(firstCustomer.rows[0]!.customer_id);
    const problems: string[] = [];
    let ran = 0;
    for (const slice of slices) {
      const all = Object.fromEntries(slice.paramNames.filter((n) => real[n] !== undefined).map((n) => [n, real[n]!]));
      for (const raw of [all, Object.fromEntries(Object.entries(all).filter(([k]) => k === 'customer_id'))]) {
        const parsed = slice.params.safeParse(raw);
        if (!parsed.success) continue;
        const [d, t] = await Promise.all(catalogs.map(([engine, catalog]) => slice.run({ engine, catalog, settings: defaultSettings }, parsed.data)));
        ran++;
        const types: Record<string, string> = {};
        for (const r of [...d!.rows, ...t!.rows]) for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !Number.isInteger(v)) types[k] = 'DOUBLE';
        for (const r of d!.rows) for (const k of Object.keys(r)) types[k] ??= 'TEXT';
        const diff = diffRows(d!.rows, t!.rows, types);
        if (diff.length) problems.push(`${slice.name} ${JSON.stringify(raw)}:\n    ${diff.join('\n    ')}`);
        if (JSON.stringify(d!.notes ?? []) !== JSON.stringify(t!.notes ?? [])) problems.push(`${slice.name}: notes differ`);
      }
    }
    expect(problems).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(slices.length);
  });

  it('validates on Trino every statement the Athena build sends (views and mart CTAS)', async () => {
    const project = loadProject();
    const target = athenaTarget();
    const problems: string[] = [];
    let validated = 0;
    for (const m of buildOrder(project).filter((x) => x.kind !== 'tests')) {
      const sql = compileModel(m, target, config, project).sql;
      const statements: string[] = [];
      if (m.kind === 'marts') {
        // The exact CTAS the Athena build runs, with Athena-only properties mapped to Trino's:
        // write_compression is a session setting there, and the location is a folder of this lake.
        const recorder = { execute: async (s: string) => void statements.push(s), query: async () => ({ columns: [], rows: [] }) };
        const store = { deletePrefix: async () => 0, uriOf: (k: string) => `local://${lake}/_tmp/athena-proof/${k}` };
        await writeMart({
          engine: recorder as unknown as AthenaEngine,
          store: store as unknown as S3LakeStore,
          model: m.name,
          sql,
          declared: MART_TABLES.find((t) => t.name === m.name)!,
          tempSuffix: 'proof',
          buildId: 'proof',
        });
        statements.splice(1); // the CREATE TABLE … AS (unpartitioned marts are one statement)
      } else {
        statements.push(sql);
      }
      for (const s of statements) {
        const mapped = s.replace(/,\s*write_compression = '[A-Z]+'/, '');
        try {
          await trino.query(`EXPLAIN (TYPE VALIDATE) ${mapped}`);
          validated++;
        } catch (e) {
          problems.push(`${m.name}: ${(e as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(validated).toBeGreaterThan(50);
  });

  it('reads the same canonical rows through the Athena source relation ("$path") as through committed batches', async () => {
    const project = loadProject();
    const target = athenaTarget();
    for (const m of project.filter((x) => x.kind === 'staging')) {
      const sql = compileModel(m, target, config, project).sql;
      const [viaAthenaSql, published] = await Promise.all([
        trino.query(`SELECT count(*) AS n FROM (${sql}) s`),
        duck.query(`SELECT count(*) AS n FROM ${quoteIdent(m.name)}`),
      ]);
      expect([m.name, viaAthenaSql.rows[0]!.n]).toEqual([m.name, published.rows[0]!.n]);
    }
  });
});
