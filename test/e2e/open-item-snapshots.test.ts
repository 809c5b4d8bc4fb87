/**
 * Open-item exports ("openstaande posten") are snapshots, not event histories. The two
 * reproductions, through the CLI on small hand-made exports: with Exact Online an invoice paid and
 * absent from next week's export must stop being open; with AFAS only the amount still open counts.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const ERP = join(import.meta.dirname, '../fixtures/erp');

async function query(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const r = await cli(dir, 'query', '--lake', 'lake', '--json', sql);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

// ar_open_items is selected for itself: the month-end marts no longer read it (int_ar_open_changes).
const BUILD = ['build', '--lake', 'lake', '--select', '+ar_open_items,+ar_aging,+ar_rollforward,+dso_monthly'];

const EXACT_HEADER = 'AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef';
const exact = (rows: string[]) => [EXACT_HEADER, ...rows].join('\r\n') + '\r\n';

describe('open-item snapshots through the CLI', () => {
  it('Exact Online: an invoice gone from next week\'s export is settled on that date; a lower amount is a partial settlement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-snap-exact-'));
    // Week 1 (2 Feb): three open items. Week 2 (9 Feb): 2001 paid (gone), 2002 paid in part (800 of 1.000 left),
    // 2003 unchanged, 2004 new. Week 3 (1 Mar) closes 2003.
    writeFileSync(join(dir, 'exact-2024-02-02.csv'), exact([
      '1001;Alfa B.V.;2001;05-01-2024;04-02-2024;EUR;1.210,00;0,00;jan;1;70;',
      '1001;Alfa B.V.;2002;15-01-2024;14-02-2024;EUR;1.000,00;0,00;jan;2;70;',
      '1002;Beta B.V.;2003;20-01-2024;19-02-2024;EUR;500,00;0,00;jan;3;70;',
    ]));
    writeFileSync(join(dir, 'exact-2024-02-09.csv'), exact([
      '1001;Alfa B.V.;2002;15-01-2024;14-02-2024;EUR;800,00;0,00;jan;2;70;',
      '1002;Beta B.V.;2003;20-01-2024;19-02-2024;EUR;500,00;0,00;jan;3;70;',
      '1002;Beta B.V.;2004;06-02-2024;07-03-2024;EUR;300,00;0,00;feb;4;70;',
    ]));
    writeFileSync(join(dir, 'exact-2024-03-01.csv'), exact([
      '1001;Alfa B.V.;2002;15-01-2024;14-02-2024;EUR;800,00;0,00;jan;2;70;',
      '1002;Beta B.V.;2004;06-02-2024;07-03-2024;EUR;300,00;0,00;feb;4;70;',
    ]));
    const ing = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'exact-online-receivables', 'exact-2024-02-02.csv', 'exact-2024-02-09.csv', 'exact-2024-03-01.csv');
    expect(ing.code).toBe(0);
    expect(ing.stdout).toContain('note: open-item snapshot of 2024-02-09 (date from the file name)');
    expect(ing.stdout).toMatch(/open_item_snapshots: 3 loaded, 0 rejected/);
    const b = await cli(dir, ...BUILD);
    expect(b.code, b.stderr).toBe(0);

    const open = await query(dir, `SELECT as_of_date::VARCHAR AS d, document_id, open_amount::VARCHAR AS open FROM ar_open_items ORDER BY 1, 2`);
    expect(open.map((r) => `${r.d} ${r.document_id} ${r.open}`)).toEqual([
      // January: everything the first snapshot shows (2001..2003 issued in January)
      '2024-01-31 2001 1210.00',
      '2024-01-31 2002 1000.00',
      '2024-01-31 2003 500.00',
      // end of February: 2001 gone on 9 Feb, 2002 down to 800, 2004 issued
      '2024-02-29 2002 800.00',
      '2024-02-29 2003 500.00',
      '2024-02-29 2004 300.00',
      // March: the export of 1 March no longer lists 2003
      '2024-03-31 2002 800.00',
      '2024-03-31 2004 300.00',
    ]);
    const roll = await query(dir, `SELECT month::VARCHAR AS m, ar_begin::VARCHAR AS b, invoiced::VARCHAR AS i, collected::VARCHAR AS c, settled_without_payment::VARCHAR AS s, ar_end::VARCHAR AS e
      FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY month`);
    expect(roll).toEqual([
      { m: '2024-01-01', b: '0.00', i: '2710.00', c: '0.00', s: '0.00', e: '2710.00' },
      { m: '2024-02-01', b: '2710.00', i: '300.00', c: '1410.00', s: '1410.00', e: '1600.00' },
      { m: '2024-03-01', b: '1600.00', i: '0.00', c: '500.00', s: '500.00', e: '1100.00' },
    ]);
    const derived = await query(dir, `SELECT document_id, event_date::VARCHAR AS d, amount::VARCHAR AS a, derivation FROM int_snapshot_events ORDER BY 2, 1`);
    expect(derived).toEqual([
      { document_id: '2001', d: '2024-02-09', a: '-1210.00', derivation: 'settled' },
      { document_id: '2002', d: '2024-02-09', a: '-200.00', derivation: 'partial' },
      { document_id: '2003', d: '2024-03-01', a: '-500.00', derivation: 'settled' },
    ]);
    // The lake keeps every snapshot; re-ingesting one changes nothing.
    const snaps = await query(dir, `SELECT snapshot_date::VARCHAR AS d, count(*) AS n FROM open_item_snapshots GROUP BY 1 ORDER BY 1`);
    expect(snaps.map((r) => `${r.d}:${r.n}`)).toEqual(['2024-02-02:3', '2024-02-09:3', '2024-03-01:2']);
    const again = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'exact-online-receivables', 'exact-2024-02-09.csv');
    expect(again.stdout).toMatch(/already ingested/);
  });

  it('AFAS: one snapshot alone gives AR as open on its date, not the original amounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-snap-afas-'));
    copyFileSync(join(ERP, 'afas-debtor-open-items.csv'), join(dir, 'afas-open-items.csv'));
    const noDate = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'afas-debtor-open-items', 'afas-open-items.csv');
    expect(noDate.code).toBe(1);
    expect(noDate.stdout).toContain('afas-open-items.csv is an open-item snapshot without a date: give --as-of YYYY-MM-DD');
    const ing = await cli(dir, 'ingest', '--lake', 'lake', '--mapping', 'afas-debtor-open-items', '--as-of', '2024-02-15', 'afas-open-items.csv');
    expect(ing.code).toBe(0);
    expect(ing.stdout).toContain('note: open-item snapshot of 2024-02-15 (date from --as-of)');
    const b = await cli(dir, ...BUILD);
    expect(b.code).toBe(0);
    const open = await query(dir, `SELECT document_id, original_amount::VARCHAR AS orig, open_amount::VARCHAR AS open, bucket
      FROM ar_open_items WHERE as_of_date = DATE '2024-02-29' ORDER BY document_id`);
    expect(open).toEqual([
      // aged at the snapshot date (15 Feb, the data end of this partial month), not at 29 Feb
      { document_id: 'F2024-0001', orig: '2420.00', open: '2420.00', bucket: '1-14' },
      { document_id: 'F2024-0017', orig: '605.00', open: '305.00', bucket: 'not due' },
      { document_id: 'F2024-0020', orig: '1028.50', open: '1028.50', bucket: '1-14' },
      { document_id: 'F2024-0031', orig: '-121.00', open: '-121.00', bucket: 'credit balance' },
    ]);
    const total = await query(dir, `SELECT sum(open_amount)::VARCHAR AS ar FROM ar_aging WHERE group_by = 'ALL' AND as_of_date = DATE '2024-02-29'`);
    expect(total[0]!.ar).toBe('3632.50');
  });
});
