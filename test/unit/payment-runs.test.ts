/**
 * int_payment_runs counts each payment day once, into packed per-month columns, and takes each month
 * end's lookback as a sum over its months (sql/intermediate/int_payment_runs.sql). This proves it
 * gives exactly the rows of the model's earlier, direct formulation (every payment day seen at every
 * month end of its lookback, grouped and ranked; kept verbatim in test/fixtures/models/), on random
 * ledgers with the cases that formulation handles implicitly: payment days on the 29th-31st (windows
 * running past the month's end), ties between windows and weekdays, refunds, several payments on a
 * day, customers with runs and without, the month end 28 February after a leap year (whose lookback
 * holds 13 months), lookbacks of 1 and 120 months (the largest counts the packing must hold) and
 * payment runs off.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { compileModel, duckdbTarget, loadProject, parseProject } from '../../src/warehouse/compile/index.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';

const project = loadProject();
const model = project.find((m) => m.name === 'int_payment_runs')!;
const expanded = parseProject([
  { ...model, path: 'test/fixtures/models/int_payment_runs.expanded.sql', source: readFileSync(new URL('../fixtures/models/int_payment_runs.expanded.sql', import.meta.url), 'utf8') },
])[0]!;
const target = duckdbTarget({ tablesWithFiles: new Set() });

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** Payments of `customers` customers over the months from `first` (YYYY-MM) on, of several habits. */
function paymentRows(seed: number, customers: number, first: string, months: number): string[] {
  const rnd = random(seed);
  const rows: string[] = [];
  const [y0, m0] = first.split('-').map(Number) as [number, number];
  for (let c = 0; c < customers; c++) {
    const habit = c % 5; // 0 a monthly run, 1 a weekly run, 2 random days, 3 month ends, 4 sparse
    const runDay = 1 + Math.floor(rnd() * 31);
    const weekday = Math.floor(rnd() * 7);
    for (let m = 0; m < months; m++) {
      const year = y0 + Math.floor((m0 - 1 + m) / 12);
      const month = ((m0 - 1 + m) % 12) + 1;
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      const days: number[] = [];
      if (habit === 0) days.push(Math.min(last, runDay + Math.floor(rnd() * 3)));
      if (habit === 1) for (let d = 1; d <= last; d++) if (new Date(Date.UTC(year, month - 1, d)).getUTCDay() === weekday && rnd() < 0.7) days.push(d);
      if (habit === 2) for (let k = Math.floor(rnd() * 4); k > 0; k--) days.push(1 + Math.floor(rnd() * last));
      if (habit === 3) days.push(last - Math.floor(rnd() * 3));
      if (habit === 4 && rnd() < 0.3) days.push(1 + Math.floor(rnd() * last));
      if (rnd() < 0.1) days.push(1 + Math.floor(rnd() * last)); // an odd day out
      for (const d of days) {
        const date = iso(new Date(Date.UTC(year, month - 1, d)));
        const amount = rnd() < 0.05 ? '-25.00' : (10 + Math.floor(rnd() * 1000)).toFixed(2); // a refund now and then
        rows.push(`('C${c}', DATE '${date}', ${amount})`);
        if (rnd() < 0.1) rows.push(`('C${c}', DATE '${date}', 5.00)`); // a second payment that day
      }
    }
  }
  return rows;
}

describe('int_payment_runs against its direct formulation', () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    engine = await DuckDBEngine.open({ threads: 1 });
  });
  afterAll(async () => {
    await engine.close();
  });

  async function ledger(seed: number, customers: number, first: string, months: number): Promise<void> {
    await engine.query(`CREATE OR REPLACE TABLE int_payment_customers AS SELECT * FROM (VALUES ${paymentRows(seed, customers, first, months).join(', ')}) v(customer_id, payment_date, amount)`);
    await engine.query(
      `CREATE OR REPLACE TABLE int_month_ends AS SELECT CAST(last_day(CAST(s AS DATE)) AS DATE) AS as_of_date ` +
        `FROM range(DATE '${first}-01', DATE '${first}-01' + INTERVAL ${months} MONTH, INTERVAL 1 MONTH) r(s)`,
    );
  }

  async function same(config: Config): Promise<number> {
    const sql = (m: typeof model) => compileModel(m, target, config, project).sql;
    const order = 'ORDER BY forecast_date, customer_id';
    const got = (await engine.query(`SELECT * FROM (${sql(model)}) x ${order}`)).rows;
    const want = (await engine.query(`SELECT * FROM (${sql(expanded)}) x ${order}`)).rows;
    expect(got).toEqual(want);
    const types = async (s: string) => (await engine.query(`DESCRIBE ${s}`)).rows.map((r) => `${r.column_name} ${r.column_type}`);
    expect(await types(sql(model))).toEqual(await types(sql(expanded)));
    return got.length;
  }

  const config = (over: Partial<Config['cash_forecast']>): Config => {
    const c = defaultConfig();
    return { ...c, cash_forecast: { ...c.cash_forecast, ...over } };
  };

  it('gives the same runs on a random ledger through a leap year, with the default lookback', async () => {
    await ledger(7, 60, '2023-01', 30); // January 2023 to June 2025: 29 February 2024, then 28 February 2025
    const n = await same(config({}));
    expect(n).toBeGreaterThan(100);
    const kinds = (await engine.query(`SELECT DISTINCT run_kind FROM (${compileModel(model, target, config({}), project).sql}) x ORDER BY 1`)).rows.map((r) => r.run_kind);
    expect(kinds).toEqual(['monthly', 'weekly']);
  });

  it('gives the same runs with other lookbacks, shares and histories, and with payment runs off', async () => {
    await ledger(11, 40, '2019-11', 26);
    await same(config({ lookback_months: 1, min_history: 1 }));
    await same(config({ lookback_months: 3, payment_run_share: 0.5 }));
    await same(config({ payment_runs: false }));
  });

  it('holds the largest counts a lookback of 120 months gives (packed three digits to a day)', async () => {
    // every customer pays on the same days every month for 10 years: counts up to 121 per day, 605 per weekday
    await ledger(3, 12, '2015-01', 122);
    await engine.query(`INSERT INTO int_payment_customers SELECT 'D' || (i % 2), CAST(d AS DATE), 1.00 FROM range(DATE '2015-01-01', DATE '2025-02-28', INTERVAL 1 DAY) r(d), range(1) i(i)`);
    expect(await same(config({ lookback_months: 120 }))).toBeGreaterThan(0);
  });
});
