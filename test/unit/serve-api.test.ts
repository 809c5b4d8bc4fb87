import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleApiRequest } from '../../src/serve/api.js';
import { createDashboardApiHandler } from '../../src/serve/lambda.js';
import { ReadOnlyWarehouse } from '../../src/serve/warehouse.js';
import { slices } from '../../src/serve/slices/index.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { buildSmallLake } from '../support/small-lake.js';

let lake: string;
let engine: ReadOnlyWarehouse;

beforeAll(async () => {
  lake = await buildSmallLake();
  engine = await ReadOnlyWarehouse.open(join(lake, 'warehouse.duckdb'));
});
afterAll(async () => {
  await engine?.close();
  if (lake) rmSync(join(lake, '..'), { recursive: true, force: true });
});

async function get(path: string, query: Record<string, string | string[]> = {}) {
  const res = await handleApiRequest(path, query, engine);
  return { status: res.status, body: JSON.parse(res.body) };
}

let meta: { data_as_of: string; filters: { as_of: string[]; segment: string[]; country: string[] } };

describe('dashboard API: happy paths', () => {
  it('meta lists filters from the data and which marts exist', async () => {
    const { status, body } = await get('/api/meta');
    expect(status).toBe(200);
    meta = body;
    const latest = await engine.query('SELECT CAST(MAX(as_of_date) AS VARCHAR) AS d FROM ar_aging');
    expect(body.data_as_of).toBe(latest.rows[0]!.d);
    const segs = await engine.query(`SELECT DISTINCT group_value AS v FROM dso_monthly WHERE group_by = 'segment' ORDER BY v`);
    expect(body.filters.segment).toEqual(segs.rows.map((r) => r.v));
    expect(body.filters.as_of.length).toBeGreaterThanOrEqual(12);
    expect(body.marts.dso_monthly).toBe(true);
    expect(body.pages.cfo).toContain('dso_trend');
  });

  it('dso_trend returns the months of the period for the selected segment', async () => {
    const asOf = meta.filters.as_of[meta.filters.as_of.length - 3]!;
    const segment = meta.filters.segment[0]!;
    const { status, body } = await get('/api/slices/dso_trend', { as_of: asOf, period: '6m', segment });
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.rows).toHaveLength(6);
    expect(body.rows[5].month.slice(0, 7)).toBe(asOf.slice(0, 7));
    const direct = await engine.query(
      `SELECT dso FROM dso_monthly WHERE group_by = 'segment' AND group_value = $s AND month_end = CAST($d AS DATE)`,
      { s: segment, d: asOf },
    );
    expect(body.rows[5].dso).toBe(direct.rows[0]!.dso);
  });

  it('top_overdue sums the overdue open items of each customer and applies customer filters', async () => {
    const asOf = meta.data_as_of;
    const all = await get('/api/slices/top_overdue', { as_of: asOf });
    expect(all.body.rows.length).toBeGreaterThan(0);
    expect(all.body.rows.length).toBeLessThanOrEqual(20);
    const first = all.body.rows[0];
    const items = await engine.query(
      `SELECT open_amount, days_past_due FROM ar_open_items WHERE as_of_date = CAST($d AS DATE) AND customer_id = $c`,
      { d: asOf, c: first.customer_id },
    );
    let cents = 0n;
    for (const r of items.rows) if (typeof r.days_past_due === 'number' && r.days_past_due > 0) cents += BigInt(String(r.open_amount).replace('.', ''));
    expect(first.overdue_amount.replace('.', '')).toBe(String(cents));
    const country = meta.filters.country.find((c) => c !== 'NL')!;
    const some = await get('/api/slices/top_overdue', { as_of: asOf, country });
    expect(some.body.rows.every((r: { country: string }) => r.country === country)).toBe(true);
  });

  it('a slice whose mart is not built says so instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-partial-'));
    try {
      await withDuckDB({ path: join(dir, 'warehouse.duckdb') }, (db) =>
        db.execute(`CREATE TABLE ar_aging AS SELECT DATE '2024-01-31' AS as_of_date, 'ALL' AS segment, 'not due' AS bucket, 1.00 AS open_amount, 1 AS open_count`),
      );
      const partial = await ReadOnlyWarehouse.open(join(dir, 'warehouse.duckdb'));
      try {
        const res = await handleApiRequest('/api/slices/dso_trend', {}, partial);
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ status: 'unavailable', mart: 'dso_monthly', message: 'not available: mart dso_monthly not built' });
        const aging = JSON.parse((await handleApiRequest('/api/slices/aging_trend', {}, partial)).body);
        expect(aging.status).toBe('ok');
        expect(aging.rows).toHaveLength(1);
      } finally {
        await partial.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('grouped marts apply one customer group at a time and say so', async () => {
    const { body } = await get('/api/slices/dso_trend', { country: 'NL', segment: meta.filters.segment[0]! });
    expect(body.notes.join(' ')).toMatch(/one dimension at a time/);
  });

  it('lists say how many rows matched; the export has every one of them, as CSV or Excel', async () => {
    const page = await get('/api/slices/top_overdue', { limit: '3' });
    expect(page.body.rows.length).toBeLessThanOrEqual(3);
    const all = await get('/api/slices/top_overdue', { limit: '100000' });
    expect(page.body.total_rows).toBe(all.body.rows.length);
    expect(page.body.columns.find((c: { name: string }) => c.name === 'overdue_amount').kind).toBe('money');
    const csv = await handleApiRequest('/api/export/top_overdue.csv', {}, engine);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="creditlake-top_overdue-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(csv.body.trim().split('\r\n').length - 1).toBe(all.body.rows.length);
    const xlsx = await handleApiRequest('/api/export/top_overdue.xlsx', {}, engine);
    expect(xlsx.status).toBe(200);
    expect(xlsx.base64).toBe(true);
    expect(Buffer.from(xlsx.body, 'base64').subarray(0, 2).toString()).toBe('PK');
    expect((await handleApiRequest('/api/export/top_overdue.pdf', {}, engine)).status).toBe(404);
    expect((await handleApiRequest('/api/export/top_overdue.csv', { limit: '5' }, engine)).status).toBe(400);
  });

  it('aging shares are of the aged debit balances: they add to 100 at every month end, unapplied cash apart', async () => {
    const { body } = await get('/api/slices/aging_trend', { period: 'all' });
    const byDate = new Map<string, number>();
    for (const r of body.rows) {
      if (r.bucket_kind === 'credit') expect(r.share_pct).toBeNull();
      else byDate.set(r.as_of_date, (byDate.get(r.as_of_date) ?? 0) + (r.share_pct ?? 0));
    }
    for (const [d, total] of byDate) if (total !== 0) expect(total, d).toBeCloseTo(100, 6);
    expect(body.rows.some((r: { bucket: string; bucket_kind: string }) => r.bucket === 'unapplied cash' && r.bucket_kind === 'credit')).toBe(true);
    const orders = body.rows.filter((r: { as_of_date: string }) => r.as_of_date === body.rows[0].as_of_date).map((r: { bucket_order: number }) => r.bucket_order);
    expect(orders).toEqual([...orders].sort((a: number, b: number) => a - b));
  });

  it('the customer page reads customer_months: the same profile and history as the three month-end marts give', async () => {
    // The same warehouse with customer_months hidden from the catalog: the slices fall back to reading
    // credit_limit_utilisation, customer_risk and customer_priority (a lake built before the mart).
    const without = Object.create(engine, {
      query: {
        value: async (sql: string, bind?: Record<string, string | number | boolean | null>) => {
          const res = await engine.query(sql, bind);
          return sql.includes('information_schema.columns') ? { ...res, rows: res.rows.filter((r) => r.table_name !== 'customer_months') } : res;
        },
      },
    }) as ReadOnlyWarehouse;
    const ids = (await engine.query('SELECT customer_id FROM customers ORDER BY customer_id')).rows.map((r) => String(r.customer_id));
    const asOf = meta.filters.as_of.at(-4)!;
    let months = 0;
    for (const id of ids.slice(0, 25)) {
      for (const [slice, q] of [['customer_profile', {}], ['customer_history', { period: 'all' }], ['customer_profile', { as_of: asOf }], ['customer_history', { as_of: asOf }]] as const) {
        const query = { customer_id: id, ...q };
        const a = JSON.parse((await handleApiRequest(`/api/slices/${slice}`, query, engine)).body);
        const b = JSON.parse((await handleApiRequest(`/api/slices/${slice}`, query, without)).body);
        expect(a.status, `${slice} ${id}`).toBe('ok');
        expect(a.rows, `${slice} ${id} ${JSON.stringify(q)}`).toEqual(b.rows);
        if (slice === 'customer_history') months += a.rows.length;
      }
    }
    expect(months).toBeGreaterThan(100);
    // In file order: a customer's rows sit together, so a lookup reads one row group.
    const sorted = await engine.query(`SELECT count(*) AS n FROM (
        SELECT customer_id, as_of_date, lag(customer_id) OVER w AS prev_id, lag(as_of_date) OVER w AS prev_date
        FROM read_parquet('${join(lake, 'marts', 'customer_months', '*.parquet')}', file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) x
      WHERE prev_id > customer_id OR (prev_id = customer_id AND prev_date >= as_of_date)`);
    expect(Number(sorted.rows[0]!.n), 'customer_months is written sorted by customer and month end').toBe(0);
  });

  it('every slice answers 200 (ok or unavailable) with default parameters', async () => {
    for (const s of slices) {
      const q: Record<string, string> = s.paramNames.includes('customer_id') ? { customer_id: 'C001' } : {};
      if (s.paramNames.includes('q')) q.q = 'B.V.';
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
    ['date without data', 'dso_trend', { as_of: '1999-01-31' }, /as_of "1999-01-31" is not in the data/],
    ['segment not in data', 'dso_trend', { segment: 'martians' }, /segment "martians" is not in the data/],
    ['lower-case country', 'top_overdue', { country: 'nl' }, /country/],
    ['repeated key', 'dso_trend', { segment: ['enterprise', 'mid-market'] }, /given 2 times/],
    ['odd key', 'dso_trend', { 'segment;--': 'x' }, /unknown parameter/],
    ['missing required', 'customer_open_items', {}, /customer_id/],
    ['sbi section out of range', 'top_overdue', { sbi_section: 'Z' }, /sbi_section/],
    ['customer id with spaces', 'customer_open_items', { customer_id: 'C 1' }, /customer_id/],
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
    await expect(engine.query('CREATE TABLE evil (a INTEGER)')).rejects.toThrow(/read-only|read only/i);
    const { body } = await get('/api/meta');
    expect(body.filters.segment.length).toBeGreaterThan(1);
  });
});

describe('the same API as a Lambda handler', () => {
  const event = (method: string, rawPath: string, rawQueryString = '') =>
    ({ rawPath, rawQueryString, requestContext: { http: { method } } }) as unknown as import('aws-lambda').APIGatewayProxyEventV2;

  it('answers GET through handleApiRequest and refuses everything else', async () => {
    const handler = createDashboardApiHandler({ engine: async () => engine });
    const ok = (await handler(event('GET', '/api/slices/dso_trend', 'period=6m'))) as { statusCode: number; body: string };
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body).rows).toHaveLength(6);
    const twice = (await handler(event('GET', '/api/slices/dso_trend', 'period=6m&period=3m'))) as { statusCode: number; body: string };
    expect(twice.statusCode).toBe(400);
    expect(JSON.parse(twice.body).error).toMatch(/given 2 times/);
    const post = (await handler(event('POST', '/api/meta'))) as { statusCode: number };
    expect(post.statusCode).toBe(405);
  });
});
