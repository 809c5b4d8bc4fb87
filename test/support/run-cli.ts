/**
 * The CLI as a user runs it, in-process: `creditlake <argv…>` in a working folder, with stdout, stderr
 * and the exit code captured. For the regression tests that reproduce a report through the CLI on
 * small hand-made files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cli } from '../helpers/cli.js';

/** The one in-process CLI runner of the suite (test/helpers/cli.ts), under the names these tests use. */
export { cli, type CliRun as CliResult } from '../helpers/cli.js';

/** A fresh working folder for one CLI scenario. */
export function workFolder(name: string): string {
  return mkdtempSync(join(tmpdir(), `creditlake-${name}-`));
}

/** Writes `<dir>/<table>.csv` from a header line and rows (arrays of cells, '' for empty). */
export function writeCsv(dir: string, table: string, header: string, rows: readonly (readonly string[])[]): string {
  const path = join(dir, `${table}.csv`);
  writeFileSync(path, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return path;
}

export const CUSTOMERS_HEADER = 'customer_id,name,kvk_number,vat_number,country,sbi_code,segment,size_class,credit_limit,currency,payment_terms_days';
export const INVOICES_HEADER = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id';
export const PAYMENTS_HEADER = 'payment_id,customer_id,payment_date,amount,currency';
export const ALLOCATIONS_HEADER = 'payment_id,document_id,amount';
export const WRITE_OFFS_HEADER = 'document_id,customer_id,write_off_date,amount,reason';

/** `creditlake query --json <sql>` → rows. */
export async function queryRows(cwd: string, sql: string): Promise<Record<string, unknown>[]> {
  const r = await cli(cwd, 'query', '--json', sql);
  if (r.code !== 0) throw new Error(`query failed (${r.code}): ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as { rows?: Record<string, unknown>[] } | Record<string, unknown>[];
  return Array.isArray(parsed) ? parsed : (parsed.rows ?? []);
}
