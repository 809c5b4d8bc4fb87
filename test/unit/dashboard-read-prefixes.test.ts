/**
 * What the dashboards API may read in the lake, against what its statements read. Athena reads S3
 * with the caller's rights, so every object behind a relation a slice or the catalog queries must be
 * readable by the API's role: a mart's folder, and for a view over a canonical table (`customers`,
 * `int_customer_groups`) the raw files, the manifests and the retire records its committed-batch
 * filter reads (src/warehouse/athena/committed-batches.ts). Nothing else: the role stays least
 * privilege per prefix, and this fails when a slice starts reading a table the role cannot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_READ_PREFIXES } from '../../infra/constructs/dashboard-api.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { commitTables } from '../../src/warehouse/athena/committed-batches.js';
import { loadProject } from '../../src/warehouse/compile/index.js';
import { stagedTable } from '../../src/warehouse/runner.js';
import { allSliceStatements } from '../support/slice-statements.js';

/** Lake prefixes a relation reads when Athena expands it: marts are tables, every other model a view. */
function prefixesOf(relations: Iterable<string>): Set<string> {
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
    if (!m || seen.has(m.name)) return;
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
  for (const r of relations) walk(r);
  return out;
}

describe('the dashboards API role reads what its statements read, and no more', () => {
  let needed: Set<string>;
  beforeAll(async () => {
    const relations = new Set<string>();
    for (const s of await allSliceStatements()) for (const m of s.sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)/gi)) relations.add(m[1]!.toLowerCase());
    needed = prefixesOf(relations);
  });

  it('every prefix behind a relation a slice reads is readable', () => {
    expect(needed.size).toBeGreaterThan(5);
    const unreadable = [...needed].filter((p) => !DASHBOARD_READ_PREFIXES.some((allowed) => p.startsWith(allowed)));
    expect(unreadable).toEqual([]);
  });

  it('grants raw files and commit records only of the canonical tables the slices read', () => {
    const tables = CANONICAL_TABLES.map((t) => t.name);
    const granted = DASHBOARD_READ_PREFIXES.filter((p) => !p.startsWith('marts/'));
    expect(granted.every((p) => tables.some((t) => p === `raw/${t}/` || commitTables(t).some((c) => c.prefix === p)))).toBe(true);
    expect(granted.filter((p) => !needed.has(p))).toEqual([]);
  });
});
