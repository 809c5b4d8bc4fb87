/**
 * The plausible-date window (config `plausible_dates`, issue 12) through the CLI: the default rejects
 * a 1985 invoice and one dated six years ahead with file, line, column and value; a config that widens
 * the window loads them; a config that makes no sense is refused before anything is read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dateWindow } from '../../src/config/plausible-dates.js';
import { cli, workFolder } from '../support/run-cli.js';

const HEADER = 'document_id,customer_id,document_type,invoice_date,due_date,currency,amount,settled_date,corrects_document_id';
const ahead = (years: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate())).toISOString().slice(0, 10);
};

function folder(config?: unknown): string {
  const cwd = workFolder('plausible-dates');
  writeFileSync(
    join(cwd, 'invoices.csv'),
    [
      HEADER,
      'INV-1,C1,invoice,2024-01-05,2024-02-04,EUR,1210.00,,',
      'INV-2,C1,invoice,1985-03-01,1990-03-31,EUR,50.00,,',
      `INV-3,C2,invoice,2024-01-06,${ahead(6)},EUR,99.95,,`,
    ].join('\n'),
  );
  if (config) writeFileSync(join(cwd, 'creditlake.config.json'), JSON.stringify(config));
  return cwd;
}

describe('plausible_dates through the CLI', () => {
  it('by default rejects dates before 1990-01-01 and more than five years ahead, naming line, column and value', async () => {
    const cwd = folder();
    const r = await cli(cwd, 'ingest', 'invoices.csv', '--table', 'invoices', '--max-reject-rate', '1', '--json');
    expect(r.code).toBe(0);
    const [f] = JSON.parse(r.stdout).files;
    expect(f).toMatchObject({ rowsRead: 3, rowsLoaded: 1, rowsRejected: 2 });
    const { to } = dateWindow();
    expect(to).toBe(ahead(5));
    const reasons = f.topReasons.map((x: { reason: string; column: string; sample: { line: number; detail: string } }) => [x.column, x.reason, x.sample.line, x.sample.detail]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['invoice_date', `date outside 1990-01-01 to ${to}`, 3, '1985-03-01'],
        ['due_date', `date outside 1990-01-01 to ${to}`, 4, ahead(6)],
      ]),
    );
  });

  it('a configured window loads what it covers and rejects what it does not', async () => {
    const cwd = folder({ plausible_dates: { from: '1980-01-01', years_ahead: 10 } });
    const r = await cli(cwd, 'ingest', 'invoices.csv', '--table', 'invoices', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files[0]).toMatchObject({ rowsLoaded: 3, rowsRejected: 0 });

    const fixed = folder({ plausible_dates: { from: '2000-01-01', to: '2024-12-31' } });
    const f = await cli(fixed, 'ingest', 'invoices.csv', '--table', 'invoices', '--max-reject-rate', '1', '--json');
    const res = JSON.parse(f.stdout).files[0];
    expect(res).toMatchObject({ rowsLoaded: 1, rowsRejected: 2 });
    expect(res.topReasons.map((x: { reason: string }) => x.reason)).toContain('date outside 2000-01-01 to 2024-12-31');
  });

  it('refuses a window that is empty, too long for Trino, or not calendar dates, naming the field', async () => {
    for (const [bad, message] of [
      [{ from: '2030-01-01', to: '2020-01-01' }, /plausible_dates\.to: the window 2030-01-01 to 2020-01-01 is empty/],
      [{ from: '1900-01-01', to: '2999-12-31' }, /plausible_dates\.from: .*spans more than 800 years: Trino and Athena build at most 10,000 month ends/],
      [{ from: '2024-02-30' }, /plausible_dates\.from: not a calendar date/],
      [{ years_ahead: -1 }, /plausible_dates\.years_ahead/],
      [{ until: '2030-01-01' }, /plausible_dates: Unrecognized key/i],
    ] as const) {
      const cwd = folder({ plausible_dates: bad });
      const r = await cli(cwd, 'ingest', 'invoices.csv', '--table', 'invoices');
      expect(r.code, JSON.stringify(bad)).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
