/**
 * The generated ledger the end-to-end pipeline tests check against (test/e2e/pipeline*.test.ts): one
 * seed and one set of real-ledger options, so each file generating it gets the same rows, and each
 * file's recomputation (test/support/ledger-replay.ts) reads the same CSVs the CLI ingested.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli } from '../helpers/cli.js';
import { LEDGER_TABLES, LedgerReplay, Rates, readTable, type Rec } from './ledger-replay.js';

// A mid-month extract (Wednesday 18 June 2025): June is a partial month, aged at the data end and
// with DSO on the days elapsed.
export const END = '2025-06-18';
export const JUNE_END = '2025-06-30';
export const SNAPSHOT_WEEKS = 10;
/** The ledger tables, disputes included (generated with --disputes). */
export const TABLES = [...LEDGER_TABLES, 'disputes'];

export const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);

export interface E2eLedger {
  ledger: Record<string, Rec[]>;
  rates: Rates;
  L: LedgerReplay;
}

/**
 * `creditlake generate` into `ledgerDir` with the real-ledger situations on: credit balances
 * (over-credits, unlinked credit notes, overpayments), recoveries, a fifth of the customers abroad in
 * USD/GBP/SEK/CHF (half of them with their credit limit in that currency), disputes, delivery
 * channels, and weekly open-item exports of the same ledger; then the CSVs read back for the
 * independent recomputation.
 */
export async function generateE2eLedger(work: string, ledgerDir: string): Promise<E2eLedger> {
  const gen = await cli(work, 'generate', '--customers', '80', '--months', '18', '--seed', 'e2e', '--end-date', END, '--credit-balances', '5%',
    '--recoveries', '40%', '--currencies', '20%', '--disputes', '8%', '--delivery-channels', '--snapshots', String(SNAPSHOT_WEEKS), '--out', ledgerDir);
  expect(gen.code, gen.stderr).toBe(0);
  const ledger = Object.fromEntries(TABLES.map((t) => [t, readTable(ledgerDir, t)]));
  const rates = new Rates(readFileSync(join(ledgerDir, 'eurofxref-hist.csv'), 'utf8'));
  return { ledger, rates, L: new LedgerReplay(ledger, rates) };
}
