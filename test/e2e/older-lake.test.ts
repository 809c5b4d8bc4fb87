import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

function parquetFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? parquetFiles(p) : p.endsWith('.parquet') ? [p] : [];
  });
}

// A lake ingested before an optional column joined the schema (customers.account_manager) must
// still build after an upgrade: the missing column reads as NULL, not as a binder error.
describe('a lake written by an older Creditlake', () => {
  it('builds when committed batches lack an optional column added since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-older-'));
    try {
      const lake = join(dir, 'lake');
      expect((await cli(dir, 'generate', '--customers', '30', '--months', '4', '--seed', '3', '--out', 'led')).code).toBe(0);
      for (const f of readdirSync(join(dir, 'led'))) {
        const ingest = await cli(dir, 'ingest', '--lake', lake, '--table', f.replace(/\.csv$/, ''), join('led', f));
        expect(ingest.code, ingest.stderr).toBe(0);
      }
      const files = parquetFiles(join(lake, 'raw', 'customers'));
      expect(files.length).toBeGreaterThan(0);
      const db = await DuckDBInstance.create(':memory:');
      const con = await db.connect();
      try {
        for (const f of files) {
          const old = `${f}.old.parquet`;
          await con.run(`COPY (SELECT * EXCLUDE (account_manager) FROM read_parquet('${f}')) TO '${old}' (FORMAT parquet)`);
          await con.run(`COPY (FROM read_parquet('${old}')) TO '${f}' (FORMAT parquet)`);
          rmSync(old);
        }
      } finally {
        con.closeSync();
        db.closeSync();
      }
      const build = await cli(dir, 'build', '--lake', lake);
      expect(build.code, build.stdout + build.stderr).toBe(0);
      const q = await cli(dir, 'query', '--lake', lake, '--format', 'csv',
        'SELECT count(*) AS n, count(account_manager) AS with_owner FROM customers');
      expect(q.code, q.stderr).toBe(0);
      expect(q.stdout.trim().split('\n')[1]).toBe('30,0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
