/**
 * The snapshot-diff rules of int_snapshot_events, one hand-made situation each: what was settled
 * before the first snapshot, partial settlements, an item gone (settled on the next snapshot of its
 * scope), an item listed again (reopened), scopes compared only with themselves, a corrected
 * re-export replacing its date whole, and the invoices table winning over a snapshot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeRawBatch } from '../helpers/lake-fixture.js';
import { buildWarehouse } from '../../src/warehouse/build.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import type { Row } from '../../src/warehouse/engine.js';
import { configWith, customer, FOUNDATION_MARTS, invoice } from '../helpers/warehouse.js';
import { fixtureLake } from '../helpers/lake-fixture.js';

const item = (scope: string, snapshot_date: string, document_id: string, open_amount: string, extra: Record<string, string> = {}) => ({
  snapshot_date,
  scope,
  document_id,
  customer_id: 'C1',
  document_type: open_amount.startsWith('-') ? 'credit_note' : 'invoice',
  invoice_date: '2024-01-02',
  due_date: '2024-02-01',
  currency: 'EUR',
  open_amount,
  ...extra,
});

let query: (sql: string) => Promise<Row[]>;

beforeAll(async () => {
  const lake = await fixtureLake({
    customers: [customer('C1')],
    // L1 is in the invoices table too: its event history wins, its snapshot lines are ignored.
    invoices: [invoice('L1', 'C1', '2024-01-02', '2024-02-01', '100.00')],
    open_item_snapshots: [
      // scope A: 5 Jan, 12 Jan, 19 Jan, 26 Jan
      item('A', '2024-01-05', 'A1', '700.00', { original_amount: '1000.00' }), // 300 settled before
      item('A', '2024-01-05', 'A2', '50.00'),
      item('A', '2024-01-05', 'L1', '100.00'),
      item('A', '2024-01-12', 'A1', '400.00', { original_amount: '1000.00' }), // partial 300
      item('A', '2024-01-19', 'A1', '400.00', { original_amount: '1000.00' }),
      item('A', '2024-01-19', 'A2', '50.00'), // gone on 12 Jan, listed again on 19 Jan
      item('A', '2024-01-26', 'X', '1.00'), // later replaced by a corrected export of the same date
      // scope B's items are not settled by scope A's exports
      item('B', '2024-01-05', 'B1', '200.00'),
      item('B', '2024-01-05', 'B2', '-80.00'),
    ],
  });
  // Corrected export of scope A on 26 Jan: A1 is gone, A2 remains; X was never there.
  await writeRawBatch(lake, 'open_item_snapshots', [item('A', '2024-01-26', 'A2', '50.00')], { ingestDate: '2024-01-27', batch: 'fix' });
  const report = await buildWarehouse({ lakeRoot: lake, config: configWith(), select: [...FOUNDATION_MARTS, '+ar_rollforward'] });
  expect(report.tests.filter((t) => !t.ok)).toEqual([]);
  query = (sql) => withDuckDB({ path: report.warehouse, readOnly: true, threads: 1 }, async (db) => (await db.query(sql)).rows);
});

describe('settlements derived from consecutive open-item snapshots', () => {
  it('derives each change in the open amount, dated on the snapshot that shows it', async () => {
    const rows = await query(`SELECT document_id, CAST(event_date AS VARCHAR) AS d, CAST(amount AS VARCHAR) AS a, derivation FROM int_snapshot_events ORDER BY document_id, event_date, derivation`);
    expect(rows.map((r) => `${r.document_id} ${r.d} ${r.a} ${r.derivation}`)).toEqual([
      'A1 2024-01-05 -300.00 before_first_snapshot',
      'A1 2024-01-12 -300.00 partial',
      'A1 2024-01-26 -400.00 settled',
      'A2 2024-01-12 -50.00 settled',
      'A2 2024-01-19 50.00 reopened',
    ]);
  });

  it('adds the snapshot-only documents to invoices at their original (or first open) amount; the invoices table wins', async () => {
    const rows = await query(`SELECT document_id, document_type, CAST(amount AS VARCHAR) AS a FROM invoices ORDER BY document_id`);
    expect(rows.map((r) => `${r.document_id} ${r.document_type} ${r.a}`)).toEqual([
      'A1 invoice 1000.00',
      'A2 invoice 50.00',
      'B1 invoice 200.00',
      'B2 credit_note -80.00',
      'L1 invoice 100.00',
    ]);
  });

  it('keeps every snapshot, but per scope and date only the latest export', async () => {
    const rows = await query(`SELECT scope, CAST(snapshot_date AS VARCHAR) AS d, string_agg(document_id, ',' ORDER BY document_id) AS docs FROM open_item_snapshots GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(rows.map((r) => `${r.scope} ${r.d} ${r.docs}`)).toEqual([
      'A 2024-01-05 A1,A2,L1',
      'A 2024-01-12 A1',
      'A 2024-01-19 A1,A2',
      'A 2024-01-26 A2',
      'B 2024-01-05 B1,B2',
    ]);
  });

  it('ages what the last snapshot lists: A2 (reopened), B1 and B2 (their scope has no later export), and the ledger invoice', async () => {
    const rows = await query(`SELECT document_id, CAST(open_amount AS VARCHAR) AS a FROM ar_open_items WHERE as_of_date = DATE '2024-01-31' ORDER BY document_id`);
    expect(rows.map((r) => `${r.document_id} ${r.a}`)).toEqual(['A2 50.00', 'B1 200.00', 'B2 -80.00', 'L1 100.00']);
    const roll = await query(`SELECT CAST(invoiced AS VARCHAR) AS i, CAST(credit_notes AS VARCHAR) AS cn, CAST(collected AS VARCHAR) AS c, CAST(ar_end AS VARCHAR) AS e FROM ar_rollforward WHERE group_by = 'ALL'`);
    expect(roll).toEqual([{ i: '1350.00', cn: '-80.00', c: '1000.00', e: '270.00' }]);
  });
});
