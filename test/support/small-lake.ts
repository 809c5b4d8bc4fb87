import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/config.js';
import { ingestFiles } from '../../src/feeds/ingest-files.js';
import { ingestFxRates } from '../../src/feeds/fx-rates/ingest.js';
import { generateLedger, type LedgerSituations } from '../../src/generator/index.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { ingestBankStatements } from '../../src/feeds/bank-statements/ingest.js';
import { bankStatementForLedger } from './bank-statement.js';

/**
 * A real lake for dashboard tests: generated ledger → ingest → build, small enough to take a few
 * seconds on 2 cores. Returns the lake root (inside a fresh temp folder).
 */
export async function buildSmallLake(
  opts: {
    customers?: number; months?: number; seed?: string; endDate?: string; situations?: LedgerSituations; deliveryChannels?: boolean; bankStatement?: boolean;
    /** Changes the generated CSV files (in the folder given) before they are ingested: a ledger of a shape the generator does not make. */
    editLedger?: (dataDir: string) => void;
  } = {},
): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'creditlake-dash-'));
  const outDir = join(root, 'data');
  const lakeRoot = join(root, 'lake');
  const summary = await generateLedger({
    customers: opts.customers ?? 80, months: opts.months ?? 15, seed: opts.seed ?? '7', outDir, endDate: opts.endDate, situations: opts.situations, deliveryChannels: opts.deliveryChannels,
  });
  opts.editLedger?.(outDir);
  for (const table of CANONICAL_TABLES) {
    const file = join(outDir, `${table.name}.csv`);
    if (!existsSync(file)) continue;
    const res = await ingestFiles({ lakeRoot, table, files: [file], threads: 1 });
    if (!res.ok) throw new Error(`ingest of ${table.name} failed: ${res.files[0]?.message}`);
  }
  if (summary.fxRates) {
    const res = await ingestFxRates({ lakeRoot, files: [summary.fxRates.file], reportingCurrency: 'EUR' });
    if (!res.ok) throw new Error(`ingest of the rates failed: ${res.files[0]?.message}`);
  }
  // A bank statement paying open invoices by every matching rule, so bank_receipts and payment_matching have rows.
  if (opts.bankStatement) {
    const res = await ingestBankStatements({ lakeRoot, files: [await bankStatementForLedger(outDir)] });
    if (!res.ok) throw new Error(`ingest of the bank statement failed: ${res.files[0]?.message}`);
  }
  // CREDITLAKE_TEST_SQL_DIR: build from another model folder (e.g. a clean export while models are in flux).
  const build = await buildWarehouse({ lakeRoot, config: defaultConfig(), sqlDir: process.env.CREDITLAKE_TEST_SQL_DIR });
  if (!build.ok) throw new Error(`build failed: ${build.tests.filter((t) => !t.ok).map((t) => t.name).join(', ')}`);
  return lakeRoot;
}
