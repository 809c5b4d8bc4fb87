import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { allocation, customer, invoice, payment } from '../helpers/warehouse.js';
import { fixtureLake } from '../helpers/lake-fixture.js';
import { startServer } from '../../src/serve/server.js';
import { martTable } from '../../src/schema/marts/index.js';

// Issue 15: no lineage, no docs site. `creditlake docs` writes one; `serve` serves it at /docs.
describe('creditlake docs', () => {
  let lake: string;
  const page = (p: string) => readFileSync(join(lake, 'docs', p), 'utf8');
  beforeAll(async () => {
    lake = await fixtureLake({
      customers: [customer('C1', 'enterprise')],
      invoices: [invoice('I1', 'C1', '2024-01-05', '2024-02-04', '1000.00')],
      payments: [payment('P1', 'C1', '2024-02-15', '600.00')],
      payment_allocations: [allocation('P1', 'I1', '600.00')],
    });
    expect((await cli(lake, 'build', '--lake', lake, '--select', '+ar_aging')).code).toBe(0);
    const r = await cli(lake, 'docs', '--lake', lake);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^docs: \d+ models, \d+ data tests \(\d+ with last results\), 2 metric documents → .*index\.html/);
  });

  it('documents every model: description, columns with types, SQL, what it reads and what reads it', () => {
    expect(page('index.html')).toContain('href="models/ar_aging.html"');
    const aging = page('models/ar_aging.html');
    expect(aging).toContain(martTable('ar_aging')!.description.replace(/'/g, '&#39;').slice(0, 30).replace(/&#39;/g, "'"));
    for (const c of martTable('ar_aging')!.columns) expect(aging).toContain(`<code>${c.name}</code>`);
    expect(aging).toContain('DECIMAL(18,2)');
    expect(aging).toContain('<a href="../models/int_ar_open_stretches.html">int_ar_open_stretches</a>');
    expect(aging).toContain('{{ ref(&#39;int_ar_open_stretches&#39;) }}'.replace(/&#39;/g, "'"));
    const openItems = page('models/ar_open_items.html');
    expect(openItems).toMatch(/Read by:<\/strong>.*open_invoice_counts/);
    expect(page('models/int_ar_documents.html')).toMatch(/Every document with the AR item it belongs to/);
  });

  it('draws the lineage from the ref()s and shows data tests with their last result', () => {
    const lineage = page('lineage.html');
    for (const node of ['raw.invoices', '>stg_invoices<', '>int_ar_documents<', '>ar_aging<']) expect(lineage).toContain(node);
    expect(lineage.match(/<path /g)!.length).toBeGreaterThan(50);
    expect(page('tests.html')).toMatch(/unique__ar_aging<\/td><td>.*<\/td><td><span class="pass">pass<\/span>/);
    expect(page('tests.html')).toMatch(/not run/); // tests of marts outside --select
  });

  it('renders the metric formulas', () => {
    expect(page('metrics.html')).toMatch(/<h2 id="[a-z-]+">/);
    expect(page('metrics.html')).toContain('docs/metrics.md');
  });

  it('is served at /docs by creditlake serve, and nothing outside it', async () => {
    const server = await startServer({ lakeRoot: lake, port: 0, prewarm: false });
    const get = (path: string) =>
      new Promise<{ status: number; body: string; type?: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}` } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect((await get('/docs')).status).toBe(301);
      const index = await get('/docs/');
      expect(index.status).toBe(200);
      expect(index.type).toMatch(/text\/html/);
      expect(index.body).toContain('Creditlake warehouse');
      expect((await get('/docs/models/ar_aging.html')).body).toContain('ar_aging');
      expect((await get('/docs/docs.css')).type).toMatch(/text\/css/);
      expect((await get('/docs/%2e%2e/build-report.json')).status).toBe(404);
      expect((await get('/docs/../warehouse.duckdb')).status).not.toBe(200);
    } finally {
      await server.close();
    }
    expect(existsSync(join(lake, 'build-report.json'))).toBe(true);
  });
});
