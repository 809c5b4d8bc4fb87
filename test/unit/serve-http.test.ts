import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { KEEP_ALIVE_MS, startServer, type RunningServer } from '../../src/serve/server.js';
import { ReadOnlyWarehouse } from '../../src/serve/warehouse.js';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'creditlake-http-'));
  await withDuckDB({ path: join(dir, 'warehouse.duckdb') }, (db) =>
    db.execute(`CREATE TABLE ar_aging AS SELECT DATE '2024-01-31' AS as_of_date, 'ALL' AS segment, 'not due' AS bucket, 1.00 AS open_amount, 1 AS open_count`),
  );
  server = await startServer({ lakeRoot: dir, port: 0, prewarm: false });
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Raw HTTP, so paths reach the server exactly as written (fetch would normalise `..`). */
function raw(method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('creditlake serve over HTTP', () => {
  it('serves the pages on 127.0.0.1 with a strict content security policy', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const page of ['/', '/cfo', '/marketing', '/risk', '/collections']) {
      const res = await raw('GET', page);
      expect(res.status, page).toBe(200);
      expect(res.body).toContain('/assets/app.js');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self';/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    const js = await raw('GET', '/assets/app.js', { 'accept-encoding': 'gzip' });
    expect(js.status).toBe(200);
    expect(js.headers['content-encoding']).toBe('gzip');
    // Every chunk the bundle imports statically is preloaded by the page, not fetched after app.js ran.
    const html = (await raw('GET', '/cfo')).body;
    const plain = (await raw('GET', '/assets/app.js')).body;
    const chunks = [...plain.matchAll(/(?:^|[;}\s])import\s*(?:[^;()]*?from\s*)?"\.\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) => m[1]);
    expect(chunks.length).toBeGreaterThan(0);
    for (const c of chunks) expect(html, c).toContain(`<link rel="modulepreload" href="/assets/${c}">`);
    // The chart library is imported dynamically (the data shows while it compiles) and preloaded
    // too; the Excel writer, needed on a download only, is not.
    const dynamic = [...plain.matchAll(/import\("\.\/(chunk-[A-Z0-9]+\.js)"\)/g)].map((m) => m[1]!);
    const charts = [];
    for (const c of dynamic) {
      const body = (await raw('GET', `/assets/${c}`)).body;
      if (body.includes('cl-light')) charts.push(c);
      else expect(html, c).not.toContain(`/assets/${c}`);
    }
    expect(charts).toHaveLength(1);
    expect(html).toContain(`<link rel="modulepreload" href="/assets/${charts[0]}" data-chart-library>`);
    // Pages drawn without it (plain SVG charts, a table) are served without its preload.
    for (const path of ['/customers/C1', '/worklist']) {
      const page = (await raw('GET', path)).body;
      expect(page, path).not.toContain(`/assets/${charts[0]}`);
      for (const c of chunks) expect(page, `${path} ${c}`).toContain(`<link rel="modulepreload" href="/assets/${c}">`);
    }
    expect(plain.length, 'app.js without ECharts').toBeLessThan(200_000);
  });

  it('is read-only and maps no URL to a file path', async () => {
    expect((await raw('POST', '/api/meta')).status).toBe(405);
    expect((await raw('DELETE', '/api/slices/aging_trend')).status).toBe(405);
    for (const p of ['/assets/../../package.json', '/assets/..%2F..%2Fpackage.json', '/../warehouse.duckdb', '/warehouse.duckdb', '/assets/app.js.map']) {
      expect((await raw('GET', p)).status, p).toBe(404);
    }
    expect((await raw('GET', `/api/meta?x=${'a'.repeat(5000)}`)).status).toBe(414);
  });

  it('answers the API: a built mart, a missing one, a hostile parameter', async () => {
    const ok = JSON.parse((await raw('GET', '/api/slices/aging_trend')).body);
    expect(ok.status).toBe('ok');
    const missing = JSON.parse((await raw('GET', '/api/slices/dso_trend')).body);
    expect(missing.message).toBe('not available: mart dso_monthly not built');
    const bad = await raw('GET', "/api/slices/aging_trend?segment=%27%3B%20DROP%20TABLE%20ar_aging%3B--");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/segment/);
  });
});

describe('creditlake serve starts a page\'s slices when it sends the page', () => {
  it('the page\'s own requests then find their answers ready; HEAD and other views start nothing', async () => {
    const warehouse = await ReadOnlyWarehouse.open(join(dir, 'warehouse.duckdb'), { lakeRoot: dir });
    const sqls: string[] = [];
    const counting = Object.create(warehouse, {
      query: { value: (sql: string, bind?: Record<string, string | number | boolean | null>) => (sqls.push(sql), warehouse.query(sql, bind)) },
    }) as ReadOnlyWarehouse;
    const started = await startServer({ lakeRoot: dir, port: 0, prewarm: false, source: { engine: async () => counting, close: () => warehouse.close() } });
    try {
      const get = (path: string, method = 'GET') => fetch(new URL(path, started.url), { method });
      const aging = () => sqls.filter((q) => /FROM ar_aging\b/.test(q) && !/DISTINCT/.test(q)).length;
      expect((await get('/cfo?period=6m', 'HEAD')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(aging(), 'HEAD starts nothing').toBe(0);
      expect((await get('/cfo?period=6m')).status).toBe(200);
      for (let i = 0; i < 100 && aging() === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(aging(), 'the page started aging_trend').toBeGreaterThan(0);
      const before = aging();
      // The page asks for what the server started (view-state.ts sliceQuery): answered without a query.
      const ok = (await (await get('/api/slices/aging_trend?period=6m')).json()) as { status: string };
      expect(ok.status).toBe('ok');
      expect(aging()).toBe(before);
      // A view the page was not opened with runs its query on request.
      await get('/api/slices/aging_trend?period=24m');
      expect(aging()).toBeGreaterThan(before);
    } finally {
      await started.close();
    }
  });

  it('keeps idle connections open a minute, as it tells clients', async () => {
    const res = await raw('GET', '/api/meta');
    expect(res.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_MS / 1000}`);
    expect(KEEP_ALIVE_MS).toBeGreaterThanOrEqual(60_000);
  });
});

describe('creditlake serve command', () => {
  const sink = () => {
    let text = '';
    return { stream: new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) }), text: () => text };
  };
  it('refuses a lake without a warehouse, and a bad port', async () => {
    const err = sink();
    const out = sink();
    expect(await main(['serve', '--lake', join(dir, 'nothing-here'), '--port', '0'], { stdout: out.stream, stderr: err.stream })).toBe(1);
    expect(err.text()).toMatch(/no warehouse at .*warehouse\.duckdb: run `creditlake build`/);
    expect(await main(['serve', '--port', '99999'], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toMatch(/--port must be a number from 0 to 65535/);
  });
});
