import { TrinoEngine } from '../src/warehouse/trino/trino-engine.ts';
const e = new TrinoEngine({ url: 'http://127.0.0.1:8080', user: 'x', catalog: 'creditlake', schema: 'scratch' });
const L = '/tmp/creditlake-dash-u6gR0K/lake';
for (const sql of process.argv.slice(2)) {
  const t0 = Date.now();
  try { const r = await e.query(sql.replaceAll('$L', L)); console.log(JSON.stringify(r.columns), JSON.stringify(r.rows.slice(0, 5)), Date.now() - t0, 'ms'); }
  catch (err) { console.log('ERR', (err as Error).message); }
}
