/**
 * What the dashboards API may read in the lake, against what its statements read. Athena reads S3
 * with the caller's rights, so every object behind a relation a slice or the catalog queries must be
 * readable by the API's role. The role reads marts/ only: a view over a canonical table
 * (`customers`, `int_customer_groups`) would read that table's raw files, manifests and retire
 * records (src/warehouse/athena/committed-batches.ts), so every relation a statement names must be
 * a mart (customers come from `dim_customers`). This fails when a slice or the catalog starts
 * reading anything else, and says which prefixes that relation would need.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_READ_PREFIXES } from '../../infra/constructs/dashboard-api.js';
import { loadCatalog } from '../../src/serve/catalog.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';
import { commitTables } from '../../src/warehouse/athena/committed-batches.js';
import { athenaDialect } from '../../src/warehouse/athena/athena-dialect.js';
import { loadProject } from '../../src/warehouse/compile/index.js';
import type { QueryResult, WarehouseEngine } from '../../src/warehouse/engine.js';
import { stagedTable } from '../../src/warehouse/build-plan.js';
import { allSliceStatements } from '../support/slice-statements.js';

/** Lake prefixes a relation reads when Athena expands it: marts are tables, every other model a view. */
function prefixesOf(relation: string): Set<string> {
  const project = loadProject();
  const byName = new Map(project.map((m) => [m.name, m]));
  // The canonical views (`customers`) are the staging models under the table's name.
  for (const m of project) {
    const t = stagedTable(m);
    if (t) byName.set(t.name, m);
  }
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (name: string) => {
    const m = byName.get(name);
    if (!m) {
      out.add(`(unknown relation ${name})`);
      return;
    }
    if (seen.has(m.name)) return;
    seen.add(m.name);
    if (m.kind === 'marts') {
      out.add(`marts/${m.name}/`);
      return;
    }
    for (const source of m.sources) {
      out.add(`raw/${source}/`);
      for (const c of commitTables(source)) out.add(c.prefix);
    }
    for (const r of m.refs) walk(r);
  };
  walk(relation);
  return out;
}

/**
 * The statements the catalog runs on a warehouse without a build marker (information_schema, then
 * the allow-lists), for a warehouse with the grouped marts and one from before them. The
 * information_schema answer lists every model with its declared columns.
 */
async function catalogStatements(): Promise<string[]> {
  const out: string[] = [];
  for (const grouped of [true, false]) {
    const columns = [
      ...MART_TABLES.map((t) => ({ table: t.name, columns: t.columns.map((c) => c.name) })),
      ...loadProject().filter((m) => m.kind !== 'tests' && m.kind !== 'marts').map((m) => ({ table: m.name, columns: ['customer_id'] })),
    ].map((t) => (!grouped && t.table === 'ar_aging' ? { ...t, columns: t.columns.filter((c) => c !== 'group_by') } : t));
    const engine: WarehouseEngine = {
      dialect: athenaDialect,
      async query(sql): Promise<QueryResult> {
        out.push(sql);
        if (/information_schema/.test(sql)) {
          return { columns: [], rows: columns.flatMap((t) => t.columns.map((c) => ({ table_name: t.table, column_name: c }))) };
        }
        return { columns: [], rows: [] };
      },
      async execute() {
        throw new Error('read-only');
      },
      async close() {},
    };
    await loadCatalog(engine);
  }
  return out;
}

const MARTS = new Set(loadProject().filter((m) => m.kind === 'marts').map((m) => m.name));

describe('the dashboards API reads marts only, and its role reads marts/ only', () => {
  let relations: Map<string, string>;
  beforeAll(async () => {
    relations = new Map();
    const statements = [...(await allSliceStatements()).map((s) => ({ from: `slice ${s.slice}`, sql: s.sql })), ...(await catalogStatements()).map((sql) => ({ from: 'catalog', sql }))];
    for (const s of statements) {
      for (const m of s.sql.matchAll(/(?<![$\w])(?:FROM|JOIN)\s+([a-z_][a-z0-9_.]*)/gi)) {
        const name = m[1]!.toLowerCase();
        // ($from is a bound parameter, not the keyword.) The Glue catalog's own listing is no object in the lake.
        if (name.startsWith('information_schema.')) continue;
        if (!relations.has(name)) relations.set(name, s.from);
      }
    }
  });

  it('every relation a slice or the catalog reads is a mart', () => {
    expect(relations.has('dim_customers')).toBe(true);
    expect(relations.size).toBeGreaterThan(15);
    const notMarts = [...relations].filter(([r]) => !MARTS.has(r)).map(([r, from]) => `${r} (${from}) would read ${[...prefixesOf(r)].join(', ')}`);
    expect(notMarts).toEqual([]);
  });

  it('every prefix behind those relations is readable, and the role reads nothing but marts/', () => {
    const needed = new Set([...relations.keys()].flatMap((r) => [...prefixesOf(r)]));
    const unreadable = [...needed].filter((p) => !DASHBOARD_READ_PREFIXES.some((allowed) => p.startsWith(allowed)));
    expect(unreadable).toEqual([]);
    expect(DASHBOARD_READ_PREFIXES).toEqual(['marts/']);
  });

  it('a view over a canonical table would need its raw files and commit records (what the check above guards against)', () => {
    expect([...prefixesOf('customers')]).toEqual(expect.arrayContaining(['raw/customers/', ...commitTables('customers').map((c) => c.prefix)]));
    expect([...prefixesOf('int_customer_groups')]).toEqual(expect.arrayContaining(['raw/customers/', 'raw/invoices/', 'raw/payments/']));
    expect([...prefixesOf('dim_customers')]).toEqual(['marts/dim_customers/']);
  });
});
