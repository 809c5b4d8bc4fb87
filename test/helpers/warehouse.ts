import { defaultConfig, type Config } from '../../src/config/config.js';
import { buildWarehouse, type BuildReport } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import type { Row } from '../../src/warehouse/engine.js';
import { fixtureLake, type FixtureLedger } from './lake-fixture.js';

export interface BuiltFixture {
  lakeRoot: string;
  report: BuildReport;
  query(sql: string): Promise<Row[]>;
}

/** Config with overrides on the aging and dso sections. */
export function configWith(over: { aging?: Partial<Config['aging']>; dso?: Partial<Config['dso']>; extract_date?: string } = {}): Config {
  const c = defaultConfig();
  return {
    ...c, aging: { ...c.aging, ...over.aging }, dso: { ...c.dso, ...over.dso }, duckdb: { threads: 1 },
    ...(over.extract_date ? { extract_date: over.extract_date } : {}),
  };
}

/** The foundation marts and everything they read; other marts are not this helper's subject. */
export const FOUNDATION_MARTS = ['+ar_open_items', '+ar_aging', '+dso_monthly'];

/** Writes the ledger as raw Parquet batches, runs the real build over it and opens the warehouse. */
export async function buildFixture(ledger: FixtureLedger, config: Config = configWith(), select = FOUNDATION_MARTS): Promise<BuiltFixture> {
  const lakeRoot = await fixtureLake(ledger);
  const report = await buildWarehouse({ lakeRoot, config, select });
  return {
    lakeRoot,
    report,
    query: (sql) => withDuckDB({ path: report.warehouse, readOnly: true, threads: 1 }, async (db) => (await db.query(sql)).rows),
  };
}

export const customer = (customer_id: string, segment = 'smb', extra: Record<string, string | number> = {}) => ({
  customer_id,
  name: `Customer ${customer_id}`,
  country: 'NL',
  segment,
  size_class: 'small',
  currency: 'EUR',
  payment_terms_days: 30,
  ...extra,
});

export const invoice = (
  document_id: string,
  customer_id: string,
  invoice_date: string,
  due_date: string,
  amount: string,
  extra: { settled_date?: string; corrects_document_id?: string } = {},
) => ({
  document_id,
  customer_id,
  document_type: amount.startsWith('-') ? 'credit_note' : 'invoice',
  invoice_date,
  due_date,
  currency: 'EUR',
  amount,
  ...extra,
});

export const payment = (payment_id: string, customer_id: string, payment_date: string, amount: string) => ({
  payment_id,
  customer_id,
  payment_date,
  amount,
  currency: 'EUR',
});

export const allocation = (payment_id: string, document_id: string, amount: string) => ({ payment_id, document_id, amount });
