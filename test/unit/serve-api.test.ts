import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { handleApiRequest } from '../../src/serve/api.js';
import { ReadOnlyWarehouse } from '../../src/serve/warehouse.js';
import { slices } from '../../src/serve/slices/index.js';
import { writeFoundationFixture } from '../support/dashboard-fixture.js';

let lake: string;
let engine: ReadOnlyWarehouse;

beforeAll(async () => {
  lake = await writeFoundationFixture();
  engine = await ReadOnlyWarehouse.open(join(lake, 'warehouse.duckdb'));
});
afterAll(async () => {
  await engine?.close();
  if (lake) rmSync(lake, { recursive: true, force: true });
});

async function get(path: string, query: Record<string, string | string[]> = {}) {
  const res = await handleApiRequest(path, query, engine);
  return { status: res.status, body: JSON.parse(res.body) };
}

describe('dashboard API: happy paths', () => {
  it('meta lists filters from the data and which marts exist', async () => {
    const { status, body } = await get('/api/meta');
    expect(status).toBe(200);
    expect(body.data_as_of).toBe('2024-12-31');
    expect(body.filters.segment).toEqual(['enterprise', 'mid-market', 'small business']);
    expect(body.filters.as_of).toHaveLength(12);
    expect(body.marts.dso_monthly).toBe(true);
    expect(body.marts.customer_priority).toBe(false);
    expect(body.pages.cfo).toContain('dso_trend');
  });

  it('dso_trend returns the period months of the selected segment', async () => {
    const { status, body } = await get('/api/slices/dso_trend', { as_of: '2024-09-30', period: '6m', segment: 'mid-market' });
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.rows.map((r: { month: string }) => r.month)).toEqual([
      '2024-04-01', '2024-05-01', '2024-06-01', '2024-07-01', '2024-08-01', '2024-09-01',
    ]);
    // mid-market (k=1), September: ar_end = 30000 + 8100 + 2000, sales = 20000 + 13500 + 3000, 30 days
    const sep = body.rows[5];
    expect(sep.dso).toBeCloseTo(Math.round((40100 / 36500) * 30 * 100) / 100, 6);
  });

  it('top_overdue sums only overdue items and applies every customer filter', async () => {
    const all = await get('/api/slices/top_overdue', { as_of: '2024-06-30' });
    expect(all.body.rows.length).toBeLessThanOrEqual(20);
    const be = await get('/api/slices/top_overdue', { as_of: '2024-06-30', country: 'BE' });
    expect(be.body.rows.length).toBeGreaterThan(0);
    expect(be.body.rows.every((r: { country: string }) => r.country === 'BE')).toBe(true);
    for (const r of be.body.rows) expect(Number(r.overdue_amount)).toBeLessThanOrEqual(Number(r.open_amount));
  });

  it('a slice whose mart is not built says so instead of failing', async () => {
    const { status, body } = await get('/api/slices/ar_rollforward');
    expect(status).toBe(200);
    expect(body.status).toBe('unavailable');
    expect(body.message).toBe('not available: mart ar_rollforward not built');
  });

  it('a filter a foundation mart cannot apply is reported in notes', async () => {
    const { body } = await get('/api/slices/dso_trend', { country: 'NL' });
    expect(body.notes.join(' ')).toMatch(/country/);
  });

  it('every slice answers 200 (ok or unavailable) with default parameters', async () => {
    for (const s of slices) {
      const q: Record<string, string> = s.paramNames.includes('customer_id') ? { customer_id: 'C001' } : {};
      const res = await get(`/api/slices/${s.name}`, q);
      expect(res.status, `${s.name}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });
});

describe('dashboard API: bad and hostile parameters get 400 with a message', () => {
  const cases: [string, string, Record<string, string | string[]>, RegExp][] = [
    ['unknown field', 'dso_trend', { colour: 'red' }, /unknown parameter "colour"/],
    ['SQL in a segment', 'dso_trend', { segment: "x' OR 1=1 --" }, /segment/],
    ['SQL in as_of', 'dso_trend', { as_of: '2024-01-31; DROP TABLE customers' }, /as_of/],
    ['union in customer_id', 'customer_open_items', { customer_id: "C001' UNION SELECT * FROM customers --" }, /customer_id/],
    ['stacked query in period', 'dso_trend', { period: '12m; DELETE FROM dso_monthly' }, /period/],
    ['huge value', 'dso_trend', { segment: 'a'.repeat(10_000) }, /too long/],
    ['huge limit', 'priority_list', { limit: '99999999' }, /limit/],
    ['negative limit', 'priority_list', { limit: '-1' }, /limit/],
    ['impossible date', 'dso_trend', { as_of: '2024-02-30' }, /as_of/],
    ['date without data', 'dso_trend', { as_of: '2019-01-31' }, /as_of "2019-01-31" is not in the data/],
    ['segment not in data', 'dso_trend', { segment: 'martians' }, /segment "martians" is not in the data/],
    ['lower-case country', 'top_overdue', { country: 'nl' }, /country/],
    ['repeated key', 'dso_trend', { segment: ['enterprise', 'mid-market'] }, /given 2 times/],
    ['odd key', 'dso_trend', { 'segment;--': 'x' }, /unknown parameter/],
    ['missing required', 'customer_open_items', {}, /customer_id/],
    ['sbi section out of range', 'top_overdue', { sbi_section: 'Z' }, /sbi_section/],
    ['group_by not allowed', 'dso_change_by_group', { group_by: 'name' }, /group_by/],
  ];
  for (const [label, slice, query, message] of cases) {
    it(label, async () => {
      const { status, body } = await get(`/api/slices/${slice}`, query);
      expect(status).toBe(400);
      expect(body.error).toMatch(message);
    });
  }

  it('too many parameters', async () => {
    const q = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, 'x']));
    const { status, body } = await get('/api/slices/dso_trend', q);
    expect(status).toBe(400);
    expect(body.error).toMatch(/too many parameters/);
  });

  it('unknown slices and paths are 404, never a query', async () => {
    expect((await get('/api/slices/customers')).status).toBe(404);
    expect((await get('/api/slices/..%2Fmeta')).status).toBe(404);
    expect((await get('/api/sql', { q: 'SELECT 1' })).status).toBe(404);
  });

  it('the warehouse handle refuses writes', async () => {
    await expect(engine.query('DELETE FROM customers')).rejects.toThrow(/read-only|read only/i);
    const { body } = await get('/api/meta');
    expect(body.filters.segment).toHaveLength(3);
  });
});
