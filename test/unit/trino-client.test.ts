/** The Trino HTTP protocol client and row typing, against a fake coordinator on loopback. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrinoClient, TrinoConnectionError, TrinoQueryError } from '../../src/warehouse/trino/trino-client.js';
import { TrinoEngine } from '../../src/warehouse/trino/trino-engine.js';
import { engineType, rowValue } from '../../src/warehouse/trino/trino-types.js';
import { inlineParams } from '../../src/warehouse/params.js';

let server: Server;
let url: string;
const seen: { method: string; path: string; headers: Record<string, unknown>; body: string }[] = [];
let busyOnce = true;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const json = (o: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const next = (n: string) => `${url}/v1/statement/executing/q1/${n}`;
      if (req.method === 'POST' && body.startsWith('SELECT 1/0')) return json({ id: 'q2', nextUri: `${url}/v1/statement/executing/q2/1` });
      if (req.url === '/v1/statement/executing/q2/1') {
        return json({ id: 'q2', error: { message: 'Division by zero', errorName: 'DIVISION_BY_ZERO', errorLocation: { lineNumber: 1, columnNumber: 9 } } });
      }
      if (req.method === 'POST') return json({ id: 'q1', nextUri: next('1') });
      if (req.url?.endsWith('/1')) {
        if (busyOnce) {
          busyOnce = false;
          res.writeHead(503);
          return res.end();
        }
        return json({
          id: 'q1',
          nextUri: next('2'),
          columns: [
            { name: 'amount', type: 'decimal(18,2)' },
            { name: 'n', type: 'bigint' },
            { name: 'd', type: 'date' },
            { name: 'r', type: 'double' },
            { name: 's', type: 'varchar(3)' },
          ],
          data: [['10.50', 3, '2024-01-31', 0.5, 'abc']],
        });
      }
      if (req.url?.endsWith('/2')) return json({ id: 'q1', data: [['-1.00', 9007199254740991, null, 'NaN', null]] });
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('TrinoClient', () => {
  it('follows nextUri across pages, retries a 503, and types rows like the DuckDB engine', async () => {
    const engine = new TrinoEngine({ url, user: 'ana', catalog: 'lake', schema: 'wh', password: 'pw' });
    const res = await engine.query('SELECT amount FROM t WHERE c = $c', { c: "O'Brien" });
    expect(res.columns.map((c) => c.type)).toEqual(['DECIMAL(18,2)', 'BIGINT', 'DATE', 'DOUBLE', 'VARCHAR']);
    expect(res.rows).toEqual([
      { amount: '10.50', n: '3', d: '2024-01-31', r: 0.5, s: 'abc' },
      { amount: '-1.00', n: '9007199254740991', d: null, r: 'NaN', s: null },
    ]);
    const post = seen.find((s) => s.method === 'POST')!;
    expect(post.body).toBe("SELECT amount FROM t WHERE c = 'O''Brien'");
    expect(post.headers['x-trino-user']).toBe('ana');
    expect(post.headers['x-trino-catalog']).toBe('lake');
    expect(post.headers['x-trino-schema']).toBe('wh');
    expect(post.headers.authorization).toBe(`Basic ${Buffer.from('ana:pw').toString('base64')}`);
  });

  it("turns Trino's error into one message with its name and position", async () => {
    const err = await new TrinoClient({ url, user: 'x' }).query('SELECT 1/0').catch((e) => e);
    expect(err).toBeInstanceOf(TrinoQueryError);
    expect(err.errorName).toBe('DIVISION_BY_ZERO');
    expect(err.message).toBe('Division by zero (line 1, column 9)');
  });

  it('says how to start a Trino when none answers', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await new TrinoClient({ url: `http://127.0.0.1:${port}`, user: 'x' }).query('SELECT 1').catch((e) => e);
    expect(err).toBeInstanceOf(TrinoConnectionError);
    expect(err.message).toMatch(new RegExp(`cannot reach Trino at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED .*npm run trino:start`));
  });
});

describe('Trino types and parameters', () => {
  it('maps type names to the names the mart schemas declare', () => {
    expect(engineType('decimal(38, 2)')).toBe('DECIMAL(38,2)');
    expect(engineType('varchar(20)')).toBe('VARCHAR');
    expect(engineType('array(date)')).toBe('DATE[]');
    expect(engineType('real')).toBe('FLOAT');
    expect(engineType('timestamp(3)')).toBe('TIMESTAMP');
  });

  it('refuses a BIGINT JSON has already rounded', () => {
    expect(() => rowValue(2 ** 60, 'BIGINT')).toThrow(/beyond exact JSON range/);
  });

  it('inlines named parameters as literals, leaving strings and comments alone', () => {
    expect(inlineParams("SELECT '$a', $a, $b -- $a\n, $n", { a: "x'y", b: true, n: 2.5 })).toBe("SELECT '$a', 'x''y', TRUE -- $a\n, 2.5");
    expect(() => inlineParams('SELECT $missing', {})).toThrow(/no value for parameter \$missing/);
    expect(() => inlineParams('SELECT $n', { n: Number.NaN })).toThrow(/not a finite number/);
  });
});
