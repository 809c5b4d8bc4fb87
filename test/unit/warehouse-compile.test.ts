import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import {
  GraphError,
  athenaTarget,
  buildOrder,
  compileModel,
  compileProject,
  duckdbTarget,
  loadProject,
  parseProject,
  parseTemplate,
  selectModels,
  TemplateError,
  type ModelFile,
} from '../../src/warehouse/compile/index.js';
import { agingBuckets } from '../../src/warehouse/compile/aging.js';

const file = (name: string, source: string, kind: ModelFile['kind'] = 'marts'): ModelFile => ({ name, kind, path: `${kind}/${name}.sql`, source });

describe('template parsing', () => {
  it('reads calls with quoted and numeric arguments, with escaped quotes', () => {
    const parts = parseTemplate(`SELECT {{ add_days('d.x', 3) }}, {{ date_literal('2024-01-01') }} FROM {{ ref('a') }} WHERE s = {{ f('it''s') }}`);
    const calls = parts.flatMap((p) => ('call' in p ? [p.call] : []));
    expect(calls.map((c) => [c.name, c.args])).toEqual([
      ['add_days', ['d.x', 3]],
      ['date_literal', ['2024-01-01']],
      ['ref', ['a']],
      ['f', ["it's"]],
    ]);
  });

  it('passes the SQL of a nested call as an argument, and finds refs inside nested calls', () => {
    const models = parseProject([
      file('a', 'SELECT 1 AS k', 'staging'),
      file('m', `SELECT {{ add_days('d', var('countback_max_months')) }} FROM {{ coalesce_rel(ref('a')) }}`),
    ]);
    expect(models[1]!.refs).toEqual(['a']);
    const parts = parseTemplate(`{{ add_days('d', var('countback_max_months')) }}`);
    const call = (parts[0] as { call: { args: unknown[] } }).call;
    expect(call.args[1]).toMatchObject({ name: 'var', args: ['countback_max_months'] });
    const only = parseProject([file('m', `SELECT {{ add_days('x.d', var('countback_max_months')) }} AS d`)]);
    expect(compileModel(only[0]!, athenaTarget(), defaultConfig(), only).sql).toBe(`SELECT date_add('day', CAST(24 AS BIGINT), x.d) AS d`);
  });

  it('rejects malformed calls and unknown functions with the line', () => {
    expect(() => parseTemplate('SELECT {{ ref(a) }}', 'x.sql')).toThrow(TemplateError);
    expect(() => parseTemplate('SELECT {{ ref("a"', 'x.sql')).toThrow(/unbalanced/);
    const models = parseProject([file('m', 'SELECT 1\nFROM {{ nope() }}')]);
    expect(() => compileModel(models[0]!, athenaTarget(), defaultConfig(), models)).toThrow(/marts\/m\.sql:2: unknown template function nope/);
  });
});

describe('dependency order and --select', () => {
  // a ← b ← d, a ← c ← d, e stands alone
  const models = parseProject([
    file('d', `SELECT * FROM {{ ref('b') }} JOIN {{ ref('c') }} USING (k)`),
    file('b', `SELECT * FROM {{ ref('a') }}`),
    file('c', `SELECT * FROM {{ ref('a') }}`, 'intermediate'),
    file('a', `SELECT * FROM {{ source('invoices') }}`, 'staging'),
    file('e', `SELECT 1 AS k`),
  ]);

  it('puts every model after the models it refs', () => {
    const order = buildOrder(models).map((m) => m.name);
    for (const m of models) for (const r of m.refs) expect(order.indexOf(r)).toBeLessThan(order.indexOf(m.name));
    expect(order).toHaveLength(5);
  });

  it('selects a model, its descendants (m+), its ancestors (+m), or both', () => {
    const sel = (...s: string[]) => [...selectModels(models, s)].sort();
    expect(sel('b')).toEqual(['b']);
    expect(sel('a+')).toEqual(['a', 'b', 'c', 'd']);
    expect(sel('+d')).toEqual(['a', 'b', 'c', 'd']);
    expect(sel('+b')).toEqual(['a', 'b']);
    expect(sel('c+')).toEqual(['c', 'd']);
    expect(sel('+c+')).toEqual(['a', 'c', 'd']);
    expect(sel('b', 'e')).toEqual(['b', 'e']);
    expect(() => sel('zz+')).toThrow(/no model named "zz"/);
    expect(() => sel('a++')).toThrow(GraphError);
  });

  it('names the cycle', () => {
    const cyclic = parseProject([
      file('x', `SELECT * FROM {{ ref('y') }}`),
      file('y', `SELECT * FROM {{ ref('z') }}`),
      file('z', `SELECT * FROM {{ ref('x') }}`),
    ]);
    expect(() => buildOrder(cyclic)).toThrow(/dependency cycle: x → y → z → x/);
  });

  it('rejects a ref to a missing model', () => {
    expect(() => buildOrder(parseProject([file('x', `SELECT * FROM {{ ref('nope') }}`)]))).toThrow(/names no model/);
  });
});

describe('aging buckets from config edges', () => {
  it('labels the default Dutch buckets', () => {
    expect(agingBuckets([14, 30, 60, 90]).map((b) => b.label)).toEqual(['not due', '1-14', '15-30', '31-60', '61-90', '>90']);
    expect(agingBuckets([30, 60, 90, 120]).map((b) => b.label)).toEqual(['not due', '1-30', '31-60', '61-90', '91-120', '>120']);
  });
});

describe('the project sql/ compiles for both engines', () => {
  const project = loadProject();
  const config = defaultConfig();
  const duck = compileProject(project, duckdbTarget({ tablesWithFiles: new Set(['invoices']) }), config);
  const athena = compileProject(project, athenaTarget(), config);

  it('has staging for every canonical table and the issue-2 marts', () => {
    const names = project.map((m) => m.name);
    for (const t of ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions']) {
      expect(names).toContain(`stg_${t}`);
    }
    expect(names).toEqual(expect.arrayContaining(['ar_open_items', 'ar_aging', 'dso_monthly']));
    expect(buildOrder(project)).toHaveLength(project.length);
  });

  it('names the raw table every staging model reads as its source, also through latest_versions()', () => {
    // Lineage, the generated docs and the dashboard role's prefix check are derived from `sources`.
    const parsed = parseProject([file('stg_x', "SELECT * FROM {{ latest_versions('customers') }} r", 'staging')]);
    expect(parsed[0]!.sources).toEqual(['customers']);
    for (const t of ['customers', 'invoices', 'payments', 'payment_allocations', 'write_offs', 'collection_actions', 'credit_decisions']) {
      expect(project.find((m) => m.name === `stg_${t}`)!.sources, `stg_${t}`).toContain(t);
    }
  });

  it('renders every template call and keeps the Athena form in the portable subset', () => {
    for (const m of [...duck, ...athena]) expect(m.sql, m.name).not.toMatch(/\{\{|\}\}/);
    for (const m of athena) {
      expect(m.sql, m.name).not.toMatch(/\bQUALIFY\b/i);
      expect(m.sql, m.name).not.toMatch(/::/);
      expect(m.sql, m.name).not.toMatch(/\bEXCLUDE\b/i);
      expect(m.sql, m.name).not.toMatch(/INTERVAL\s+\d/i);
      expect(m.sql, m.name).not.toMatch(/read_parquet|generate_series|strftime/);
      expect(m.sql, m.name).not.toMatch(/GROUP BY ALL|ORDER BY ALL/i);
    }
  });

  it('reads raw partitions on DuckDB, or a typed empty relation when a table has no files yet', () => {
    const inv = duck.find((m) => m.name === 'stg_invoices')!.sql;
    // Lake-relative: the connection's `lake` variable says where the files are (a portable lake).
    expect(inv).toContain(`getvariable('lake') || '/' || 'raw/invoices/ingest_date=*/*.parquet' END), hive_partitioning = true`);
    expect(inv).toContain('union_by_name = true, filename = true');
    const wo = duck.find((m) => m.name === 'stg_write_offs')!.sql;
    expect(wo).toContain('CAST(NULL AS DECIMAL(18,2)) AS "amount"');
    expect(wo).toContain('WHERE 1 = 0');
    const athenaInv = athena.find((m) => m.name === 'stg_invoices')!.sql;
    expect(athenaInv).toContain('"$path" AS filename FROM raw_invoices');
  });

  it('compiles config into the SQL: bucket edges and the DSO method', () => {
    const custom = { ...config, aging: { ...config.aging, bucket_edges: [30, 60] }, dso: { ...config.dso, method: 'countback' as const } };
    const items = compileModel(project.find((m) => m.name === 'ar_open_items')!, athenaTarget(), custom, project).sql;
    expect(items).toContain(`WHEN days_past_due <= 30 THEN '1-30'`);
    expect(items).toContain(`ELSE '>60' END`);
    const dso = compileModel(project.find((m) => m.name === 'dso_monthly')!, athenaTarget(), custom, project).sql;
    expect(dso).toContain(`'countback' AS dso_method`);
  });

  it('uses each dialect for date arithmetic', () => {
    const d = duck.find((m) => m.name === 'int_month_ends')!.sql;
    const a = athena.find((m) => m.name === 'int_month_ends')!.sql;
    expect(d).toContain('last_day(');
    expect(d).toContain('generate_series(');
    expect(a).toContain('last_day_of_month(');
    expect(a).toContain('sequence(');
  });
});
