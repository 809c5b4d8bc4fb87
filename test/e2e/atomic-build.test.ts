/**
 * A build publishes all its marts at once: after a failed build every reader of warehouse.duckdb
 * sees the complete previous build (issue 10 item 3), the failure names the model and the reason,
 * and config values that would fail a build half-way are refused before it starts.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { readLocalBuildMarker, currentMartFile } from '../../src/lake/mart-generations.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { fixtureLake, writeRawBatch } from '../helpers/lake-fixture.js';
import { allocation, configWith, customer, invoice, payment } from '../helpers/warehouse.js';

const SELECT = ['+ar_aging', '+dso_monthly'];

async function readState(lake: string) {
  const db = await DuckDBEngine.open({ path: join(lake, 'warehouse.duckdb'), readOnly: true });
  try {
    const aging = await db.query(`SELECT CAST(sum(open_amount) AS VARCHAR) AS total FROM ar_aging WHERE group_by = 'ALL'`);
    const dso = await db.query(`SELECT CAST(sum(ar_end) AS VARCHAR) AS ar FROM dso_monthly WHERE group_by = 'ALL'`);
    return { aging: aging.rows[0]!.total, dso: dso.rows[0]!.ar };
  } finally {
    await db.close();
  }
}

function martFiles(lake: string, mart: string): string[] {
  const dir = join(lake, 'marts', mart);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort() : [];
}

describe('atomic builds', () => {
  it('leaves every reader on the complete previous build when a build fails half-way', async () => {
    const lake = await fixtureLake({
      customers: [customer('C1', 'enterprise'), customer('C2', 'smb')],
      invoices: [invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00'), invoice('I2', 'C2', '2024-02-10', '2024-03-11', '500.00')],
      payments: [payment('P1', 'C1', '2024-02-15', '600.00')],
      payment_allocations: [allocation('P1', 'I1', '600.00')],
    });
    const first = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: SELECT, skipTests: true });
    const before = await readState(lake);
    const marker = readLocalBuildMarker(lake)!;
    expect(marker.build_id).toBe(first.buildId);
    expect(currentMartFile(lake, 'ar_aging')).toBe(join(lake, 'marts', 'ar_aging', `${first.buildId}.parquet`));

    // New data, and a project whose dso_monthly fails after ar_open_items and ar_aging were rewritten.
    await writeRawBatch(lake, 'invoices', [invoice('I3', 'C2', '2024-03-01', '2024-03-31', '250.00')], { ingestDate: '2024-04-01', batch: 'c' });
    const sqlDir = mkdtempSync(join(tmpdir(), 'creditlake-atomic-sql-'));
    cpSync(new URL('../../sql/', import.meta.url), sqlDir, { recursive: true });
    const dso = join(sqlDir, 'marts', 'dso_monthly.sql');
    writeFileSync(dso, `${readFileSync(dso, 'utf8')}\nLIMIT (SELECT CAST('not a number' AS INTEGER))`);
    // A reader that has the warehouse open during the failed build.
    const reader = await DuckDBEngine.open({ path: join(lake, 'warehouse.duckdb'), readOnly: true });
    try {
      const failed = buildWarehouse({ lakeRoot: lake, config: configWith(), select: SELECT, skipTests: true, sqlDir });
      await expect(failed).rejects.toThrow(/model dso_monthly failed on duckdb: .*not a number/);
      const seen = await reader.query(`SELECT CAST(sum(open_amount) AS VARCHAR) AS total FROM ar_aging WHERE group_by = 'ALL'`);
      expect(seen.rows[0]!.total).toBe(before.aging);
    } finally {
      await reader.close();
    }
    // Everything a new reader opens is still the first build: aging and DSO agree with each other.
    expect(await readState(lake)).toEqual(before);
    expect(readLocalBuildMarker(lake)!.build_id).toBe(first.buildId);
    // The failed build's files are gone; only the published generation is left.
    expect(martFiles(lake, 'ar_aging')).toEqual([`${first.buildId}.parquet`]);
    expect(readdirSync(join(lake, '_tmp')).filter((f) => f.endsWith('.duckdb'))).toEqual([]);

    // The next good build publishes the new data everywhere at once; the previous generation is kept
    // for readers still on it, the one before that is swept.
    const second = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: SELECT, skipTests: true });
    const after = await readState(lake);
    expect(after.aging).not.toBe(before.aging);
    expect(martFiles(lake, 'ar_aging')).toEqual([`${first.buildId}.parquet`, `${second.buildId}.parquet`].sort());
    const third = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: SELECT, skipTests: true });
    expect(martFiles(lake, 'ar_aging')).toEqual([`${second.buildId}.parquet`, `${third.buildId}.parquet`].sort());
    expect(await readState(lake)).toEqual(after);
  });

  it('a mart the build does not select stays published from its earlier generation', async () => {
    const lake = await fixtureLake({
      customers: [customer('C1')],
      invoices: [invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00')],
    });
    const first = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: SELECT, skipTests: true });
    const second = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: ['ar_open_items'], skipTests: true });
    const marker = readLocalBuildMarker(lake)!;
    expect(marker.build_id).toBe(second.buildId);
    expect(marker.marts.ar_aging).toBe(join('marts', 'ar_aging', `${first.buildId}.parquet`));
    expect(marker.marts.ar_open_items).toBe(join('marts', 'ar_open_items', `${second.buildId}.parquet`));
    const third = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: ['ar_open_items'], skipTests: true });
    // Still named by the published generation, so the sweep keeps it.
    expect(martFiles(lake, 'ar_aging')).toEqual([`${first.buildId}.parquet`]);
    expect(third.models.find((m) => m.name === 'ar_aging')!.materialised).toBe('existing');
  });

  it('refuses config dates that would fail a build half-way, before it starts', () => {
    expect(() => parseConfig({ cash_forecast: { as_of: '2024-02-30' } })).toThrow(/cash_forecast\.as_of: not a calendar date/);
    expect(() => parseConfig({ cash_forecast: { as_of: '0000-01-01' } })).toThrow(/cash_forecast\.as_of/);
    expect(parseConfig({ cash_forecast: { as_of: '2024-02-29' } }).cash_forecast.as_of).toBe('2024-02-29');
  });
});
