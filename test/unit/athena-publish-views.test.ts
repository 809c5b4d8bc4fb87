/**
 * The Athena publish leaves the readers' views alone only when every one is as the last publish
 * left it: same views, same fingerprints (SQL and declared schemas), each still in the catalog.
 * Anything else recreates them all (a view stores the types of the views it reads).
 */
import { describe, expect, it } from 'vitest';
import { publishedViewsUnchanged, viewFingerprints } from '../../src/warehouse/athena/athena-build.js';

const views = [
  { model: 'stg_invoices', sql: 'SELECT 1 AS a', alias: 'invoices' },
  { model: 'int_invoices', sql: 'SELECT a FROM stg_invoices' },
];

function catalog(present: string[], fail = false) {
  const queries: string[] = [];
  return {
    queries,
    engine: {
      database: 'creditlake',
      async query(sql: string) {
        queries.push(sql);
        if (fail) throw new Error('AccessDenied');
        return { columns: [], rows: present.map((table_name) => ({ table_name })) };
      },
    },
  };
}

describe('the readers\' views at an Athena publish', () => {
  const fp = viewFingerprints(views);

  it('fingerprints each view and its alias by SQL; another SQL gives another fingerprint', () => {
    expect(Object.keys(fp).sort()).toEqual(['int_invoices', 'invoices', 'stg_invoices']);
    expect(fp.invoices).toBe(fp.stg_invoices);
    expect(viewFingerprints([{ ...views[1]!, sql: 'SELECT a + 0 AS a FROM stg_invoices' }]).int_invoices).not.toBe(fp.int_invoices);
    expect(viewFingerprints(views)).toEqual(fp);
  });

  it('are left alone when the last publish recorded the same fingerprints and every view exists', async () => {
    const c = catalog(['stg_invoices', 'invoices', 'int_invoices', 'other']);
    expect(await publishedViewsUnchanged(c.engine, { views: { ...fp } }, fp)).toBe(true);
    expect(c.queries).toHaveLength(1);
    expect(c.queries[0]).toContain("table_schema = 'creditlake' AND table_type = 'VIEW'");
  });

  it('are recreated when a fingerprint differs, a view is new or gone from the set, a view was dropped, the marker has none, or the catalog cannot say', async () => {
    const all = ['stg_invoices', 'invoices', 'int_invoices'];
    expect(await publishedViewsUnchanged(catalog(all).engine, { views: { ...fp, int_invoices: 'x' } }, fp)).toBe(false);
    expect(await publishedViewsUnchanged(catalog(all).engine, { views: { stg_invoices: fp.stg_invoices!, invoices: fp.invoices! } }, fp)).toBe(false);
    expect(await publishedViewsUnchanged(catalog(all).engine, { views: { ...fp, int_old: 'y' } }, fp)).toBe(false);
    expect(await publishedViewsUnchanged(catalog(['stg_invoices', 'invoices']).engine, { views: { ...fp } }, fp)).toBe(false);
    expect(await publishedViewsUnchanged(catalog(all).engine, {}, fp)).toBe(false);
    expect(await publishedViewsUnchanged(catalog(all).engine, undefined, fp)).toBe(false);
    expect(await publishedViewsUnchanged(catalog(all, true).engine, { views: { ...fp } }, fp)).toBe(false);
  });
});
