/**
 * Dialect gate for the dashboard slices: every statement any slice can send (each catalog shape, default
 * and full filters), in the exact form the Athena dashboard API sends it (`?` placeholders), is valid
 * Trino and free of DuckDB-only syntax; every value travels as an execution parameter.
 */
import { TrinoSQL } from 'dt-sql-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/serve/catalog.js';
import { AthenaDashboardWarehouse, parameterLiteral, toPositional } from '../../src/serve/athena-warehouse.js';
import { slices } from '../../src/serve/slices/index.js';
import { allSliceStatements, CATALOG_VARIANTS, SAMPLE_PARAMS, type RecordedStatement } from '../support/slice-statements.js';
import { duckdbOnlySyntax } from '../support/duckdb-only-syntax.js';

const trino = new TrinoSQL();
const trinoErrors = (sql: string) => trino.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);

describe('toPositional', () => {
  it('numbers the named parameters in order of occurrence, repeats included, and leaves literals and comments alone', () => {
    const r = toPositional("SELECT '$x' AS a, b -- $x\nFROM t WHERE c = $x AND d = CAST($d AS DATE) AND e = $x LIMIT $n", {
      x: "O'Brien",
      d: '2024-06-30',
      n: 20,
    });
    expect(r.sql).toBe("SELECT '$x' AS a, b -- $x\nFROM t WHERE c = ? AND d = CAST(? AS DATE) AND e = ? LIMIT ?");
    expect(r.parameters).toEqual(["'O''Brien'", "'2024-06-30'", "'O''Brien'", '20']);
  });

  it('refuses a placeholder without a value and a non-finite number', () => {
    expect(() => toPositional('SELECT * FROM t WHERE a = $a', {})).toThrow(/\$a/);
    expect(() => parameterLiteral('n', Number.NaN)).toThrow(/finite/);
    expect(parameterLiteral('b', true)).toBe('TRUE');
    expect(parameterLiteral('z', null)).toBe('NULL');
  });
});

describe('slice SQL on Athena', () => {
  let statements: RecordedStatement[];
  beforeAll(async () => {
    statements = await allSliceStatements();
  });

  it('covers every slice in every catalog shape', () => {
    for (const variant of Object.keys(CATALOG_VARIANTS)) {
      const seen = new Set(statements.filter((s) => s.variant === variant).map((s) => s.slice));
      expect([...seen].sort()).toEqual(slices.map((s) => s.name).sort());
    }
  });

  it('the gate fails on DuckDB-only syntax and on a leftover $name', () => {
    expect(trinoErrors('SELECT a FROM t WHERE b = $x').length).toBeGreaterThan(0);
    expect(trinoErrors('SELECT a::VARCHAR FROM t').length).toBeGreaterThan(0);
  });

  it('every statement parses as Trino once its parameters are positional, with no DuckDB-only syntax', () => {
    const failures: string[] = [];
    const seen = new Set<string>();
    for (const s of statements) {
      const { sql } = toPositional(s.sql, s.params);
      if (seen.has(sql)) continue;
      seen.add(sql);
      const errors = [...trinoErrors(sql), ...duckdbOnlySyntax(sql)];
      if (errors.length) failures.push(`${s.slice} (${s.variant}): ${errors.join('; ')}\n${sql}`);
    }
    expect(seen.size).toBeGreaterThan(slices.length);
    expect(failures).toEqual([]);
  });

  it('request values reach Athena only as execution parameters, never in the statement text', () => {
    // Values no slice could hold as a constant of its own (enums like group_by are allow-listed names).
    const values = (['as_of', 'segment', 'size', 'score_band', 'customer_id'] as const).map((k) => SAMPLE_PARAMS[k]!);
    for (const s of statements) {
      const { sql, parameters } = toPositional(s.sql, s.params);
      for (const v of values) expect(sql.includes(`'${v}'`), `${s.slice}: '${v}' inlined`).toBe(false);
      expect(parameters.length).toBe((sql.match(/\?/g) ?? []).length);
    }
    const filtered = statements.filter((s) => s.params.as_of === SAMPLE_PARAMS.as_of);
    expect(filtered.length).toBeGreaterThan(0);
  });

  it("the catalog's own queries parse as Trino and list the Glue database's tables", async () => {
    const sent: { sql: string; parameters: string[] }[] = [];
    const athena = {
      database: 'creditlake',
      async queryWithParameters(sql: string, parameters: readonly string[]) {
        sent.push({ sql, parameters: [...parameters] });
        return sql.includes('information_schema')
          ? { columns: [], rows: [{ table_name: 'ar_aging', column_name: 'as_of_date' }, { table_name: 'ar_aging', column_name: 'group_by' }, { table_name: 'ar_aging', column_name: 'group_value' }, { table_name: 'customer_risk', column_name: 'common_band_label' }] }
          : { columns: [], rows: [] };
      },
    };
    await loadCatalog(new AthenaDashboardWarehouse(athena as never));
    expect(sent[0]!.parameters).toEqual(["'creditlake'"]);
    expect(sent.length).toBeGreaterThan(3);
    for (const s of sent) expect(trinoErrors(s.sql), s.sql).toEqual([]);
  });
});
