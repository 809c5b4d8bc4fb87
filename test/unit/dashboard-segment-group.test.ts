import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleApiRequest } from '../../src/serve/api.js';
import { ReadOnlyWarehouse } from '../../src/serve/warehouse.js';
import { buildFixture, customer, invoice, type BuiltFixture } from '../helpers/warehouse.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/*
 * Customer lists filtered by segment take the segment group the grouped marts use: S2 has no segment
 * in the customer master, so the grouped marts (int_customer_groups) count it under 'unknown', and a
 * list filtered by segment=unknown must list it, with the amount the grouped mart has for 'unknown'.
 */
const ledger: FixtureLedger = {
  customers: [customer('S1', 'smb'), { ...customer('S2'), segment: null }, customer('S3', 'ent')],
  invoices: [
    invoice('I1', 'S1', '2023-12-01', '2023-12-31', '1000.00'),
    invoice('I2', 'S2', '2023-12-05', '2024-01-04', '2500.00'),
    invoice('I3', 'S2', '2023-12-20', '2024-01-19', '125.50'),
    invoice('I4', 'S3', '2024-02-05', '2024-03-06', '700.00'),
  ],
};

let f: BuiltFixture;
let engine: ReadOnlyWarehouse;

beforeAll(async () => {
  f = await buildFixture(ledger, undefined, ['+ar_aging', '+ar_open_items', '+dim_customers']);
  engine = await ReadOnlyWarehouse.open(f.report.warehouse, { lakeRoot: f.lakeRoot });
}, 120_000);
afterAll(async () => {
  await engine?.close();
});

async function get(path: string, query: Record<string, string> = {}) {
  const res = await handleApiRequest(path, query, engine);
  expect(res.status, res.body).toBe(200);
  return JSON.parse(res.body);
}

describe('dashboard customer lists: segment filter', () => {
  it('segment=unknown lists the customers the grouped marts count as unknown, with the same amounts', async () => {
    const meta = await get('/api/meta');
    expect(meta.filters.segment).toContain('unknown');
    const asOf = meta.data_as_of as string;
    const list = await get('/api/slices/top_overdue', { segment: 'unknown' });
    expect(list.rows.map((r: { customer_id: string }) => r.customer_id)).toEqual(['S2']);
    // The grouped mart's overdue AR of the 'unknown' segment group at the same month end.
    const [grouped] = await f.query(
      `SELECT CAST(sum(open_amount) AS VARCHAR) AS overdue FROM ar_aging
       WHERE as_of_date = DATE '${asOf}' AND group_by = 'segment' AND group_value = 'unknown' AND bucket <> 'not due' AND open_amount > 0`,
    );
    expect(list.rows[0].overdue_amount).toBe('2625.50');
    expect(grouped!.overdue).toBe('2625.50');
    // A recorded segment still filters on its own value.
    const smb = await get('/api/slices/top_overdue', { segment: 'smb' });
    expect(smb.rows.map((r: { customer_id: string }) => r.customer_id)).toEqual(['S1']);
  });
});

